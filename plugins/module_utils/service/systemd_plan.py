# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Go service as a systemd unit: plan what changes, then apply it.

plan() reads the unit and environment files and `systemctl show`, renders the unit for this
systemd version, verifies it, and decides the files to write and the systemctl actions
(daemon-reload only when the unit changed, restart when unit or environment changed while the
service runs).  apply() writes the files (environment first, 0600), runs the actions in order
and checks that a started service stays up.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.gofleet.golang.plugins.module_utils import atomic
from ansible_collections.gofleet.golang.plugins.module_utils import drift
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.service import dropins
from ansible_collections.gofleet.golang.plugins.module_utils.service import systemd_manager as sm
from ansible_collections.gofleet.golang.plugins.module_utils.service import systemd_render as render
from ansible_collections.gofleet.golang.plugins.module_utils.service.plan import (
    ServicePlan,
    text_diff,
    total_memory,
    unit_drift,
)
from ansible_collections.gofleet.golang.plugins.module_utils.service.spec import default_env_file
from ansible_collections.gofleet.golang.plugins.module_utils.service.systemd_syntax import quote_exec_arg

UNIT_DIR = "/etc/systemd/system"
ENV_MODE = 0o600
UNIT_MODE = 0o644
# Admin drop-in directories, highest priority first: <dir>/<unit>.d/*.conf there is removable.
DROPIN_DIRS = ("/etc/systemd/system.control", "/run/systemd/system.control", "/etc/systemd/system",
               "/run/systemd/system")


# A KEY="value" entry as env_entry() writes it; the value may span lines.
_ENV_ENTRY_RE = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)="(?:[^"\\]|\\.)*"$', re.MULTILINE | re.DOTALL)


def parse_env_keys(text):
    """{KEY: its whole entry} of an environment file we wrote (to tell which values changed).

    Whole entries, not lines: the second line of a multi-line value is part of that value,
    never a key of its own (reading it as one would put a piece of a secret in the diff).
    """
    return dict((m.group(1), m.group(0)) for m in _ENV_ENTRY_RE.finditer(text or ""))


def state_drift(unit, status, state, enabled):
    """A deployed service that is not running (or not stopped, or not enabled) as asked."""
    if status.get("LoadState") in (None, "", "not-found"):
        return []
    expected, found = [], []
    active = "active" if status.get("ActiveState") in sm.ACTIVE_STATES else status.get("ActiveState") or "inactive"
    want = {"started": "active", "stopped": "inactive"}.get(state)
    if want is not None and (active == "active") != (want == "active"):
        expected.append(want)
        found.append(active)
    is_enabled = status.get("UnitFileState") in sm.ENABLED_STATES
    if enabled is not None and is_enabled != enabled:
        expected.append("enabled" if enabled else "disabled")
        found.append(status.get("UnitFileState") or "disabled")
    return [drift.item(unit, "state", " ".join(expected), " ".join(found))] if expected else []


def env_mode_drift(path):
    """An environment file readable by others: its secrets were exposed (the content stays unshown)."""
    try:
        mode = os.lstat(path).st_mode & 0o7777
    except OSError:
        return []
    return [drift.item(path, "mode", drift.octal(ENV_MODE), drift.octal(mode))] if mode != ENV_MODE else []


def env_diff(path, before_text, environment):
    """Diff of the environment file that names the keys whose value changed, never a value."""
    old = parse_env_keys(before_text)
    changed_keys = [k for k, v in environment.items() if old.get(k) != render.env_entry(k, v)]
    return text_diff(path, "".join("%s=********\n" % k for k in sorted(old)),
                     render.env_diff_text(None, environment, changed_keys))


