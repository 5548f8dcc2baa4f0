# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_service end to end with only run_command faked: check mode, diff, idempotence, secrets."""

import json
import stat

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.gofleet.golang.plugins.module_utils.service import spec as service_spec
from ansible_collections.gofleet.golang.plugins.module_utils.service import systemd_plan
from ansible_collections.gofleet.golang.plugins.modules import go_service


class Exit(Exception):
    def __init__(self, kind, result):
        super().__init__(kind)
        self.kind, self.result = kind, result


@pytest.fixture
def node(tmp_path, monkeypatch, static_elf, fake_systemctl):
    unit_dir = tmp_path / "etc-systemd-system"
    unit_dir.mkdir()
    monkeypatch.setattr(systemd_plan, "UNIT_DIR", str(unit_dir))
    monkeypatch.setattr(service_spec, "DEFAULT_ENV_DIR", str(tmp_path / "env"))
    monkeypatch.setattr(go_service, "detect_init_system", lambda module, requested: "systemd")
    fake = fake_systemctl

    # functions, not the fake itself: set on the class, they bind the module as self
    def run_command(self, cmd, **kw):
        return fake(cmd, **kw)

    def exit_json(self, **result):
        raise Exit("exit", result)

    def fail_json(self, **result):
        raise Exit("fail", result)

    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, name, required=False, opt_dirs=None: "/usr/bin/" + name)
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    return dict(tmp=tmp_path, unit=unit_dir / "hello.service", fake=fake, binary=static_elf)


def run(args):
    with patch_module_args(args):
        with pytest.raises(Exit) as e:
            go_service.main()
    return e.value.kind, e.value.result


def test_check_first_run_then_idempotent(node):
    args = dict(name="hello", binary=node["binary"], args=["-addr", ":8080"], user="root", settle=0,
                environment={"TOKEN": "s3cret"}, limits={"CPUQuota": "150%"})
    kind, res = run(dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert kind == "exit" and res["changed"] and res["actions"] == ["daemon-reload", "enable", "start"]
    assert not node["unit"].exists() and node["fake"].actions() == []
    assert "s3cret" not in json.dumps(res)

    kind, res = run(args)
    assert kind == "exit" and res["changed"], res
    assert node["fake"].actions() == ["daemon-reload", "enable", "start"]
    env_file = node["tmp"] / "env" / "hello.env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600 and 's3cret' in env_file.read_text()
    assert "s3cret" not in node["unit"].read_text() and "Environment=GOMAXPROCS=2" in node["unit"].read_text()

    node["fake"].calls.clear()
    kind, res = run(args)
    assert kind == "exit" and not res["changed"] and node["fake"].actions() == []

    # a secret changes: restart, no daemon-reload; the diff names the key, never the value
    kind, res = run(dict(args, environment={"TOKEN": "n3w"}, _ansible_diff=True))
    assert res["changed"] and node["fake"].actions() == ["restart"]
    assert "n3w" not in json.dumps(res) and "s3cret" not in json.dumps(res)
    assert any("TOKEN=******** (value changed)" in d["after"] for d in res["diff"])

    # the unit changes: daemon-reload then restart
    node["fake"].calls.clear()
    kind, res = run(dict(args, environment={"TOKEN": "n3w"}, hardening="baseline"))
    assert node["fake"].actions() == ["daemon-reload", "restart"]

    node["fake"].calls.clear()
    kind, res = run(dict(name="hello", state="absent"))
    assert res["changed"] and node["fake"].actions() == ["stop", "disable", "daemon-reload"]
    assert not node["unit"].exists() and not env_file.exists()
    kind, res = run(dict(name="hello", state="absent"))
    assert not res["changed"]


@pytest.mark.parametrize("args,reason", [
    (dict(binary="relative/hello"), "absolute"),
    (dict(binary="/nonexistent/hello"), "does not exist"),
    (dict(exec_start="/bin/x", args=["a"]), "args go with binary"),
    (dict(binary="BIN", user="nobody-such-user-xyz"), "does not exist on this node"),
    (dict(binary="BIN", limits={"Bogus": 1}), "limits key 'Bogus'"),
    (dict(binary="BIN", environment={"1X": "y"}), "not a valid variable name"),
    (dict(binary="BIN", user="root", dynamic_user=True), "exclude each other"),
])
def test_input_failures_are_one_line(node, args, reason):
    args = dict((k, node["binary"] if v == "BIN" else v) for k, v in args.items())
    kind, res = run(dict(name="hello", **args))
    assert kind == "fail" and reason in res["msg"] and "\n" not in res["msg"]
    assert not node["unit"].exists()


@pytest.mark.parametrize("check_mode,env_file", [
    (True, "DIR"),           # a directory where the environment file goes: even reading it fails
    (False, "DIR"),
    (False, "FILE/x.env"),   # its parent is a file: writing it fails
])
def test_filesystem_errors_fail_in_one_line_naming_the_path(node, check_mode, env_file):
    (node["tmp"] / "DIR").mkdir()
    (node["tmp"] / "FILE").write_text("")
    path = str(node["tmp"] / env_file)
    kind, res = run(dict(name="hello", binary=node["binary"], user="root", settle=0, environment={"A": "1"},
                         environment_file=path, _ansible_check_mode=check_mode))
    assert kind == "fail" and path in res["msg"] and "\n" not in res["msg"]


def test_check_diff_shows_a_stopped_service_and_an_edited_unit_as_drift(node):
    args = dict(name="hello", binary=node["binary"], user="root", settle=0)
    run(args)
    node["fake"].active = False
    node["unit"].write_text(node["unit"].read_text().replace("NoNewPrivileges=yes", "NoNewPrivileges=no"))
    kind, res = run(dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert kind == "exit" and res["changed"]
    assert sorted((i["aspect"], i["expected"], i["found"]) for i in res["drift_items"]) == [
        ("state", "active", "inactive"), ("unit", "NoNewPrivileges=yes", "NoNewPrivileges=no")]
    assert "state: hello.service (active -> inactive)" in res["drift"]
    drift_diff = [d for d in res["diff"] if d["before_header"].startswith("drift of")][0]
    assert "state hello.service: inactive\n" in drift_diff["before"]
    assert "unit %s: NoNewPrivileges=yes\n" % node["unit"] in drift_diff["after"]
