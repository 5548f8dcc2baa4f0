# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go.env composed from every role's contribution (issue 13), in an offline container.

gocache contributes GOCACHE/GOMODCACHE, the offline_mirror client GOPROXY/GOSUMDB/GOFLAGS...;
the toolchain role, run in a later play or alone in a later run, writes all of it into
$GOROOT/go.env without being told (no toolchain_env_extra).
"""

from __future__ import annotations

import json
import os

import pytest

import ansible_run

pytestmark = pytest.mark.containers

GO_VERSION = "1.22.12"
EXPECTED = {
    "GOCACHE": "/var/cache/go-build",
    "GOMODCACHE": "/var/cache/gomod",
    "GOPROXY": "file:///srv/gomirror/current,off",
    "GOSUMDB": "off",
    "GOFLAGS": "-mod=readonly",
    "GOTOOLCHAIN": "local",
}


def toolchain_vars(go_tarballs):
    return {"toolchain_version": GO_VERSION, "toolchain_src": str(go_tarballs[GO_VERSION]["path"]),
            "toolchain_checksum": "sha256:" + go_tarballs[GO_VERSION]["sha256"],
            "offline_mirror_role": "client", "offline_mirror_path": "/srv/gomirror"}


def play(name, roles, values, gather_facts=True):
    return {"name": name, "hosts": "all", "gather_facts": gather_facts, "vars": values,
            "roles": [{"role": "gofleet.golang." + role} for role in roles]}


def ok(run):
    failed = {n: r for n, r in run.results.items() if r and r.get("failed")}
    assert run.proc.returncode == 0, json.dumps(failed, indent=1)[:4000]
    return run


def go_env(container):
    keys = sorted(EXPECTED)
    out = container.exec(["/usr/local/go/bin/go", "env"] + keys).stdout.split("\n")
    return dict(zip(keys, out))


@pytest.fixture(scope="module")
def composed(engine, debian_image, go_tarballs, tmp_path_factory):
    container = engine.container(debian_image, name="mirrorrole-goenv-%s" % os.urandom(4).hex(),
                                 network="none", systemd=True)
    try:
        container.wait_systemd()
        container.tmp = tmp_path_factory.mktemp("goenv")
        values = toolchain_vars(go_tarballs)
        # Two plays, as a site playbook has them: the contributing roles, then the toolchain.
        container.first = ok(ansible_run.run_playbook(container.tmp, container, [
            play("contributors", ["gocache", "offline_mirror"], values),
            play("toolchain", ["toolchain"], values)], name="compose"))
        yield container
    finally:
        container.remove()


def test_go_env_carries_every_role_contribution(composed):
    assert go_env(composed) == EXPECTED
    text = composed.exec(["cat", "/usr/local/go/go.env"]).stdout
    for key, value in EXPECTED.items():
        assert "\n%s=%s\n" % (key, value) in text, text


def test_toolchain_alone_keeps_the_contributions(composed, go_tarballs):
    values = toolchain_vars(go_tarballs)
    check = ok(ansible_run.run_playbook(composed.tmp, composed, [play("alone", ["toolchain"], values)],
                                        name="alone-check", check=True))
    assert check.stats["changed"] == 0, [n for n, r in check.results.items() if r and r.get("changed")]
    run = ok(ansible_run.run_playbook(composed.tmp, composed, [play("alone", ["toolchain"], values)], name="alone"))
    assert run.stats["changed"] == 0, [n for n, r in run.results.items() if r and r.get("changed")]
    assert go_env(composed) == EXPECTED


def test_conflicting_contributions_fail_until_settled(composed, go_tarballs):
    values = dict(toolchain_vars(go_tarballs), gocache_env_extra={"GOFLAGS": "-modcacherw"})
    run = ansible_run.run_playbook(composed.tmp, composed, [
        play("contributors", ["gocache", "offline_mirror"], values),
        play("toolchain", ["toolchain"], values)], name="conflict")
    failed = {n: r for n, r in run.results.items() if r and r.get("failed")}
    assert run.proc.returncode != 0 and len(failed) == 1, failed
    msg = list(failed.values())[0]["msg"]
    assert "\n" not in msg.strip() and "GOFLAGS" in msg and "gocache" in msg and "offline_mirror" in msg, msg
    assert go_env(composed)["GOFLAGS"] == "-mod=readonly"   # go.env untouched by the failed run

    # toolchain_env_extra settles it; then putting gocache back as it was restores the first state.
    values["toolchain_env_extra"] = {"GOFLAGS": "-mod=readonly -modcacherw"}
    ok(ansible_run.run_playbook(composed.tmp, composed, [play("toolchain", ["toolchain"], values)], name="settled"))
    assert go_env(composed)["GOFLAGS"] == "-mod=readonly -modcacherw"
    values = toolchain_vars(go_tarballs)
    ok(ansible_run.run_playbook(composed.tmp, composed, [
        play("contributors", ["gocache", "offline_mirror"], values),
        play("toolchain", ["toolchain"], values)], name="restored"))
    assert go_env(composed) == EXPECTED
