# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every role refuses bad input before it touches the host (linux-system-roles' tests_invalid_input).

Each case is one inventory host (connection local) that differs from a valid set of the role's
variables by one bad value, given as users give it (host vars). One ansible-playbook run plays
every role on its hosts. A wrong type, a bad choice or a missing required variable must fail in
the role's argument validation (meta/argument_specs.yml), the first task the host runs; a relative
path, which argument_specs cannot express, must fail in the role's own checks before any task
reports a change. The failure names the variable. Every path the roles would use is under a
temporary root, which must stay as it was; --check is a safety net only, so that a regression
cannot change this machine: the proof is which task failed and that none before it changed.
"""

import json

import pytest

import ansible_run

pytestmark = pytest.mark.integration

SUM = "sha256:" + "0" * 64


def valid(role, root):
    """A valid set of the role's variables, every node path under `root`."""
    return {
        "toolchain": {"toolchain_version": "1.22.12", "toolchain_remote_src": root + "/go1.22.12.linux-amd64.tar.gz",
                      "toolchain_checksum": SUM, "toolchain_install_root": root + "/lib/go",
                      "toolchain_link": root + "/go", "toolchain_bin_dir": root + "/bin",
                      "toolchain_artifact_dir": root + "/artifacts", "toolchain_selinux": "never",
                      "toolchain_profile": False},
        "gocache": {"gocache_build_dir": root + "/cache/go-build", "gocache_mod_dir": root + "/cache/gomod",
                    "gocache_selinux": "never"},
        "offline_mirror": {"offline_mirror_role": "client", "offline_mirror_path": root + "/srv/gomirror",
                           "offline_mirror_staging_dir": root + "/staging", "offline_mirror_config_dir": root + "/etc",
                           "offline_mirror_state_dir": root + "/state"},
        "go_service": {"go_service_name": "hello", "go_service_binary_src": root + "/hello",
                       "go_service_binary_path": root + "/bin/hello"},
    }[role]


DROP = object()   # the variable is left out

# What a case needs beside its bad value to reach the check (host name: variables).
WITH = {
    "toolchain-bundle-url-entry": {"toolchain_bundle_fetch": "mirror", "toolchain_remote_src": "", "toolchain_checksum": "",
                                   "toolchain_bundle": {"path": "/nonexistent/bundle", "version": "1.22.12", "toolchains": {
                                       "1.22.12": {"amd64": {"name": "go1.22.12.linux-amd64.tar.gz", "sha256": "0" * 64}}}}},
}
# What the message must show of the bad value (default: the variable's name only).
SHOWN = {
    "offline-mirror-url-scheme": "'ftp://m2:8080'",
    "offline-mirror-url-credentials": "'http://bob:***@m1:8080'",
    "offline-mirror-url-separator": "'http://m1:8080|http://m2:8080'",
    "offline-mirror-url-comma": "'http://m1:8080,http://m2:8080'",
    "toolchain-bundle-url-entry": "'http://m2:8080|x'",
}

# (role, id, variable, bad value, who refuses it: "spec" (argument_specs) or "role" (the role's first checks))
CASES = [
    ("toolchain", "wrong-type", "toolchain_keep", "many", "spec"),
    ("toolchain", "wrong-type-dict", "toolchain_env", ["GOPROXY=off"], "spec"),
    ("toolchain", "bad-choice", "toolchain_verify", "sometimes", "spec"),
    ("toolchain", "missing-required", "toolchain_version", DROP, "spec"),
    ("toolchain", "relative-path", "toolchain_install_root", "lib/go", "role"),
    ("toolchain", "bundle-url-entry", "toolchain_bundle_url", ["http://m1:8080/toolchains", "http://m2:8080|x"], "role"),
    ("gocache", "wrong-type", "gocache_group_gid", "staff", "spec"),
    ("gocache", "wrong-type-list", "gocache_selinux_extra_paths", {"/srv": "x"}, "spec"),
    ("gocache", "bad-choice", "gocache_selinux", "sometimes", "spec"),
    ("gocache", "relative-path", "gocache_build_dir", "cache/go-build", "role"),
    ("offline_mirror", "wrong-type", "offline_mirror_disable_default_site", "perhaps", "spec"),
    ("offline_mirror", "bad-choice", "offline_mirror_role", "proxy", "spec"),
    ("offline_mirror", "bad-choice-policy", "offline_mirror_checksum_policy", "none", "spec"),
    ("offline_mirror", "relative-path", "offline_mirror_path", "srv/gomirror", "role"),
    ("offline_mirror", "bad-gotoolchain", "offline_mirror_client_gotoolchain", "latest", "role"),
    # go checks a downloaded toolchain against the checksum database only: policy gosum cannot serve it
    ("offline_mirror", "gotoolchain-without-sumdb", "offline_mirror_client_gotoolchain", "auto", "role"),
    # One mirror URL or a list (issue 12.6): the role names the bad entry, a password in it masked.
    ("offline_mirror", "url-scheme", "offline_mirror_url", ["http://m1:8080", "ftp://m2:8080"], "role"),
    ("offline_mirror", "url-credentials", "offline_mirror_url", ["http://bob:s3cret@m1:8080"], "role"),
    ("offline_mirror", "url-separator", "offline_mirror_url", "http://m1:8080|http://m2:8080", "role"),
    ("offline_mirror", "url-comma", "offline_mirror_url", ["http://m1:8080,http://m2:8080"], "role"),
    ("offline_mirror", "url-not-a-list", "offline_mirror_url", {"m1": "http://m1:8080"}, "role"),
    ("go_service", "wrong-type", "go_service_settle", "soon", "spec"),
    ("go_service", "wrong-type-list", "go_service_args", {"-addr": ":8080"}, "spec"),
    ("go_service", "bad-choice", "go_service_state", "running", "spec"),
    ("go_service", "missing-required", "go_service_name", DROP, "spec"),
]


