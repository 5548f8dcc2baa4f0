# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SystemdPlan on real files in tmp_path, systemctl faked behind run_command: what is planned
(files, actions, diff) and that apply() does exactly that, so check mode predicts a real run."""

import json
import os
import stat

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import gounit_render, gounit_systemd


@pytest.fixture
def node(tmp_path, monkeypatch, static_elf, fake_systemctl, gounit_planner):
    monkeypatch.setattr(gounit_systemd, "UNIT_DIR", str(tmp_path / "system"))
    monkeypatch.setattr(gounit_render, "DEFAULT_ENV_DIR", str(tmp_path / "env"))
    plan, deploy = gounit_planner(gounit_systemd.SystemdPlan, fake_systemctl, binary=static_elf, user="root",
                                  settle=0, environment={"TOKEN": "s3cret"})
    return dict(plan=plan, deploy=deploy, systemctl=fake_systemctl, unit=tmp_path / "system" / "hello.service",
                env=tmp_path / "env" / "hello.env",
                ran=lambda p: fake_systemctl.actions(p.module.calls))   # the systemctl actions p.apply() ran


def written(p):
    return [os.path.basename(w[0]) for w in p.writes]


def test_first_run_plans_env_then_unit_and_apply_does_exactly_that(node):
    checked = node["plan"](check_mode=True)
    assert checked.actions == ["daemon-reload", "enable", "start"]
    assert written(checked) == ["hello.env", "hello.service"] and checked.changed
    assert not node["unit"].exists() and not node["env"].exists() and node["ran"](checked) == []
    assert checked.result()["status"]["ActiveState"] == "inactive"

    p = node["deploy"]()
    assert (p.actions, written(p)) == (checked.actions, written(checked))
    assert node["ran"](p) == p.actions
    assert stat.S_IMODE(node["env"].stat().st_mode) == 0o600 and "s3cret" in node["env"].read_text()
    assert stat.S_IMODE(node["unit"].stat().st_mode) == 0o644 and "s3cret" not in node["unit"].read_text()
    assert p.result()["status"]["ActiveState"] == "active"
    assert "s3cret" not in json.dumps(p.result())

    again = node["plan"]()
    assert (again.actions, again.writes, again.changed) == ([], [], False)


@pytest.mark.parametrize("change,running,actions,files", [
    # unit unchanged: no daemon-reload, nothing to do
    ({}, True, [], []),
    # unit changed while running: daemon-reload, then restart
    ({"hardening": "baseline"}, True, ["daemon-reload", "restart"], ["hello.service"]),
    # only a secret changed: restart, no daemon-reload
    ({"environment": {"TOKEN": "n3w"}}, True, ["restart"], ["hello.env"]),
    ({"environment": {"TOKEN": "n3w"}, "hardening": "baseline"}, True,
     ["daemon-reload", "restart"], ["hello.env", "hello.service"]),
    # stopped: a change is loaded but does not start it
    ({"hardening": "baseline", "state": "stopped"}, False, ["daemon-reload"], ["hello.service"]),
    ({"state": "stopped"}, True, ["stop"], []),
    ({"state": "restarted"}, True, ["restart"], []),
    ({"enabled": False}, True, ["disable"], []),
    # environment omitted: the file is referenced, not managed
    ({"environment": None, "environment_file": "ENV"}, True, [], []),
])
def test_plan_after_a_deploy(node, change, running, actions, files):
    node["deploy"]()
    node["systemctl"].active = running
    change = dict((k, str(node["env"]) if v == "ENV" else v) for k, v in change.items())
    p = node["plan"](**change)
    assert (p.actions, written(p), p.changed) == (actions, files, bool(actions or files))
    p.apply()
    assert node["ran"](p) == actions
    assert node["plan"](**change).changed is (change.get("state") == "restarted")   # a second run


def test_env_file_left_readable_is_rewritten_0600(node):
    node["deploy"]()
    os.chmod(str(node["env"]), 0o644)
    p = node["plan"]()
    assert (written(p), p.actions) == (["hello.env"], ["restart"])
    p.apply()
    assert stat.S_IMODE(node["env"].stat().st_mode) == 0o600


def test_env_diff_names_changed_keys_never_values(node):
    node["deploy"](environment={"TOKEN": "s3cret", "LEVEL": "info"})
    p = node["plan"](environment={"TOKEN": "n3w", "LEVEL": "info", "EXTRA": "x"})
    unit_diff, env_diff = p.diff
    assert unit_diff["before"] == unit_diff["after"]
    assert env_diff["before"] == "LEVEL=********\nTOKEN=********\n"
    assert env_diff["after"] == "EXTRA=******** (value changed)\nLEVEL=********\nTOKEN=******** (value changed)\n"
    assert "n3w" not in json.dumps(p.result()) and "s3cret" not in json.dumps(p.result())


def test_unit_diff_alone_when_env_unchanged(node):
    node["deploy"]()
    p = node["plan"](hardening="none")
    assert p.diff["before_header"] == str(node["unit"]) and p.diff["before"] != p.diff["after"]


@pytest.mark.parametrize("deployed,running,env_file,actions", [
    (True, True, None, ["stop", "disable", "remove-files", "daemon-reload"]),
    (True, False, None, ["disable", "remove-files", "daemon-reload"]),
    (True, True, "custom.env", ["stop", "disable", "remove-files", "daemon-reload"]),
    (False, False, None, []),
])
def test_absent(node, tmp_path, deployed, running, env_file, actions):
    env_path = str(tmp_path / env_file) if env_file else None
    if deployed:
        node["deploy"](environment_file=env_path)
    node["systemctl"].active = running
    p = node["plan"](state="absent", binary=None, environment=None, environment_file=env_path)
    assert p.actions == actions and p.changed is bool(actions)
    assert p.diff["after"] == "" and (p.diff["before"] != "") is deployed
    p.apply()
    assert node["ran"](p) == [a for a in actions if a != "remove-files"]   # that one is ours, not systemctl's
    assert not node["unit"].exists() and not os.path.exists(env_path or str(node["env"]))
    assert node["plan"](state="absent", binary=None, environment=None).actions == []


def test_check_mode_without_the_binary_warns_and_skips_verify(node, tmp_path):
    p = node["plan"](check_mode=True, binary=str(tmp_path / "not-built-yet"))
    assert p.facts["binary"] is None
    assert any("not there yet" in w for w in p.warnings)
    assert not any(os.path.basename(c[0]) == "systemd-analyze" for c in p.module.calls)
    assert p.actions == ["daemon-reload", "enable", "start"]


def test_env_diff_never_shows_part_of_a_multi_line_value(node):
    # a value's second line that looks like KEY=... must not be read back as a key of its own
    node["deploy"](environment={"TOKEN": "first\nleaked_fragment=x"})
    p = node["plan"](environment={"TOKEN": "first\nleaked_fragment=x", "LEVEL": "info"})
    env_diff = p.diff[1]
    assert "leaked_fragment" not in json.dumps(env_diff)
    assert env_diff["before"] == "TOKEN=********\n"
    assert env_diff["after"] == "LEVEL=******** (value changed)\nTOKEN=********\n"
