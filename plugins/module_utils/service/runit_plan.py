# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Go service as a runit service directory: plan what changes, then apply it.

plan() compares /etc/sv/<name> (run, log/run, env/, down) with what runit_render renders,
lists stale env files, reads `sv status` and the runsvdir link, and decides the sv actions
(restart only when the run script or the environment changed).  apply() writes the files,
links the service and runs the actions in order; a new service that must stay stopped is
linked with a `down` file that is only taken away once runsv has read it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.gofleet.golang.plugins.module_utils import atomic
from ansible_collections.gofleet.golang.plugins.module_utils import drift
from ansible_collections.gofleet.golang.plugins.module_utils.service import runit_manager as sm
from ansible_collections.gofleet.golang.plugins.module_utils.service import runit_render as runit
from ansible_collections.gofleet.golang.plugins.module_utils.service.go_runtime import go_runtime_env
from ansible_collections.gofleet.golang.plugins.module_utils.service.plan import (
    ServicePlan,
    text_diff,
    total_memory,
    unit_drift,
)

VOID_SERVICE_DIR = "/var/service"
OTHER_SERVICE_DIR = "/etc/service"


def service_dir(requested=None):
    """The directory runsvdir watches: as given, else /var/service (Void), else /etc/service when only it exists."""
    if requested:
        return requested
    if not os.path.isdir(VOID_SERVICE_DIR) and os.path.isdir(OTHER_SERVICE_DIR):
        return OTHER_SERVICE_DIR
    return VOID_SERVICE_DIR


class RunitPlan(ServicePlan):
    STARTING = ("up", "restart")

    def __init__(self, module, spec):
        name = spec["name"]
        ServicePlan.__init__(self, module, spec,
                             sm.RunitManager(module, name, runit.SV_DIR, service_dir(spec.get("runit_service_dir"))))
        self.sv_path = os.path.join(runit.SV_DIR, name)
        self.run_path = self.sv_path + "/run"
        self.env_dir = self.sv_path + "/env"
        self.needs_env_dir = False

    def plan(self):
        self.facts["unit_path"] = self.sv_path
        linked = os.path.islink(self.mgr.link)
        self.status = self.mgr.status()
        if self.spec["state"] == "absent":
            self.diff = text_diff(self.run_path, atomic.read_file(self.run_path), "")
            self.actions = sm.plan_runit_absent(self.status, linked, os.path.isdir(self.sv_path))
        else:
            self._plan_present(linked)

    def _in_env_dir(self, path):
        return path.startswith(self.env_dir + "/")

    def _plan_present(self, linked):
        spec, warnings = self.spec, self.warnings
        unsupported = runit.unsupported_options(spec)
        self.facts["unsupported_options"] = unsupported
        if unsupported:
            warnings.append("runit cannot honour: %s" % "; ".join(unsupported))
        warnings.extend(runit.advisories(spec))
        self.facts["binary"] = self.check_binary()
        mem = total_memory()
        self.facts["derived_environment"] = dict(go_runtime_env(spec.get("limits"), spec.get("environment"), mem))

        files = runit.desired_files(spec, runit.SV_DIR, mem)
        down = self.sv_path + "/down"
        if not spec["enabled"]:
            files.append((down, b"", 0o644))
        wanted = set(f[0] for f in files)
        if os.path.isdir(self.env_dir):
            self.removes += [p for p in (os.path.join(self.env_dir, n) for n in sorted(os.listdir(self.env_dir)))
                             if p not in wanted]
        if spec["enabled"] and os.path.exists(down):
            self.removes.append(down)
        self.writes = [f for f in files if atomic.file_differs(f[0], f[1], f[2])]
        self.needs_env_dir = any(self._in_env_dir(f[0]) for f in files)
        restart_worthy = [f[0] for f in self.writes if f[0] == self.run_path or self._in_env_dir(f[0])] + \
            [p for p in self.removes if self._in_env_dir(p)] + ([self.spec["binary"]] if self.binary_new else [])
        log_changed = any(f[0] == self.sv_path + "/log/run" for f in self.writes)

        run_text = files[0][1].decode("utf-8")
        self.facts["unit"] = run_text
        before = atomic.read_file(self.run_path)
        self.diff = text_diff(self.run_path, before, run_text)
        if before is not None:   # a first deploy is not drift
            self._plan_drift(before, run_text, linked)
        if self.drift_items:
            self.diff = [self.diff, drift.diff(self.drift_items, "drift of %s" % self.name)]
        actions = sm.plan_runit(self.status, spec["state"], linked and self.mgr.linked(), bool(restart_worthy))
        if log_changed and linked:
            actions.append("restart-log")
        self.actions = actions

    def _plan_drift(self, before, run_text, linked):
        if before != run_text:
            self.drift_items.append(unit_drift(self.run_path, before, run_text))
        want = {"started": "run", "stopped": "down"}.get(self.spec["state"])
        found = self.status.get("state") if linked else "not linked"
        if want is not None and found != want:
            self.drift_items.append(drift.item(self.name, "state", want, found))

    def apply(self):
        self.install_binary()
        if self.spec["state"] != "absent":
            self._prepare_dirs()
        for path, data, mode in self.writes:
            atomic.write_file(path, data, mode)
        for path in self.removes:
            os.unlink(path)
        # Linking a service that must stay stopped: a `down` file keeps runsv from starting it at
        # all; it goes again once runsv has read it, when the service is enabled.
        hold_down = "link" in self.actions and self.spec["state"] == "stopped" and self.spec["enabled"]
        for action in self.actions:
            self._run(action, hold_down)
        self.settle()

    def _prepare_dirs(self):
        atomic.makedirs(self.sv_path, 0o755)
        atomic.makedirs(self.sv_path + "/log", 0o755)
        if not os.path.isdir(self.env_dir) and self.needs_env_dir:
            os.mkdir(self.env_dir, 0o700)
        if os.path.isdir(self.env_dir):
            os.chmod(self.env_dir, 0o700)

    def _run(self, action, hold_down):
        mgr = self.mgr
        if action == "link":
            if hold_down:
                atomic.write_file(self.sv_path + "/down", b"", 0o644)
            atomic.replace_symlink(self.sv_path, mgr.link)
        elif action == "wait-supervise":
            mgr.wait_supervised()
            if hold_down:
                os.unlink(self.sv_path + "/down")
        elif action == "restart-log":
            self.module.run_command([mgr.sv, "restart", self.sv_path + "/log"])
        elif action == "unlink":
            os.unlink(mgr.link)
        elif action == "exit":
            mgr.run("exit")
            mgr.wait_gone()
        elif action == "remove-files":
            atomic.remove_tree(self.sv_path)
        else:
            mgr.run(action)