class SystemdPlan(ServicePlan):
    STARTING = ("start", "restart")

    def __init__(self, module, spec):
        ServicePlan.__init__(self, module, spec, sm.SystemdManager(module, spec["name"]))
        self.unit_path = os.path.join(UNIT_DIR, self.name + ".service")

    def plan(self):
        self.facts["unit_path"] = self.unit_path
        self.status = self.mgr.status()
        if self.spec["state"] == "absent":
            self._plan_absent()
        else:
            self._plan_present()

    def _plan_absent(self):
        owned_env = self.spec.get("environment_file") or default_env_file(self.name)
        self.removes = [f for f in (self.unit_path, owned_env) if os.path.lexists(f)]
        self.diff = text_diff(self.unit_path, atomic.read_file(self.unit_path), "")
        self.actions = sm.plan_systemd_absent(self.status, bool(self.removes))

    def _plan_present(self):
        spec, warnings = self.spec, self.warnings
        binary_info = self.check_binary()
        version = self.mgr.version()
        unit_text, info = render.render_unit(spec, version, total_memory())
        self.facts.update(unit=unit_text, binary=binary_info, skipped_directives=info["skipped"],
                          derived_environment=info["derived_env"])
        if info["skipped"]:
            warnings.append("systemd %s is too old for %s: left out of the unit" % (version, ", ".join(info["skipped"])))
        if binary_info is not None:
            verify_note = self.mgr.verify(self._verify_text(unit_text))
            if verify_note:
                warnings.append(verify_note)

        before = atomic.read_file(self.unit_path)
        unit_changed = before != unit_text
        if unit_changed and before is not None:
            self.drift_items.append(unit_drift(self.unit_path, before, unit_text))
        diffs = [text_diff(self.unit_path, before, unit_text)]
        env_changed = False
        env_path = spec.get("environment_file")
        if spec.get("environment") is not None:
            env_text = render.env_file_text(spec["environment"])
            env_changed = atomic.file_differs(env_path, env_text.encode("utf-8"), ENV_MODE)
            if env_changed:
                self.drift_items.extend(env_mode_drift(env_path))
                diffs.append(env_diff(env_path, atomic.read_file(env_path), spec["environment"]))
                self.writes.append((env_path, env_text, ENV_MODE))
        if unit_changed:
            self.writes.append((self.unit_path, unit_text, UNIT_MODE))
        dropins_removed = self._plan_dropins()
        if before is not None:   # a first deploy is not drift
            self.drift_items.extend(state_drift(self.name + ".service", self.status, spec["state"], spec["enabled"]))
        self.actions = sm.plan_systemd(self.status, spec["state"], spec["enabled"],
                                       unit_changed or dropins_removed, env_changed or self.binary_new)
        if self.drift_items:
            diffs.append(drift.diff(self.drift_items, "drift of %s.service" % self.name))
        self.diff = diffs if len(diffs) > 1 else diffs[0]

    def _verify_text(self, unit_text):
        """The unit as systemd-analyze should see it: a staged new binary stands in for the one it replaces."""
        staged = self.spec.get("install_from")
        if not (self.binary_new and staged and os.path.exists(staged)):
            return unit_text
        old = "ExecStart=" + quote_exec_arg(self.spec["binary"])
        return unit_text.replace(old, "ExecStart=" + quote_exec_arg(staged), 1)

    def _plan_dropins(self):
        """Foreign drop-ins are drift; foreign_dropins decides what happens to them. True: some go."""
        unit = self.name + ".service"
        allowed = self.spec.get("allowed_dropins") or []
        foreign = [p for p in dropins.found(self.status.get("DropInPaths"), unit, DROPIN_DIRS)
                   if not dropins.is_allowed(p, allowed)]
        if not foreign:
            return False
        self.drift_items.extend(dropins.items(foreign))
        policy = self.spec.get("foreign_dropins") or "remove"
        if policy == "fail":
            raise GofleetError("foreign_dropins=fail: %s has drop-ins gofleet did not write: %s (remove them, "
                               "or name them in allowed_dropins)" % (unit, ", ".join(foreign)))
        if policy == "keep":
            self.warnings.append("drop-ins gofleet did not write are kept (foreign_dropins=keep): %s"
                                 % ", ".join(foreign))
            return False
        stuck = [p for p in foreign if not dropins.removable(p, unit, DROPIN_DIRS)]
        if stuck:
            self.warnings.append("drop-ins of a package or shared with other units are not removed: %s "
                                 "(name them in allowed_dropins, or remove them by hand)" % ", ".join(stuck))
        self.removes += [p for p in foreign if p not in stuck]
        return len(stuck) < len(foreign)

    def apply(self):
        self.install_binary()
        for path, data, mode in self.writes:
            atomic.write_file(path, data, mode)
        if "remove-files" not in self.actions:   # present: foreign drop-ins go before the reload
            for path in self.removes:
                if os.path.lexists(path):
                    os.unlink(path)
                try:
                    os.rmdir(os.path.dirname(path))   # only when empty
                except OSError:
                    pass
        for action in self.actions:
            if action == "remove-files":
                for path in self.removes:
                    os.unlink(path)
            else:
                self.mgr.run(action)
        self.settle()
