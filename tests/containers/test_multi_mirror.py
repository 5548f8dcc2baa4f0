# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""More than one mirror host (issue 12.6): offline_mirror_url and toolchain_bundle_url as lists.

Two mirror hosts serve the same bundle (the synthetic upstream's modules, and the fleet bundle's
toolchain under /toolchains/) and one client, all three on a podman network of their own made
with --internal: they reach each other and nothing else. The client runs the offline_mirror role
(client, with the toolchain role) pointed at both:
- its go env says GOPROXY=http://m1:8080|http://m2:8080,off, its netrc (0600) has one machine
  entry per mirror host, and no password shows in the run's output;
- its toolchain came from the first host that serves the tarball (m1 serves no toolchain, so
  m2's; the run names m1's URL and its 404);
- `go build -mod=readonly` of an app whose dependencies only the mirrors serve works with both
  hosts up (fetched from m1), and with m1's nginx stopped (fetched from m2; each build starts
  from an empty module cache, so it really fetches); the client role then still converges with
  changed=0, naming the host that does not answer;
- with both down (m1's nginx stopped, m2's container stopped) the build fails, and the client
  role and the toolchain role each fail in one line naming every URL they tried.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import time

import pytest

import ansible_run
import engine as harness
# Fixtures, found by name; and the mirror hosts' play of the toolchain-from-mirror test.
from test_offline_mirror import connected, nginx_debs  # noqa: F401  pylint: disable=unused-import
from test_toolchain_from_mirror import (  # noqa: F401  pylint: disable=unused-import
    ACCESS_LOG, PORT, SERVED, TARBALL, VERSION, fleet_bundle, install_nginx, internal_network, mirror_play,
    verified_bundle_task,
)

pytestmark = pytest.mark.containers

START = time.monotonic()


def mark(what):
    """Wall time since the module started, per phase (the test's cost is reported, not asserted)."""
    print("\n[%6.1f s] %s" % (time.monotonic() - START, what))


APP_OUTPUT = "lib v1.1.0 with dep v1.0.0 | lib/v2 v2.0.0 | Upper/Mod v1.0.0"
ZIP = "/example.com/lib/@v/v1.1.0.zip"
NETRC = "/root/.netrc"
PASSWORD = "mm-s3cret-%s" % os.urandom(4).hex()


def failed(run):
    return {n.split(" : ")[-1]: r for n, r in run.results.items() if r and r.get("failed")}


def changed(run):
    return [n for n, r in run.results.items() if r and r.get("changed")]


def url(host, path=""):
    return "http://%s:%d%s" % (host.name, PORT, path)


@pytest.fixture(scope="module")
def mirrors(engine, debian_image, internal_network, nginx_debs, connected, fleet_bundle,  # noqa: F811
            tmp_path_factory):
    """m1 and m2, made by one ansible-playbook run (the hosts in parallel)."""
    hosts = []
    mark("connected side and fleet bundle ready")
    try:
        for n in (1, 2):
            hosts.append(engine.container(debian_image, name="gofleet-mm%d-%s" % (n, os.urandom(4).hex()),
                                          network=internal_network, systemd=True))
        with concurrent.futures.ThreadPoolExecutor(len(hosts)) as pool:
            list(pool.map(lambda host: (host.wait_systemd(), install_nginx(host, nginx_debs)), hosts))
        tmp = tmp_path_factory.mktemp("mirrors-play")
        inventory = harness.write_inventory(tmp / "inventory.yml", hosts)
        mark("mirror hosts up, nginx installed")
        play = mirror_play(fleet_bundle, connected)
        play[0]["gather_facts"] = False   # the role learns the platform itself, and needs no other fact
        # m1 does not serve the toolchain (an older fleet bundle's set): the toolchain role must
        # take it from the next host.
        serve = [t for t in play[0]["tasks"] if t["name"] == "serve toolchains"]
        assert len(serve) == 1
        serve[0]["when"] = "inventory_hostname != %s" % json.dumps(hosts[0].name)
        run = ansible_run.run(play, inventory=inventory, workdir=tmp, name="mirrors")
        assert run.proc.returncode == 0, run.output[-3000:]
        mark("both mirrors serve")
        yield hosts
    finally:
        for host in hosts:
            host.remove()


