# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and driving a service under systemd (systemctl) or runit (sv).

The decisions (plan_systemd, plan_runit) are pure functions of the observed status and of
what changed on disk, so unit tests table them; SystemdManager/RunitManager only observe
and execute, every command through module.run_command.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile
import time

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.gounit_render import parse_systemd_version
from ansible_collections.gofleet.golang.plugins.module_utils.runit_service import parse_sv_status

ACTIVE_STATES = ("active", "activating", "reloading")
ENABLED_STATES = ("enabled", "enabled-runtime", "alias")


def detect_init_system(module, requested="auto"):
    """systemd when it is PID 1 (/run/systemd/system), else runit when its tools are here."""
    if requested != "auto":
        return requested
    if os.path.isdir("/run/systemd/system"):
        return "systemd"
    if module.get_bin_path("sv") or module.get_bin_path("runsvdir"):
        return "runit"
    raise GofleetError("init_system=auto found neither systemd (no /run/systemd/system) nor runit (no sv, runsvdir)")


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


# ---------------------------------------------------------------- runit

def plan_runit(status, state, linked, files_changed):
    """Ordered actions for a present runit service.  status: parse_sv_status() of it."""
    actions = []
    if not linked:
        actions += ["link", "wait-supervise"]
    running = status.get("state") == "run"
    if state == "started":
        if not running:
            actions.append("up")
        elif files_changed:
            actions.append("restart")
    elif state == "stopped":
        # A freshly linked service is started by runsv at once unless told otherwise.
        if running or not linked:
            actions.append("down")
    elif state == "restarted":
        actions.append("restart")
    return actions


def plan_runit_absent(status, linked, dir_present):
    actions = []
    if linked and status.get("state") == "run":
        actions.append("down")
    if linked:
        actions.append("unlink")
    if dir_present:
        actions += ["exit", "remove-files"]
    return actions


class RunitManager(object):
    def __init__(self, module, name, sv_dir, service_dir):
        self.module = module
        self.name = name
        self.sv_path = os.path.join(sv_dir, name)
        self.link = os.path.join(service_dir, name)
        self.sv = module.get_bin_path("sv")

    def _sv(self, *args):
        if not self.sv:
            raise GofleetError("sv (runit) is not installed on this node")
        return self.module.run_command([self.sv] + list(args))

    def linked(self):
        return os.path.islink(self.link) and os.path.realpath(self.link) == os.path.realpath(self.sv_path)

    def status(self):
        if not os.path.isdir(os.path.join(self.sv_path, "supervise")) or not self.sv:
            return {"state": "unknown", "pid": 0, "seconds": None, "line": ""}
        rc, out, err = self._sv("status", self.sv_path)
        return parse_sv_status(out or err)

    def wait_supervised(self, timeout=20, sleep=time.sleep):
        """runsvdir scans its directory every 5 s: wait for runsv to take the new service."""
        deadline = time.time() + timeout
        while True:
            st = self.status()
            if st["state"] in ("run", "down", "finish"):
                return st
            if time.time() >= deadline:
                raise GofleetError("runsv did not pick up %s within %ds (is runsvdir watching %s?)"
                                   % (self.name, timeout, os.path.dirname(self.link)))
            sleep(0.5)

    def run(self, action):
        if action in ("up", "down", "restart", "exit"):
            rc, out, err = self._sv(action, self.sv_path)
            if action == "exit":
                self._sv("exit", os.path.join(self.sv_path, "log"))
                return
            if rc != 0:
                raise GofleetError("sv %s %s failed (rc=%d): %s" % (action, self.name, rc, (err or out).strip()))
        else:
            raise GofleetError("unknown runit action %s" % action)

    def wait_gone(self, timeout=15, sleep=time.sleep):
        """After `sv exit`: runsv (and the log's runsv) have let go of the directory."""
        deadline = time.time() + timeout
        ok_files = [os.path.join(self.sv_path, "supervise", "ok"), os.path.join(self.sv_path, "log", "supervise", "ok")]
        while time.time() < deadline:
            if not any(_fifo_has_reader(p) for p in ok_files):
                return
            sleep(0.3)

    def wait_running(self, settle, sleep=time.sleep, poll=0.3, patience=10):
        """The service runs and keeps one pid for `settle` seconds (runsv restarts crashers).

        Control commands are asynchronous: just after a link, `sv up` or `sv restart` the
        process that is listed may be one that is about to go ("got TERM", or the start runsv
        made on its own before our command landed).  So a pid only counts once it has stayed
        for `settle` seconds; a crash loop never does, and fails after `patience` more.
        """
        current = self.status()
        stable_for = 0.0
        waited = 0.0
        while not (_is_up(current) and stable_for >= settle):
            if waited >= settle + patience:
                raise GofleetError("%s did not stay running under runit (last: %s)%s"
                                   % (self.name, current["line"] or current["state"], self._log_hint()))
            sleep(poll)
            waited += poll
            now = self.status()
            same = _is_up(now) and now["pid"] == current["pid"]
            stable_for = stable_for + poll if same else 0.0
            current = now
        return current

    def _log_hint(self):
        path = "/var/log/%s/current" % self.name
        try:
            with open(path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()[-6:]
        except (IOError, OSError):
            return ""
        return " | %s: %s" % (path, " / ".join(lines)) if lines else ""


def _is_up(status):
    return status["state"] == "run" and bool(status["pid"]) and "got TERM" not in status["line"]


def _fifo_has_reader(path):
    """supervise/ok is a FIFO that runsv holds open: opening it for writing works only then."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return False
    os.close(fd)
    return True
