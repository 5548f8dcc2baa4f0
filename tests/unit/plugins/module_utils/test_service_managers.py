# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service manager decisions (tables) and the commands they turn into, run_command mocked."""

import itertools

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.service import plan, runit_manager, systemd_manager
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

RUNNING = {"LoadState": "loaded", "ActiveState": "active", "UnitFileState": "enabled", "MainPID": "42"}
STOPPED = {"LoadState": "loaded", "ActiveState": "inactive", "UnitFileState": "disabled", "MainPID": "0"}
NEW = {"LoadState": "not-found", "ActiveState": "inactive", "UnitFileState": "", "MainPID": "0"}
FAILED = {"LoadState": "loaded", "ActiveState": "failed", "UnitFileState": "enabled", "MainPID": "0"}


@pytest.mark.parametrize("status,state,enabled,unit_changed,env_changed,actions", [
    # daemon-reload only when the unit changed
    (RUNNING, "started", True, False, False, []),
    (RUNNING, "started", True, True, False, ["daemon-reload", "restart"]),
    (RUNNING, "started", True, False, True, ["restart"]),
    (NEW, "started", True, True, False, ["daemon-reload", "enable", "start"]),
    (STOPPED, "started", True, False, False, ["enable", "start"]),
    (STOPPED, "started", None, False, False, ["start"]),
    (STOPPED, "started", False, True, True, ["daemon-reload", "start"]),
    (FAILED, "started", True, False, False, ["start"]),
    (RUNNING, "stopped", True, False, False, ["stop"]),
    (RUNNING, "stopped", False, True, False, ["daemon-reload", "disable", "stop"]),
    (STOPPED, "stopped", False, False, False, []),
    (STOPPED, "stopped", False, True, True, ["daemon-reload"]),
    (RUNNING, "restarted", True, False, False, ["restart"]),
    (STOPPED, "restarted", True, True, False, ["daemon-reload", "enable", "restart"]),
    (dict(RUNNING, NeedDaemonReload="yes"), "started", True, False, False, ["daemon-reload"]),
])
def test_plan_systemd(status, state, enabled, unit_changed, env_changed, actions):
    assert systemd_manager.plan_systemd(status, state, enabled, unit_changed, env_changed) == actions


@pytest.mark.parametrize("status,files,actions", [
    (RUNNING, True, ["stop", "disable", "remove-files", "daemon-reload"]),
    (STOPPED, True, ["remove-files", "daemon-reload"]),
    (FAILED, True, ["disable", "remove-files", "daemon-reload", "reset-failed"]),
    (NEW, False, []),
])
def test_plan_systemd_absent(status, files, actions):
    assert systemd_manager.plan_systemd_absent(status, files) == actions


@pytest.mark.parametrize("status,state,linked,changed,actions", [
    ({"state": "unknown"}, "started", False, True, ["link", "wait-supervise", "up"]),
    ({"state": "run"}, "started", True, False, []),
    ({"state": "run"}, "started", True, True, ["restart"]),
    ({"state": "down"}, "started", True, True, ["up"]),
    ({"state": "run"}, "stopped", True, False, ["down"]),
    ({"state": "down"}, "stopped", True, True, []),
    ({"state": "run"}, "restarted", True, False, ["restart"]),
    ({"state": "unknown"}, "stopped", False, True, ["link", "wait-supervise", "down"]),
])
def test_plan_runit(status, state, linked, changed, actions):
    assert runit_manager.plan_runit(status, state, linked, changed) == actions


@pytest.mark.parametrize("status,linked,present,actions", [
    ({"state": "run"}, True, True, ["down", "unlink", "exit", "remove-files"]),
    ({"state": "down"}, True, True, ["unlink", "exit", "remove-files"]),
    ({"state": "unknown"}, False, True, ["exit", "remove-files"]),
    ({"state": "unknown"}, False, False, []),
])
def test_plan_runit_absent(status, linked, present, actions):
    assert runit_manager.plan_runit_absent(status, linked, present) == actions


