# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SystemdPlan on real files in tmp_path, systemctl faked behind run_command: what is planned
(files, actions, diff) and that apply() does exactly that, so check mode predicts a real run."""

import hashlib
import json
import os
import shutil
import stat

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.service import spec as service_spec
from ansible_collections.gofleet.golang.plugins.module_utils.service import systemd_plan
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import ELF_SIGNATURE, tarball_arch
from elf_fixtures import write_elf  # tests/elf_fixtures.py, on pytest.ini's pythonpath


@pytest.fixture
def node(tmp_path, monkeypatch, static_elf, fake_systemctl, service_planner):
    monkeypatch.setattr(systemd_plan, "UNIT_DIR", str(tmp_path / "system"))
    monkeypatch.setattr(service_spec, "DEFAULT_ENV_DIR", str(tmp_path / "env"))
    plan, deploy = service_planner(systemd_plan.SystemdPlan, fake_systemctl, binary=static_elf, user="root",
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
    unit_diff, drift_diff = p.diff   # the text, then the same change as a drift item
    assert unit_diff["before_header"] == str(node["unit"]) and unit_diff["before"] != unit_diff["after"]
    assert drift_diff["before"].startswith("unit %s: " % node["unit"])


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


# ---------------------------------------------------------------- drift: drop-ins, unit, state

@pytest.fixture
def dropin_dir(tmp_path, monkeypatch):
    """The admin drop-in directories (/etc/systemd/system, /run/systemd/system...) moved to tmp_path;
    returns the one standing for /etc/systemd/system/hello.service.d."""
    bases = (tmp_path / "etc-system", tmp_path / "run-system")
    monkeypatch.setattr(systemd_plan, "DROPIN_DIRS", tuple(str(b) for b in bases))
    return bases[0] / "hello.service.d"


def plant(dropin_dir, name="override.conf", text="[Service]\nProtectSystem=false\nEnvironment=TOKEN=s3cret\n"):
    dropin_dir.mkdir(parents=True, exist_ok=True)
    path = dropin_dir / name
    path.write_text(text)
    return path


def test_foreign_dropin_is_drift_removed_and_check_mode_predicts_it(node, dropin_dir):
    node["deploy"]()
    planted = plant(dropin_dir)
    expected_item = {"item": str(planted), "aspect": "added", "expected": None,
                     "found": "ProtectSystem=false Environment=********"}

    checked = node["plan"](check_mode=True)
    assert checked.result()["drift_items"] == [expected_item]
    assert checked.actions == ["daemon-reload", "restart"] and checked.changed
    assert planted.exists() and node["ran"](checked) == []
    diffs = checked.diff if isinstance(checked.diff, list) else [checked.diff]
    assert any("added %s: ProtectSystem=false" % planted in d["before"] for d in diffs)
    assert "s3cret" not in json.dumps(checked.result())

    p = node["plan"]()
    assert (p.actions, p.removes, p.result()["drift_items"]) == (checked.actions, checked.removes, [expected_item])
    p.apply()
    assert not planted.exists() and not dropin_dir.exists()
    assert node["ran"](p) == ["daemon-reload", "restart"]
    again = node["plan"]()
    assert (again.changed, again.result()["drift_items"]) == (False, [])


def test_allowed_dropin_is_no_drift(node, dropin_dir):
    node["deploy"]()
    planted = plant(dropin_dir, "limits.conf", "[Service]\nLimitNOFILE=4096\n")
    p = node["plan"](allowed_dropins=["limits.conf"])
    assert (p.changed, p.result()["drift_items"]) == (False, [])
    p.apply()
    assert planted.exists()


def test_keep_reports_the_dropin_and_leaves_it(node, dropin_dir):
    node["deploy"]()
    planted = plant(dropin_dir)
    p = node["plan"](foreign_dropins="keep")
    assert [i["item"] for i in p.result()["drift_items"]] == [str(planted)]
    assert not p.changed and any(str(planted) in w for w in p.warnings)
    p.apply()
    assert planted.exists()


def test_fail_refuses_in_one_line_naming_the_dropin(node, dropin_dir):
    node["deploy"]()
    planted = plant(dropin_dir)
    with pytest.raises(GofleetError, match="foreign_dropins") as e:
        node["plan"](foreign_dropins="fail")
    assert str(planted) in e.value.message and "\n" not in e.value.message


def test_shared_or_vendor_dropin_is_reported_never_removed(node, dropin_dir, fake_systemctl, service_planner,
                                                           static_elf):
    vendor = "/usr/lib/systemd/system/service.d/10-timeout-abort.conf"

    def answer(cmd, **kw):
        rc, out, err = fake_systemctl(cmd, **kw)
        if cmd[1:2] == ["show"]:
            out += "DropInPaths=%s\n" % vendor
        return rc, out, err
    plan, deploy = service_planner(systemd_plan.SystemdPlan, answer, binary=static_elf, user="root", settle=0)
    deploy()
    p = plan()
    assert [(i["item"], i["aspect"]) for i in p.result()["drift_items"]] == [(vendor, "added")]
    assert (p.changed, p.removes) == (False, [])
    assert any("not removed" in w and vendor in w for w in p.warnings)


def test_stopped_service_and_edited_unit_are_drift_items(node):
    node["deploy"]()
    node["systemctl"].active = False
    node["unit"].write_text(node["unit"].read_text().replace("ProtectSystem=strict", "ProtectSystem=false"))
    os.chmod(str(node["env"]), 0o644)
    p = node["plan"](check_mode=True)
    items = dict(((i["item"], i["aspect"]), (i["expected"], i["found"])) for i in p.result()["drift_items"])
    assert items == {
        (str(node["unit"]), "unit"): ("ProtectSystem=strict", "ProtectSystem=false"),
        ("hello.service", "state"): ("active", "inactive"),
        (str(node["env"]), "mode"): ("0600", "0644"),
    }
    assert "unit: %s (ProtectSystem=strict -> ProtectSystem=false)" % node["unit"] in p.result()["drift"]
    diffs = p.diff if isinstance(p.diff, list) else [p.diff]
    assert any("state hello.service: inactive\n" in d["before"] and "state hello.service: active\n" in d["after"]
               for d in diffs)


def test_first_deploy_is_no_drift(node):
    p = node["plan"](check_mode=True)
    assert (p.result()["drift_items"], p.result()["drift"]) == ([], [])


# ---------------------------------------------------------------- a staged binary (install_from)

def stage_elf(binary, arch=None, extra=b"v2"):
    """A new binary staged beside `binary`, as the go_service role leaves it."""
    path = os.path.join(os.path.dirname(binary), ".hello.gofleet-new")
    write_elf(path, *ELF_SIGNATURE[arch or tarball_arch()])
    with open(path, "ab") as f:
        f.write(extra)
    return path


def other_arch():
    return "arm64" if tarball_arch() != "arm64" else "amd64"


def test_staged_binary_is_checked_then_renamed_and_restarts(node, static_elf):
    node["deploy"]()
    stage = stage_elf(static_elf)
    new = open(stage, "rb").read()
    checked = node["plan"](check_mode=True, install_from=stage)
    assert checked.actions == ["restart"] and checked.changed and checked.result()["binary_changed"]
    assert os.path.exists(stage) and open(static_elf, "rb").read() != new

    p = node["plan"](install_from=stage)
    assert (p.actions, p.changed) == (checked.actions, True)
    p.apply()
    assert not os.path.exists(stage) and open(static_elf, "rb").read() == new
    assert node["ran"](p) == ["restart"]
    again = node["plan"]()
    assert (again.changed, again.actions) == (False, [])


def test_wrong_arch_staged_binary_leaves_the_old_one_and_the_service(node, static_elf):
    node["deploy"]()
    old = open(static_elf, "rb").read()
    stage = stage_elf(static_elf, other_arch())
    with pytest.raises(GofleetError) as e:
        node["plan"](install_from=stage)
    assert stage in e.value.message and "unchanged" in e.value.message and "\n" not in e.value.message
    assert open(static_elf, "rb").read() == old and not os.path.exists(stage)
    assert node["systemctl"].active and node["systemctl"].actions()[-1] == "start"   # nothing after the deploy


def test_identical_staged_binary_is_no_change(node, static_elf):
    node["deploy"]()
    stage = os.path.join(os.path.dirname(static_elf), ".hello.gofleet-new")
    shutil.copy(static_elf, stage)
    p = node["plan"](install_from=stage)
    assert (p.changed, p.actions, p.result()["binary_changed"]) == (False, [], False)
    p.apply()
    assert not os.path.exists(stage)


def test_first_deploy_from_a_stage_verifies_and_installs(node, static_elf):
    os.unlink(static_elf)
    stage = stage_elf(static_elf)
    p = node["deploy"](install_from=stage)
    assert p.actions == ["daemon-reload", "enable", "start"] and os.path.exists(static_elf)
    assert not os.path.exists(stage)


def test_check_mode_without_the_stage_predicts_a_new_binary(node, static_elf):
    node["deploy"]()
    p = node["plan"](check_mode=True, install_from=os.path.join(os.path.dirname(static_elf), ".hello.gofleet-new"))
    assert (p.actions, p.result()["binary_changed"]) == (["restart"], True)
    assert any("not there" in w for w in p.warnings)


def test_stage_must_sit_beside_the_binary(node, static_elf, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(GofleetError, match="install_from .* beside binary"):
        node["plan"](install_from=stage_elf(str(elsewhere / "x")))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to stage a file owned by another user")
def test_staged_binary_goes_live_root_owned_0755_whatever_it_was_staged_as(node, static_elf):
    """A module user who stages a binary 0777 or owned by nobody must not get a live binary that others can swap."""
    node["deploy"]()
    stage = stage_elf(static_elf)
    os.chown(stage, 65534, 65534)
    os.chmod(stage, 0o4777)
    p = node["plan"](install_from=stage)
    p.apply()
    st = os.lstat(static_elf)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, 0, 0o755)


# ---------------------------------------------------------------- the binary's sha256 is drift

def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_replaced_binary_is_drift_predicted_by_check_mode_and_repaired_from_the_stage(node, static_elf, tmp_path):
    node["deploy"]()
    good = sha(static_elf)
    keep = str(tmp_path / "good")
    shutil.copy(static_elf, keep)
    with open(static_elf, "ab") as f:   # someone replaced the binary
        f.write(b"tampered")
    bad = sha(static_elf)
    stage = os.path.join(os.path.dirname(static_elf), ".hello.gofleet-new")
    want = [{"item": static_elf, "aspect": "content", "expected": "sha256=" + good, "found": "sha256=" + bad}]

    # check mode: the role's copy only predicted, so no stage; binary_sha256 gives the expected value
    checked = node["plan"](check_mode=True, install_from=stage, binary_sha256="sha256:" + good)
    assert checked.result()["drift_items"] == want and checked.result()["binary_changed"]
    assert checked.actions == ["restart"] and sha(static_elf) == bad
    assert checked.result()["drift"] == ["content: %s (sha256=%s -> sha256=%s)" % (static_elf, good, bad)]

    shutil.copy(keep, stage)
    p = node["deploy"](install_from=stage, binary_sha256=good)
    assert p.result()["drift_items"] == want and p.actions == checked.actions
    assert sha(static_elf) == good and not os.path.exists(stage)
    again = node["plan"](binary_sha256=good)
    assert (again.changed, again.result()["drift_items"]) == (False, [])


def test_stage_without_binary_sha256_gives_the_expected_sum(node, static_elf):
    node["deploy"]()
    old = sha(static_elf)
    stage = stage_elf(static_elf)
    new = sha(stage)
    p = node["plan"](install_from=stage)
    assert p.result()["drift_items"] == [{"item": static_elf, "aspect": "content", "expected": "sha256=" + new,
                                          "found": "sha256=" + old}]
    # check mode with neither the stage nor binary_sha256 cannot know the sum, and says so
    os.unlink(stage)
    checked = node["plan"](check_mode=True, install_from=stage)
    assert checked.result()["drift_items"][0]["expected"].startswith("sha256=(")


def test_check_mode_binary_sha256_of_the_installed_binary_predicts_nothing(node, static_elf):
    node["deploy"]()
    stage = os.path.join(os.path.dirname(static_elf), ".hello.gofleet-new")
    p = node["plan"](check_mode=True, install_from=stage, binary_sha256=sha(static_elf))
    assert (p.changed, p.actions, p.result()["drift_items"], p.result()["binary_changed"]) == (False, [], [], False)


def test_stage_with_another_sum_than_binary_sha256_is_refused(node, static_elf):
    node["deploy"]()
    old = open(static_elf, "rb").read()
    stage = stage_elf(static_elf)
    with pytest.raises(GofleetError) as e:
        node["plan"](install_from=stage, binary_sha256="0" * 64)
    msg = e.value.message
    assert stage in msg and "binary_sha256" in msg and "unchanged" in msg and "\n" not in msg
    assert not os.path.exists(stage) and open(static_elf, "rb").read() == old


def test_binary_sha256_mismatch_without_a_stage_fails_naming_both(node, static_elf):
    node["deploy"]()
    with pytest.raises(GofleetError) as e:
        node["plan"](binary_sha256="a" * 64)
    assert static_elf in e.value.message and "a" * 64 in e.value.message and sha(static_elf) in e.value.message


def test_bad_binary_sha256_names_the_option(node):
    with pytest.raises(GofleetError, match="binary_sha256 must look like sha256:"):
        node["plan"](binary_sha256="md5:abc")


def test_first_deploy_of_a_binary_is_no_drift(node, static_elf):
    os.unlink(static_elf)
    stage = stage_elf(static_elf)
    p = node["deploy"](install_from=stage, binary_sha256=sha(stage))
    assert p.result()["drift_items"] == [] and p.result()["binary_changed"]