def host_name(case):
    return "%s-%s" % (case[0].replace("_", "-"), case[1])


def snapshot(root):
    return sorted((str(p.relative_to(root)), p.is_dir(), p.stat().st_mode) for p in root.rglob("*"))


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """({role: its PlayRun}, the temporary root, its snapshot before)."""
    work = tmp_path_factory.mktemp("invalid-input")
    root = work / "root"
    (root / "cache").mkdir(parents=True)   # something to see changed; everything else must not appear
    (root / "hello").write_bytes(b"\x7fELF")
    before = snapshot(root)
    groups = {}
    for case in CASES:
        role, _id, name, value, _who = case
        variables = dict(valid(role, str(root)), ansible_connection="local", ansible_python_interpreter="/usr/bin/python3")
        variables.update(WITH.get(host_name(case), {}))
        if value is DROP:
            del variables[name]
        else:
            variables[name] = value
        groups.setdefault(role, {"hosts": {}})["hosts"][host_name(case)] = variables
    inventory = work / "inventory.json"
    inventory.write_text(json.dumps({"all": {"children": groups}}))
    # one run per role: when every host of a play fails, ansible-playbook plays no further play
    runs = {}
    for role in groups:
        play = {"name": role, "hosts": role, "gather_facts": False, "roles": ["gofleet.golang.%s" % role]}
        runs[role] = ansible_run.run([play], inventory=inventory, check=True, workdir=work, timeout=600, name=role,
                                     env={"ANSIBLE_FORKS": "8"})
    return runs, root, before


@pytest.mark.parametrize("case", CASES, ids=[host_name(c) for c in CASES])
def test_bad_value_is_refused_before_anything_changes(played, case):
    runs, _root, _before = played
    role, _id, name, _value, who = case
    run = runs[role]
    host = host_name(case)
    ran = [(t["task"]["name"], t["hosts"][host]) for p in run.report["plays"] for t in p["tasks"] if host in t["hosts"]]
    failed = [i for i, (_task, result) in enumerate(ran) if result.get("failed")]
    assert failed, "%s: %s=%r was accepted: %s" % (host, name, _value, [t for t, _r in ran])
    task, result = ran[failed[0]]
    assert name in result.get("msg", ""), (task, result.get("msg"))
    assert SHOWN.get(host, name) in result["msg"], result["msg"]
    assert who == "spec" or "\n" not in result["msg"].strip(), result["msg"]  # the spec's message is ansible's
    assert "s3cret" not in json.dumps(result)
    assert "Traceback" not in result.get("msg", "") and "Traceback" not in run.output
    if who == "spec":
        # the role's argument validation, and the first task this host ran
        assert result.get("action") == "ansible.builtin.validate_argument_spec", (task, result)
        assert failed[0] == 0, [t for t, _r in ran]
    else:
        assert not [t for t, r in ran[:failed[0]] if r.get("changed")], ran
    assert run.stats[host]["changed"] == 0 and run.stats[host]["failures"] == 1


def test_the_host_is_left_as_it_was(played):
    runs, root, before = played
    assert [role for role, run in runs.items() if run.proc.returncode == 0] == []
    assert snapshot(root) == before
