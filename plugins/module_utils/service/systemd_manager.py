# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and driving a service under systemd (systemctl).

The decisions (plan_systemd, plan_systemd_absent) are pure functions of the observed status
and of what changed on disk, so unit tests table them; SystemdManager only observes and
executes, every command through module.run_command.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile
import time

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.service.systemd_render import parse_systemd_version

ACTIVE_STATES = ("active", "activating", "reloading")
ENABLED_STATES = ("enabled", "enabled-runtime", "alias")


# ---------------------------------------------------------------- systemd

def plan_systemd(status, state, enabled, unit_changed, env_changed):
    """Ordered actions for a present service.  status: `systemctl show` properties."""
    actions = []
    active = status.get("ActiveState") in ACTIVE_STATES
    is_enabled = status.get("UnitFileState") in ENABLED_STATES
    if unit_changed or status.get("NeedDaemonReload") == "yes":
        actions.append("daemon-reload")
    if enabled is True and not is_enabled:
        actions.append("enable")
    elif enabled is False and is_enabled:
        actions.append("disable")
    if state == "started":
        if not active:
            actions.append("start")
        elif unit_changed or env_changed:
            actions.append("restart")
    elif state == "stopped":
        if active:
            actions.append("stop")
    elif state == "restarted":
        actions.append("restart")
    return actions


def plan_systemd_absent(status, files_present):
    """Stop, disable, remove our files, reload, forget a failed state."""
    actions = []
    if status.get("ActiveState") in ACTIVE_STATES:
        actions.append("stop")
    if status.get("UnitFileState") in ENABLED_STATES:
        actions.append("disable")
    if files_present:
        actions.append("remove-files")
        actions.append("daemon-reload")
    if status.get("ActiveState") == "failed":
        actions.append("reset-failed")
    return actions


class SystemdManager(object):
    PROPERTIES = ("LoadState", "ActiveState", "SubState", "UnitFileState", "MainPID", "NeedDaemonReload",
                  "ExecMainStatus", "Result", "DropInPaths", "FragmentPath")

    def __init__(self, module, name):
        self.module = module
        self.name = name
        self.unit = name + ".service"
        self.systemctl = module.get_bin_path("systemctl", required=True)

    def version(self):
        rc, out, _err = self.module.run_command([self.systemctl, "--version"])
        return parse_systemd_version(out) if rc == 0 else None

    def status(self):
        rc, out, err = self.module.run_command(
            [self.systemctl, "show", self.unit, "--property=" + ",".join(self.PROPERTIES)])
        if rc != 0:
            raise GofleetError("systemctl show %s failed: %s" % (self.unit, (err or out).strip()))
        props = {}
        for line in out.splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                props[key] = value
        return props

    def run(self, action):
        cmd = [self.systemctl, action] if action == "daemon-reload" else [self.systemctl, action, self.unit]
        rc, out, err = self.module.run_command(cmd)
        if rc != 0:
            raise GofleetError("systemctl %s %s failed (rc=%d): %s%s"
                               % (action, self.unit, rc, (err or out).strip(), self._journal_hint()))

    def _journal_hint(self):
        journalctl = self.module.get_bin_path("journalctl")
        if not journalctl:
            return ""
        rc, out, _err = self.module.run_command(
            [journalctl, "-u", self.unit, "-n", "8", "--no-pager", "-o", "cat"])
        lines = [l for l in out.splitlines() if l.strip()][-8:] if rc == 0 else []
        return (" | journal: " + " / ".join(lines)) if lines else ""

    def wait_running(self, settle, sleep=time.sleep):
        """After a start: the service must still be running (same MainPID) `settle` seconds later."""
        if settle <= 0:
            return self.status()
        first = self.status()
        sleep(settle)
        now = self.status()
        if now.get("ActiveState") != "active" or now.get("MainPID") in ("0", None) \
                or now.get("MainPID") != first.get("MainPID"):
            raise GofleetError(
                "%s did not stay running (ActiveState=%s SubState=%s Result=%s ExecMainStatus=%s)%s"
                % (self.unit, now.get("ActiveState"), now.get("SubState"), now.get("Result"),
                   now.get("ExecMainStatus"), self._journal_hint()))
        return now

    def verify(self, unit_text):
        """`systemd-analyze verify` on a staged copy; its stderr counts (it exits 0 on unknown keys)."""
        analyze = self.module.get_bin_path("systemd-analyze")
        if not analyze:
            return "systemd-analyze not found: the unit was not verified"
        stage = tempfile.mkdtemp(prefix=".gofleet-verify-")
        try:
            path = os.path.join(stage, self.unit)
            with open(path, "w") as f:
                f.write(unit_text)
            rc, out, err = self.module.run_command([analyze, "verify", path])
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        problems = verify_problems(out + "\n" + err, self.unit, path)
        if rc != 0 or problems:
            raise GofleetError("systemd-analyze verify rejected the unit for %s: %s"
                               % (self.name, "; ".join(problems or [(err or out).strip()])))
        return None


def verify_problems(output, unit, staged_path):
    """Lines of `systemd-analyze verify` output that are about our unit (others are host noise)."""
    problems = []
    for line in output.splitlines():
        line = line.strip()
        if not line:
            continue
        if staged_path in line or line.startswith(unit + ":") or (" " + unit + ":") in line:
            problems.append(line.replace(os.path.dirname(staged_path) + "/", ""))
    return problems
