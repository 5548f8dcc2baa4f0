"""Role inputs as users write them, on a Debian host with no network (issue 13, items 4, 8, 11, 16).

Relative paths fail in one line naming the role variable before anything is created; the
checksum forms users paste are accepted and a bad one names toolchain_checksum; a list in
toolchain_env_extra reaches go.env the way `go` reads it; toolchain_download_timeout bounds a
mirror that never answers; a host whose os-release says only ID=uos gets the family of the
package tools it really has.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import ansible_run
import engine as harness

pytestmark = pytest.mark.containers
VERSION = "1.22.12"
UOS_SERVER = 'NAME="UOS Server"\nVERSION="20"\nID="uos"\nVERSION_ID="20"\nPRETTY_NAME="UOS Server 20"\n'


@pytest.fixture(scope="module")
def host(engine, debian_image):
    """One offline Debian host shared by the tests here (each leaves it as it found it)."""
    container = harness.Container(engine, debian_image, network="none", systemd=True)
    try:
        container.wait_systemd()
        yield container
    finally:
        container.remove()


def role_play(role, variables):
    return [{"name": role, "hosts": "all", "gather_facts": True, "vars": variables,
             "roles": [{"role": "gofleet.golang.%s" % role}]}]


def failure(run):
    """(task name, message) of the task that failed the play."""
    for play in run.report["plays"]:
        for task in play["tasks"]:
            for result in task["hosts"].values():
                if result.get("failed"):
                    return task["task"]["name"], result.get("msg", "")
    raise AssertionError("the play did not fail:\n" + run.proc.stdout[-3000:])


def toolchain_vars(tarball, **extra):
    variables = {"toolchain_version": VERSION, "toolchain_src": str(tarball["path"]),
                 "toolchain_checksum": "sha256:" + tarball["sha256"], "toolchain_selinux": "never"}
    variables.update(extra)
    return variables


def tarball_of(go_tarballs):
    if VERSION not in go_tarballs:
        pytest.skip("skipped: Go tarballs unavailable: no go%s" % VERSION)
    return go_tarballs[VERSION]


# ---------------------------------------------------------------- item 8: relative paths


@pytest.mark.parametrize("variables, name, value", [
    ({"gocache_build_dir": "cache/go-build"}, "gocache_build_dir", "cache/go-build"),
    ({"gocache_mod_dir": "gomod"}, "gocache_mod_dir", "gomod"),
    ({"gocache_selinux_extra_paths": ["/srv/ok", "srv/mirror"]}, "gocache_selinux_extra_paths", "srv/mirror"),
], ids=["build-dir", "mod-dir", "selinux-extra-path"])
def test_gocache_refuses_a_relative_path_naming_the_variable(tmp_path, host, variables, name, value):
    variables = dict({"gocache_selinux": "never"}, **variables)
    run = ansible_run.run_playbook(tmp_path, host, role_play("gocache", variables))
    task, msg = failure(run)
    assert name in msg and repr(value) in msg and "absolute" in msg and "\n" not in msg, (task, msg)
    # Nothing was made: not the group, not a directory relative to / (or to the remote cwd).
    for where in ("/" + value, "/root/" + value):
        assert host.exec(["test", "-e", where], check=False).returncode != 0, where
    assert host.exec(["getent", "group", "gocache"], check=False).returncode != 0


@pytest.mark.parametrize("name, value", [
    ("toolchain_install_root", "lib/go"),
    ("toolchain_link", "go"),
    ("toolchain_bin_dir", "bin"),
    ("toolchain_artifact_dir", "artifacts"),
    ("toolchain_remote_src", "go.tar.gz"),
])
def test_toolchain_refuses_a_relative_path_naming_the_variable(tmp_path, host, go_tarballs, name, value):
    variables = toolchain_vars(tarball_of(go_tarballs), **{name: value})
    if name == "toolchain_remote_src":
        variables["toolchain_src"] = ""
    run = ansible_run.run_playbook(tmp_path, host, role_play("toolchain", variables))
    task, msg = failure(run)
    assert name in msg and repr(value) in msg and "absolute" in msg and "\n" not in msg, (task, msg)
    assert host.exec(["test", "-e", "/usr/local/lib/go"], check=False).returncode != 0
    assert host.exec(["test", "-e", "/var/cache/gofleet"], check=False).returncode != 0


# ------------------------------------------------------------- item 16: checksums, timeout


@pytest.mark.parametrize("value", ["md5:" + "ab" * 16, "sha256:" + "ab" * 31, "sha256 " + "ab" * 32])
def test_toolchain_bad_checksum_names_the_role_variable(tmp_path, host, go_tarballs, value):
    run = ansible_run.run_playbook(tmp_path, host, role_play(
        "toolchain", toolchain_vars(tarball_of(go_tarballs), toolchain_checksum=value)))
    task, msg = failure(run)
    assert msg.startswith("toolchain_checksum must look like sha256:<64 hex digits>"), (task, msg)
    assert repr(value) in msg and "\n" not in msg
    # Refused before the tarball is shipped.
    assert host.exec(["test", "-e", "/var/cache/gofleet"], check=False).returncode != 0


def test_toolchain_download_timeout_bounds_a_mirror_that_never_answers(tmp_path, host):
    # A listener on the node that accepts and never answers, as a hung mirror does.
    host.exec("nohup python3 -c 'import socket, time; s = socket.socket(); "
              "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"127.0.0.1\", 8089)); "
              "s.listen(8); time.sleep(900)' >/dev/null 2>&1 &")
    time.sleep(1)
    variables = {"toolchain_version": VERSION, "toolchain_url": "http://127.0.0.1:8089/go.tar.gz",
                 "toolchain_checksum": "ab" * 32, "toolchain_download_timeout": 3, "toolchain_selinux": "never"}
    try:
        started = time.monotonic()
        run = ansible_run.run_playbook(tmp_path, host, role_play("toolchain", variables))
        task, msg = failure(run)
        took = time.monotonic() - started
    finally:
        host.exec("pkill -f 'bind((\"127.0.0.1\", 8089))'", check=False)
        host.exec("rm -rf /usr/local/lib/go /var/cache/gofleet", check=False)
    assert task.endswith("Install and activate the Go toolchain"), (task, msg)
    assert "timed out" in msg and "\n" not in msg, msg
    # The module waited ~3 s for the mirror, not the 60 s default; the rest is the play itself.
    assert took < 40, took


# ------------------------------------------- items 4 and 16: what users paste reaches the node


def test_pasted_checksums_and_a_goflags_list_install_go_that_works(tmp_path, host, go_tarballs):
    tarball = tarball_of(go_tarballs)
    env = {"GOFLAGS": ["-mod=mod", "-trimpath"], "GOPRIVATE": ["*.corp", "git.internal/*"]}
    try:
        # The bare sum as SHA256SUMS and go.dev list it.
        run = ansible_run.run_playbook(tmp_path, host, role_play("toolchain", toolchain_vars(
            tarball, toolchain_checksum=tarball["sha256"], toolchain_env_extra=env)))
        assert run.stats["failures"] == 0, run.proc.stdout[-3000:]
        go_env = host.exec(["cat", "/usr/local/go/go.env"]).stdout
        assert "GOFLAGS=-mod=mod -trimpath\n" in go_env and "GOPRIVATE=*.corp,git.internal/*\n" in go_env
        proc = host.exec(["env", "-i", "PATH=/usr/bin:/bin", "HOME=/root", "/usr/local/bin/go", "env",
                          "GOFLAGS", "GOPRIVATE"], check=False)
        assert proc.returncode == 0 and proc.stdout.splitlines() == ["-mod=mod -trimpath", "*.corp,git.internal/*"], proc
        # The same sum written upper-case with its prefix is the same input: nothing to do.
        again = ansible_run.run_playbook(tmp_path, host, role_play("toolchain", toolchain_vars(
            tarball, toolchain_checksum="SHA256:" + tarball["sha256"].upper(), toolchain_env_extra=env)))
        assert again.stats["failures"] == 0 and again.stats["changed"] == 0, again.proc.stdout[-3000:]
    finally:
        host.exec("rm -rf /usr/local/lib/go /usr/local/go /usr/local/bin/go /usr/local/bin/gofmt "
                  "/var/cache/gofleet /etc/profile.d/go.sh", check=False)


# --------------------------------------------------------- item 11: ID=uos without ID_LIKE


def included_family(run, task):
    """The family file the role loaded (the first of family, distribution, distribution_major) and the
    family gofleet.golang.platform reported; a test wants both the same."""
    loaded = [item for item in run.results[task]["results"] if not item.get("skipped")]
    platform = run.results["gofleet.golang.gocache : Learn the host's platform"]["ansible_facts"]["gofleet_platform"]
    assert Path(loaded[0]["ansible_included_var_files"][0]).stem == platform["family"], (loaded, platform)
    return platform["family"]


def test_uos_without_id_like_takes_the_family_of_its_package_tools(tmp_path, container_factory, debian_image):
    uos = container_factory(debian_image, network="none", systemd=True)
    uos.wait_systemd()
    uos.exec(["sh", "-c", "rm -f /etc/os-release /usr/lib/os-release && cat > /etc/os-release"], input=UOS_SERVER)
    task = "gofleet.golang.gocache : Load the platform's variables"
    play = role_play("gocache", {"gocache_selinux": "never"})

    # The Debian-based edition: dpkg and apt-get.
    run = ansible_run.run_playbook(tmp_path, uos, play)
    assert run.stats["failures"] == 0, run.proc.stdout[-3000:]
    assert included_family(run, task) == "Debian"

    # The rpm-based edition: rpm and dnf, no apt-get (Ansible still calls the name Uos Debian).
    uos.exec("mv /usr/bin/apt-get /usr/bin/apt-get.off && mv /usr/bin/dpkg /usr/bin/dpkg.off && "
             "printf '#!/bin/sh\\nexit 0\\n' > /usr/bin/rpm && cp /usr/bin/rpm /usr/bin/dnf && chmod 755 /usr/bin/rpm /usr/bin/dnf")
    run = ansible_run.run_playbook(tmp_path, uos, play)
    assert run.stats["failures"] == 0, run.proc.stdout[-3000:]
    assert run.results["Gathering Facts"]["ansible_facts"]["ansible_os_family"] == "Debian"
    assert included_family(run, task) == "RedHat"
