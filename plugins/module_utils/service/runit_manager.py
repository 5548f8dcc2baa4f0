# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and driving a service under runit (sv).

The decisions (plan_runit, plan_runit_absent) are pure functions of the observed status and
of what changed on disk, so unit tests table them; RunitManager only observes and executes,
every command through module.run_command.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


def parse_sv_status(text):
    """`sv status` first line -> {'state': run|down|finish|fail|warning|unknown, 'pid', 'seconds'}."""
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    state = line.split(":", 1)[0].strip() if ":" in line else "unknown"
    if state not in ("run", "down", "finish", "fail", "warning"):
        state = "unknown"
    pid = re.search(r"\(pid ([0-9]+)\)", line.split(";")[0])
    secs = re.search(r"\)?\s([0-9]+)s", line.split(";")[0])
    return {
        "state": state,
        "pid": int(pid.group(1)) if pid else 0,
        "seconds": int(secs.group(1)) if secs else None,
        "normally_up": "normally up" in line.split(";")[0],
        "line": line,
    }


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