def show(**props):
    return 0, "".join("%s=%s\n" % kv for kv in props.items()), ""


def test_status_parses_systemctl_show(fake_module):
    module = fake_module(answer=[(["/usr/bin/systemctl", "show"], show(ActiveState="active", MainPID="42", UnitFileState="enabled"))])
    st = systemd_manager.SystemdManager(module, "hello").status()
    assert st["ActiveState"] == "active" and st["MainPID"] == "42"
    assert module.calls[0][:3] == ["/usr/bin/systemctl", "show", "hello.service"]


@pytest.mark.parametrize("action,cmd", [
    ("daemon-reload", ["/usr/bin/systemctl", "daemon-reload"]),
    ("restart", ["/usr/bin/systemctl", "restart", "hello.service"]),
    ("enable", ["/usr/bin/systemctl", "enable", "hello.service"]),
])
def test_actions_become_systemctl_commands(fake_module, run_command, action, cmd):
    systemd_manager.SystemdManager(fake_module(answer=run_command.expect([(cmd, run_command.OK)])), "hello").run(action)


def test_failed_action_names_unit_and_journal(fake_module):
    module = fake_module(answer=[
        (["/usr/bin/systemctl", "start"], (1, "", "Job for hello.service failed.")),
        (["/usr/bin/journalctl"], (0, "hello: bad flag -x\n", "")),
    ])
    with pytest.raises(GofleetError) as e:
        systemd_manager.SystemdManager(module, "hello").run("start")
    assert "systemctl start hello.service failed" in e.value.message and "bad flag -x" in e.value.message


def test_wait_running_catches_a_crashing_service(fake_module):
    module = fake_module(answer=[(["systemctl", "show"], [
        show(ActiveState="active", MainPID="42"),
        show(ActiveState="activating", SubState="auto-restart", MainPID="0", Result="signal")]),
        (["journalctl"], (0, "SIGSYS", ""))])
    with pytest.raises(GofleetError, match="did not stay running.*Result=signal"):
        systemd_manager.SystemdManager(module, "hello").wait_running(2, sleep=lambda s: None)


def test_wait_running_accepts_a_steady_service(fake_module):
    module = fake_module(answer=[(["/usr/bin/systemctl", "show"], show(ActiveState="active", MainPID="42"))])
    st = systemd_manager.SystemdManager(module, "hello").wait_running(2, sleep=lambda s: None)
    assert st["MainPID"] == "42"


@pytest.mark.parametrize("rc,out,err,problem", [
    (0, "", "", None),
    # verify exits 0 on an unknown key: stderr decides
    (0, "", "/tmp/.gofleet-verify-x/hello.service:9: Unknown key name 'Bogus' in section 'Service', ignoring.\n",
     "hello.service:9: Unknown key name 'Bogus'"),
    (1, "", "hello.service: Command /usr/local/bin/hello is not executable: No such file or directory\n",
     "is not executable"),
    # noise about other units on the host is not ours
    (0, "", "systemd-journald.service: some unrelated complaint\n", None),
])
def test_verify_reads_stderr(fake_module, rc, out, err, problem):
    def verify(cmd, **kw):
        path = cmd[-1]
        return rc, out, err.replace("/tmp/.gofleet-verify-x/hello.service", path)
    mgr = systemd_manager.SystemdManager(fake_module(answer=[(["systemd-analyze", "verify"], verify)]), "hello")
    if problem is None:
        assert mgr.verify("[Service]\nExecStart=/bin/true\n") is None
    else:
        with pytest.raises(GofleetError, match="verify rejected") as e:
            mgr.verify("[Service]\nExecStart=/bin/true\n")
        assert problem in e.value.message


