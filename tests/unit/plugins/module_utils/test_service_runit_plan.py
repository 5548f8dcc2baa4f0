# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RunitPlan on a real service directory in tmp_path, `sv` faked behind run_command: stale env
files, the down file, log restarts, removal, and that apply() does what plan() said."""

import os
import stat

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.service import runit_plan, runit_render


class Sv(object):
    """`sv` for one service that runsv already supervises."""

    def __init__(self, down_file):
        self.state, self.pid = "down", 0
        self.down_file, self.down_file_seen = down_file, []   # was it there at each `sv status`?

    def __call__(self, cmd, **kw):
        verb, target = cmd[1], cmd[-1]
        if verb == "status":
            self.down_file_seen.append(os.path.exists(self.down_file))
            if self.state == "run":
                return 0, "run: %s: (pid %d) 5s" % (target, self.pid), ""
            return 0, "down: %s: 5s, normally up" % target, ""
        if verb in ("up", "restart") and not target.endswith("/log"):
            self.state, self.pid = "run", self.pid + 100
        elif verb in ("down", "exit") and not target.endswith("/log"):
            self.state, self.pid = "down", 0
        return 0, "", ""


@pytest.fixture
def node(tmp_path, monkeypatch, static_elf, service_planner):
    sv_dir, service_dir = tmp_path / "sv", tmp_path / "service"
    service_dir.mkdir()
    monkeypatch.setattr(runit_render, "SV_DIR", str(sv_dir))
    (sv_dir / "hello" / "supervise").mkdir(parents=True)   # runsv is there as soon as the link is
    sv = Sv(str(sv_dir / "hello" / "down"))
    plan, deploy = service_planner(runit_plan.RunitPlan, sv, binary=static_elf, user="root", settle=0,
                                   hardening="none", runit_service_dir=str(service_dir),
                                   environment={"A": "1", "B": "2"})
    return dict(plan=plan, deploy=deploy, sv=sv, dir=sv_dir / "hello", link=service_dir / "hello")


def rel(p, paths):
    return [os.path.relpath(path, p.sv_path) for path in paths]


def sv_verbs(p):
    return [c[1] for c in p.module.calls if c[1] != "status"]


def test_first_run_links_and_starts_and_a_second_run_is_a_no_op(node):
    checked = node["plan"](check_mode=True)
    assert checked.actions == ["link", "wait-supervise", "up"]
    assert rel(checked, [w[0] for w in checked.writes]) == ["run", "log/run", "env/A", "env/B"]
    assert not node["link"].exists() and not (node["dir"] / "run").exists()

    p = node["deploy"]()
    assert (p.actions, p.writes) == (checked.actions, checked.writes)
    assert os.readlink(str(node["link"])) == str(node["dir"]) and sv_verbs(p) == ["up"]
    assert stat.S_IMODE((node["dir"] / "env").stat().st_mode) == 0o700
    assert stat.S_IMODE((node["dir"] / "env" / "A").stat().st_mode) == 0o600
    assert stat.S_IMODE((node["dir"] / "run").stat().st_mode) == 0o755
    assert p.result()["status"]["state"] == "run"

    again = node["plan"]()
    assert (again.actions, again.writes, again.removes, again.changed) == ([], [], [], False)


@pytest.mark.parametrize("change,writes,removes,actions", [
    # a variable dropped from environment: its file is stale, and the service restarts without it
    ({"environment": {"A": "1"}}, [], ["env/B"], ["restart"]),
    ({"environment": None}, ["run"], ["env/A", "env/B"], ["restart"]),   # and chpst loses its -e
    ({"environment": {"A": "1", "B": "3"}}, ["env/B"], [], ["restart"]),
    ({"args": ["-v"]}, ["run"], [], ["restart"]),
    ({"enabled": False}, ["down"], [], []),
    ({"state": "stopped"}, [], [], ["down"]),
    ({"state": "restarted"}, [], [], ["restart"]),
    # CPUQuota is not enforced, but GOMAXPROCS follows it through the env dir
    ({"limits": {"CPUQuota": "200%"}}, ["env/GOMAXPROCS"], [], ["restart"]),
])
def test_plan_after_a_deploy(node, change, writes, removes, actions):
    node["deploy"]()
    p = node["plan"](**change)
    assert (rel(p, [w[0] for w in p.writes]), rel(p, p.removes), p.actions) == (writes, removes, actions)
    p.apply()
    assert sv_verbs(p) == actions
    for path in removes:
        assert not (node["dir"] / path).exists()
    assert node["plan"](**change).changed is (change.get("state") == "restarted")   # a second run


def test_a_file_planted_in_the_env_dir_is_removed(node):
    node["deploy"]()
    (node["dir"] / "env" / "PLANTED").write_text("x\n")
    p = node["plan"]()
    assert (rel(p, p.removes), p.actions) == (["env/PLANTED"], ["restart"])


def test_enabling_again_removes_the_down_file_without_restart(node):
    node["deploy"](enabled=False)
    assert (node["dir"] / "down").exists()
    p = node["plan"]()
    assert (rel(p, p.removes), p.actions, p.changed) == (["down"], [], True)
    p.apply()
    assert not (node["dir"] / "down").exists()


def test_a_changed_log_script_restarts_the_logger_only(node, monkeypatch):
    node["deploy"]()
    monkeypatch.setattr(runit_render, "render_log_run", lambda name, log_dir=None: "#!/bin/sh\nexec svlogd -t x\n")
    p = node["plan"]()
    assert (rel(p, [w[0] for w in p.writes]), p.actions) == (["log/run"], ["restart-log"])
    p.apply()
    assert p.module.calls[-2][1:] == ["restart", str(node["dir"]) + "/log"]


def test_a_new_service_asked_to_stay_stopped_is_linked_with_a_down_file(node):
    p = node["plan"](state="stopped")
    assert p.actions == ["link", "wait-supervise", "down"]
    node["sv"].down_file_seen = []
    p.apply()
    assert node["sv"].down_file_seen[0] is True   # runsv found it when it took the service
    assert node["link"].is_symlink() and not (node["dir"] / "down").exists()
    assert "up" not in sv_verbs(p) and node["sv"].state == "down"


@pytest.mark.parametrize("deployed,running,actions", [
    (True, True, ["down", "unlink", "exit", "remove-files"]),
    (True, False, ["unlink", "exit", "remove-files"]),
    (False, False, ["exit", "remove-files"]),   # only the bare directory of the fixture
])
def test_absent(node, deployed, running, actions):
    if deployed:
        node["deploy"]()
    node["sv"].state = "run" if running else "down"
    p = node["plan"](state="absent", binary=None, environment=None)
    assert p.actions == actions and p.changed
    assert p.diff["after"] == "" and (p.diff["before"] != "") is deployed
    p.apply()
    assert not node["link"].is_symlink() and not node["dir"].exists()
    assert node["plan"](state="absent", binary=None, environment=None).actions == []


@pytest.mark.parametrize("requested,present,expected", [
    ("/run/runit/service", ["var/service", "etc/service"], "/run/runit/service"),
    (None, ["var/service", "etc/service"], "VAR"),
    (None, ["etc/service"], "ETC"),
    (None, [], "VAR"),
])
def test_service_dir(tmp_path, monkeypatch, requested, present, expected):
    monkeypatch.setattr(runit_plan, "VOID_SERVICE_DIR", str(tmp_path / "var/service"))
    monkeypatch.setattr(runit_plan, "OTHER_SERVICE_DIR", str(tmp_path / "etc/service"))
    for d in present:
        (tmp_path / d).mkdir(parents=True)
    expected = {"VAR": runit_plan.VOID_SERVICE_DIR, "ETC": runit_plan.OTHER_SERVICE_DIR}.get(expected, expected)
    assert runit_plan.service_dir(requested) == expected


def test_unsupported_options_are_reported_and_warned(node):
    p = node["plan"](hardening="strict", limits={"MemoryMax": "512M"})
    assert any(o.startswith("limits.MemoryMax") for o in p.facts["unsupported_options"])
    assert p.warnings[0].startswith("runit cannot honour: hardening=strict")
    assert p.facts["derived_environment"] == {"GOMEMLIMIT": "460MiB"}


def test_stopped_service_and_edited_run_script_are_drift_items(node):
    node["deploy"]()
    node["sv"].state = "down"
    run = node["dir"] / "run"
    run.write_text(run.read_text().replace("chpst -u root", "chpst -u nobody"))
    p = node["plan"](check_mode=True)
    items = dict(((i["item"], i["aspect"]), (i["expected"], i["found"])) for i in p.result()["drift_items"])
    assert set(items) == {(str(run), "unit"), ("hello", "state")}
    assert items[("hello", "state")] == ("run", "down")
    assert "chpst -u root" in items[(str(run), "unit")][0] and "chpst -u nobody" in items[(str(run), "unit")][1]
    assert any("state hello: down\n" in d["before"] for d in (p.diff if isinstance(p.diff, list) else [p.diff]))
    assert node["plan"](check_mode=True, state="stopped").result()["drift_items"][-1]["aspect"] == "unit"


def test_first_run_is_no_drift(node):
    assert node["plan"](check_mode=True).result()["drift_items"] == []


def test_staged_binary_restarts_the_runit_service(node, static_elf):
    node["deploy"]()
    stage = os.path.join(os.path.dirname(static_elf), ".hello.gofleet-new")
    with open(static_elf, "rb") as f:
        data = f.read() + b"v2"
    with open(stage, "wb") as f:
        f.write(data)
    os.chmod(stage, 0o755)
    p = node["plan"](install_from=stage)
    assert (p.actions, p.result()["binary_changed"]) == (["restart"], True)
    # the replaced binary is drift in the one shape, as under systemd
    assert [(i["item"], i["aspect"]) for i in p.result()["drift_items"]] == [(static_elf, "content")]
    p.apply()
    assert not os.path.exists(stage) and open(static_elf, "rb").read() == data
