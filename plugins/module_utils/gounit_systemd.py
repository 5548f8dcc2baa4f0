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
from ansible_collections.gofleet.golang.plugins.module_utils import gounit_render as render
from ansible_collections.gofleet.golang.plugins.module_utils import service_manager as sm
from ansible_collections.gofleet.golang.plugins.module_utils.gounit_service import (
    ServicePlan,
    check_node,
    default_env_file,
    text_diff,
    total_memory,
)

UNIT_DIR = "/etc/systemd/system"
ENV_MODE = 0o600
UNIT_MODE = 0o644


# A KEY="value" entry as env_entry() writes it; the value may span lines.
_ENV_ENTRY_RE = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)="(?:[^"\\]|\\.)*"$', re.MULTILINE | re.DOTALL)


def parse_env_keys(text):
    """{KEY: its whole entry} of an environment file we wrote (to tell which values changed).

    Whole entries, not lines: the second line of a multi-line value is part of that value,
    never a key of its own (reading it as one would put a piece of a secret in the diff).
    """
    return dict((m.group(1), m.group(0)) for m in _ENV_ENTRY_RE.finditer(text or ""))


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
        binary_info = check_node(self.module, spec, warnings)
        version = self.mgr.version()
        unit_text, info = render.render_unit(spec, version, total_memory())
        self.facts.update(unit=unit_text, binary=binary_info, skipped_directives=info["skipped"],
                          derived_environment=info["derived_env"])
        if info["skipped"]:
            warnings.append("systemd %s is too old for %s: left out of the unit" % (version, ", ".join(info["skipped"])))
        if binary_info is not None:
            verify_note = self.mgr.verify(unit_text)
            if verify_note:
                warnings.append(verify_note)

        before = atomic.read_file(self.unit_path)
        unit_changed = before != unit_text
        diffs = [text_diff(self.unit_path, before, unit_text)]
        env_changed = False
        env_path = spec.get("environment_file")
        if spec.get("environment") is not None:
            env_text = render.env_file_text(spec["environment"])
            env_changed = atomic.file_differs(env_path, env_text.encode("utf-8"), ENV_MODE)
            if env_changed:
                diffs.append(env_diff(env_path, atomic.read_file(env_path), spec["environment"]))
                self.writes.append((env_path, env_text, ENV_MODE))
        if unit_changed:
            self.writes.append((self.unit_path, unit_text, UNIT_MODE))
        self.actions = sm.plan_systemd(self.status, spec["state"], spec["enabled"], unit_changed, env_changed)
        self.diff = diffs if len(diffs) > 1 else diffs[0]

    def apply(self):
        for path, data, mode in self.writes:
            atomic.write_file(path, data, mode)
        for action in self.actions:
            if action == "remove-files":
                for path in self.removes:
                    os.unlink(path)
            else:
                self.mgr.run(action)
        self.settle()