def test_verify_runs_on_a_staged_copy_named_like_the_unit(fake_module):
    seen = {}

    def verify(cmd, **kw):
        seen["cmd"] = cmd
        with open(cmd[-1]) as f:
            seen["text"] = f.read()
        return 0, "", ""
    systemd_manager.SystemdManager(fake_module(answer=verify), "hello").verify("[Service]\nExecStart=/bin/true\n")
    assert seen["cmd"][:2] == ["/usr/bin/systemd-analyze", "verify"]
    assert seen["cmd"][-1].endswith("/hello.service") and not seen["cmd"][-1].startswith("/etc/")
    assert "ExecStart=/bin/true" in seen["text"]


def test_runit_commands_use_the_service_directory(tmp_path, fake_module):
    module = fake_module(answer=[(["/usr/bin/sv", "status"], (0, "run: /etc/sv/hello: (pid 5) 3s", ""))])
    (tmp_path / "sv" / "hello" / "supervise").mkdir(parents=True)
    mgr = runit_manager.RunitManager(module, "hello", str(tmp_path / "sv"), str(tmp_path / "service"))
    assert mgr.status()["pid"] == 5
    mgr.run("restart")
    assert module.calls[-1] == ["/usr/bin/sv", "restart", str(tmp_path / "sv" / "hello")]
    mgr.run("exit")
    assert module.calls[-1] == ["/usr/bin/sv", "exit", str(tmp_path / "sv" / "hello" / "log")]


def _runit_manager(tmp_path, fake_module, answers):
    module = fake_module(answer=[(["sv", "status"], lambda cmd, **kw: (0, next(answers), ""))], strict=True)
    (tmp_path / "sv" / "hello" / "supervise").mkdir(parents=True)
    return runit_manager.RunitManager(module, "hello", str(tmp_path / "sv"), str(tmp_path / "service"))


def test_runit_crash_loop_is_reported(tmp_path, fake_module):
    # runsv restarts a crasher about once a second: no pid is ever seen twice.
    crashing = ("run: /etc/sv/hello: (pid %d) 0s" % pid for pid in itertools.count(5))
    mgr = _runit_manager(tmp_path, fake_module, crashing)
    with pytest.raises(GofleetError, match="did not stay running under runit"):
        mgr.wait_running(2, sleep=lambda s: None)


@pytest.mark.parametrize("first_answers", [
    # sv restart returns at once: the old pid, told to stop, is still listed for a moment.
    ["run: /etc/sv/hello: (pid 5) 40s, got TERM"],
    # runsv started the service on its own before our `sv up`/restart landed and replaced it.
    ["run: /etc/sv/hello: (pid 5) 0s", "run: /etc/sv/hello: (pid 5) 0s"],
    # Not picked up yet.
    ["down: /etc/sv/hello: 1s, normally up"],
], ids=["old-process-leaving", "early-start-replaced", "not-yet-started"])
def test_runit_start_settles_on_the_process_that_stays(tmp_path, fake_module, first_answers):
    steady = itertools.repeat("run: /etc/sv/hello: (pid 9) 1s")
    mgr = _runit_manager(tmp_path, fake_module, itertools.chain(first_answers, steady))
    assert mgr.wait_running(2, sleep=lambda s: None)["pid"] == 9


@pytest.mark.parametrize("requested,systemd_dir,tools,expected", [
    ("systemd", False, False, "systemd"),
    ("runit", True, False, "runit"),
])
def test_detect_explicit(fake_module, requested, systemd_dir, tools, expected):
    assert plan.detect_init_system(fake_module(), requested) == expected


def test_detect_auto(monkeypatch, fake_module):
    monkeypatch.setattr(plan.os.path, "isdir", lambda p: False)
    assert plan.detect_init_system(fake_module(), "auto") == "runit"

    no_tools = fake_module(bins={"sv": None, "runsvdir": None})
    with pytest.raises(GofleetError, match="neither systemd"):
        plan.detect_init_system(no_tools, "auto")
    monkeypatch.setattr(plan.os.path, "isdir", lambda p: p == "/run/systemd/system")
    assert plan.detect_init_system(no_tools, "auto") == "systemd"