def client_play(mirrors, fleet_bundle, name, roles=("offline_mirror",), toolchain=True):  # noqa: F811
    """The client's play: the offline_mirror role (with the toolchain role unless `toolchain`
    is false), or the roles named."""
    m1, m2 = mirrors
    return [{
        "name": name, "hosts": "all", "gather_facts": False,   # the roles learn the platform themselves
        "vars": {"offline_mirror_role": "client", "offline_mirror_url": [url(m1), url(m2) + "/"],
                 "offline_mirror_username": "builder", "offline_mirror_password": PASSWORD,
                 "offline_mirror_toolchain": toolchain,
                 "toolchain_version": VERSION, "toolchain_bundle": "{{ fleet }}", "toolchain_bundle_fetch": "mirror",
                 "toolchain_bundle_url": [url(m1, "/toolchains"), url(m2, "/toolchains")], "toolchain_selinux": "never"},
        # The fleet bundle, verified on the controller, only where the toolchain role runs.
        "pre_tasks": [verified_bundle_task(fleet_bundle)] if toolchain or "toolchain" in roles else [],
        "roles": [{"role": "gofleet.golang.%s" % role} for role in roles]}]


def run_client(client, mirrors, fleet_bundle, name, **options):  # noqa: F811
    run = ansible_run.run_playbook(client.tmp, client, client_play(mirrors, fleet_bundle, name, **options), name=name)
    assert PASSWORD not in run.proc.stdout + run.proc.stderr
    return run


@pytest.fixture(scope="module")
def client(engine, debian_image, internal_network, mirrors, connected, fleet_bundle, tmp_path_factory):  # noqa: F811
    container = engine.container(debian_image, network=internal_network, systemd=True)
    try:
        container.wait_systemd()
        container.tmp = tmp_path_factory.mktemp("client-play")
        container.exec(["mkdir", "-p", "/src"])
        container.copy_in(connected["apps"]["app"], "/src/app")
        mark("client up")
        container.first = run_client(container, mirrors, fleet_bundle, "first")
        mark("client configured, Go installed")
        yield container
    finally:
        container.remove()


def requests(host, path):
    """The access log's lines for `path`: '"GET <path> HTTP/1.1" 200 ...'."""
    log = host.exec(["cat", ACCESS_LOG], check=False).stdout
    return [line for line in log.splitlines() if " %s " % path in line]


def go_build(client, modcache):
    # An empty module cache: every module is fetched from the mirrors (GOPROXY from go.env).
    return client.exec("rm -rf %s && cd /src/app && GOMODCACHE=%s go build -mod=readonly -o /tmp/app.bin . && /tmp/app.bin"
                       % (modcache, modcache), login=True, check=False)


def messages(run):
    return [r.get("msg", "") for r in run.results.values() if r and isinstance(r.get("msg"), str)]


def test_client_env_netrc_and_toolchain_from_the_first_host_serving_it(client, mirrors):
    m1, m2 = mirrors
    run = client.first
    assert run.proc.returncode == 0, json.dumps(failed(run))[:4000] or run.proc.stdout[-3000:]
    out = client.exec("go env GOPROXY GOSUMDB GOFLAGS GOTOOLCHAIN GOPRIVATE GONOPROXY", login=True).stdout.split("\n")
    assert out[:6] == ["%s|%s,off" % (url(m1), url(m2)), "off", "-mod=readonly", "local", "", ""], out
    assert client.exec(["stat", "-c", "%a %U", NETRC]).stdout.strip() == "600 root"
    netrc = client.exec(["cat", NETRC]).stdout.split()
    assert [netrc[i + 1] for i, word in enumerate(netrc) if word == "machine"] == [m1.name, m2.name], netrc
    assert netrc.count(PASSWORD) == 2 and netrc.count("builder") == 2
    # The toolchain: m1 was asked and does not serve it (404), m2 served it.
    assert client.exec("go version", login=True).stdout.startswith("go version go%s linux/amd64" % VERSION)
    tarball = "/toolchains/%s" % TARBALL
    assert [line for line in requests(m1, tarball) if '"GET ' in line] == []
    assert any('"HEAD ' in line and '" 404 ' in line for line in requests(m1, tarball)), requests(m1, tarball)
    assert len([line for line in requests(m2, tarball) if '"GET ' in line and '" 200 ' in line]) == 1
    said = [m for m in messages(run) if m.startswith("toolchain: not fetching")]
    assert len(said) == 1 and url(m1, tarball) + " (HTTP 404)" in said[0], messages(run)


def test_build_with_both_mirrors_up(client, mirrors):
    m1, m2 = mirrors
    proc = go_build(client, "/tmp/mc-both")
    mark("built with both mirrors up")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert APP_OUTPUT in proc.stdout
    assert any('"GET ' in line and '" 200 ' in line for line in requests(m1, ZIP)), requests(m1, ZIP)
    assert requests(m2, ZIP) == []


def test_build_with_mirror_1_down(client, mirrors, fleet_bundle):  # noqa: F811
    m1, m2 = mirrors
    m1.exec(["systemctl", "stop", "gofleet-gomirror"])
    proc = go_build(client, "/tmp/mc-m1-down")
    mark("built with m1 down")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert APP_OUTPUT in proc.stdout
    assert any('"GET ' in line and '" 200 ' in line for line in requests(m2, ZIP)), requests(m2, ZIP)
    # The client role still converges, nothing changed, and says which host does not answer.
    run = run_client(client, mirrors, fleet_bundle, "m1-down", toolchain=False)
    mark("client role with m1 down")
    assert run.proc.returncode == 0, json.dumps(failed(run))[:4000]
    assert run.stats["changed"] == 0, changed(run)
    said = [m for m in messages(run) if m.startswith("offline_mirror: not answering")]
    assert len(said) == 1 and url(m1, "/") in said[0] and url(m2) not in said[0], messages(run)


def test_both_mirrors_down(client, mirrors, fleet_bundle, engine):  # noqa: F811
    m1, m2 = mirrors
    engine.cli("stop", "-t", "2", m2.name)
    proc = go_build(client, "/tmp/mc-none")
    assert proc.returncode != 0 and APP_OUTPUT not in proc.stdout
    # go's own last line names the last mirror it tried (GOPROXY's ",off" stops it there).
    last = proc.stderr.strip().splitlines()[-1]
    print("\ngo build, both mirrors down: %s" % last)
    assert "example.com/" in last and url(m2) in last, proc.stderr

    # The role's check names every mirror URL, in one line.
    mark("build failed with both down")
    run = run_client(client, mirrors, fleet_bundle, "both-down", toolchain=False)
    fails = failed(run)
    assert run.proc.returncode != 0 and list(fails) == ["Check that a mirror answers"], fails
    msg = fails["Check that a mirror answers"]["msg"]
    print("offline_mirror role, both mirrors down: %s" % msg)
    assert "\n" not in msg.strip() and url(m1, "/") in msg and url(m2, "/") in msg, msg

    # The toolchain role alone: every tarball URL it asked, in one line.
    run = run_client(client, mirrors, fleet_bundle, "toolchain-both-down", roles=("toolchain",))
    mark("both roles refused")
    fails = failed(run)
    assert run.proc.returncode != 0 and list(fails) == ["Check that a mirror host serves it"], fails
    msg = fails["Check that a mirror host serves it"]["msg"]
    print("toolchain role, both mirrors down: %s" % msg)
    assert "\n" not in msg.strip() and "Traceback" not in run.proc.stdout, msg
    assert url(m1, "/toolchains/" + TARBALL) in msg and url(m2, "/toolchains/" + TARBALL) in msg, msg
