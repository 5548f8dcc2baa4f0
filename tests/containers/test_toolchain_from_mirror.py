# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host fetches its toolchain from the mirror host's nginx (issue 10.5, toolchain_bundle_fetch=mirror).

Two containers on a podman network of their own made with --internal: they reach each other
and nothing else. The mirror host gets nginx as Debian's .deb files (as test_offline_mirror.py
carries them in) and runs the offline_mirror role as a server that also serves the fleet
bundle's toolchains under /toolchains/, with its access log on. The client runs the toolchain
role with the bundle verified on the controller in the same play, fetching from the mirror:
- `go version` answers with the bundle's version;
- a second run is changed=0 and the mirror's access log shows no new request for the tarball;
- with a byte of the served tarball flipped and the installed GOROOT removed, the client
  refuses it with one line naming the checksum, and keeps its link, receipt and staged files.
A fleet bundle with no module mirror: the mirror host serves its toolchains alone.
"""

from __future__ import annotations

import json
import os

import pytest

import ansible_run
import bundle_fixtures
# Fixtures, found by name.
from test_offline_mirror import connected, nginx_debs  # noqa: F401  pylint: disable=unused-import

pytestmark = pytest.mark.containers

VERSION = "1.22.12"
TARBALL = "go%s.linux-amd64.tar.gz" % VERSION
PORT = 8080
SERVED = "/srv/gomirror/toolchains"
ACCESS_LOG = "/var/lib/gofleet-gomirror/access.log"
# What the client has of Go: a refused tarball must add, remove or leave behind nothing here.
# (Names, types, modes and link targets: a directory's mtime moves when a temporary entry comes and goes.)
LISTING = ("find /usr/local/lib/go /usr/local/go /usr/local/bin /var/cache/gofleet /tmp /var/tmp -maxdepth 2 "
           "-printf '%p %y %m %l\\n' 2>&1 | grep -v '/[.]ansible' | sort")


INSTALL = "Install and activate the Go toolchain"


def short(name):
    return name.split(" : ")[-1]  # "gofleet.golang.toolchain : <task>" -> "<task>"


def failed(run):
    return {short(n): r for n, r in run.results.items() if r and r.get("failed")}


def changed(run):
    return [n for n, r in run.results.items() if r and r.get("changed")]


@pytest.fixture(scope="module")
def fleet_bundle(tmp_path_factory):
    base = tmp_path_factory.mktemp("fleet-from-mirror")
    try:
        return bundle_fixtures.build_bundle(base / "bundle", [(VERSION, "amd64")])
    except LookupError as why:
        pytest.skip("skipped: %s" % why)


@pytest.fixture(scope="module")
def internal_network(engine):
    name = "gofleet-test-%s" % os.urandom(5).hex()
    engine.cli("network", "create", "--internal", name)
    try:
        yield name
    finally:
        engine.cli("network", "rm", "-f", name, check=False)


def verified_bundle_task(bundle):
    # As playbooks/tasks/verify_bundle.yml: checked on the controller, once, before any host is touched.
    return {"name": "Verify the fleet bundle on the controller", "gofleet.golang.bundle": {"path": str(bundle)},
            "delegate_to": "localhost", "run_once": True, "register": "fleet"}


def mirror_play(fleet_bundle, connected=None):
    """What site.yml's gomirror_hosts play does with gofleet_toolchain_fetch=mirror; without
    `connected` the fleet bundle has no module mirror and the host serves toolchains alone."""
    values = {"offline_mirror_role": "server", "offline_mirror_toolchains_dir": SERVED, "offline_mirror_access_log": True}
    if connected:
        values.update(offline_mirror_bundle=str(connected["bundle"]), offline_mirror_bundle_checksum=connected["checksum"])
    return [{
        "name": "mirror", "hosts": "all", "gather_facts": True, "vars": values,
        "pre_tasks": [verified_bundle_task(fleet_bundle)],
        "roles": [{"role": "gofleet.golang.offline_mirror"}],
        "tasks": [
            {"name": "served dir", "ansible.builtin.file": {"path": SERVED, "state": "directory", "mode": "0755"}},
            {"name": "serve toolchains", "ansible.builtin.copy": {
                "src": "{{ fleet.path }}/{{ item.name }}", "dest": SERVED + "/{{ item.name }}", "mode": "0644"},
             "loop": "{{ fleet.files | selectattr('kind', 'eq', 'toolchain') | list }}"},
        ]}]


def install_nginx(container, nginx_debs):
    for deb in nginx_debs:
        container.copy_in(deb, "/var/tmp/%s" % deb.name)
    container.exec("DEBIAN_FRONTEND=noninteractive dpkg -i /var/tmp/nginx-common_*.deb /var/tmp/nginx_*.deb")


@pytest.fixture(scope="module")
def mirror(engine, debian_image, internal_network, nginx_debs, connected, fleet_bundle, tmp_path_factory):  # noqa: F811
    container = engine.container(debian_image, network=internal_network, systemd=True)
    try:
        container.wait_systemd()
        install_nginx(container, nginx_debs)
        tmp = tmp_path_factory.mktemp("mirror-play")
        play = mirror_play(fleet_bundle, connected)
        run = ansible_run.run_playbook(tmp, container, play, name="mirror")
        assert run.proc.returncode == 0, failed(run) or run.proc.stdout[-3000:]
        # The toolchains live inside offline_mirror_path (as site.yml puts them): installing the
        # module mirror's bundle again must neither report a change nor drop them.
        container.again = ansible_run.run_playbook(tmp, container, play, name="mirror-again")
        yield container
    finally:
        container.remove()


@pytest.fixture(scope="module")
def client(engine, debian_image, internal_network, mirror, tmp_path_factory):
    container = engine.container(debian_image, network=internal_network, systemd=True)
    try:
        container.wait_systemd()
        container.tmp = tmp_path_factory.mktemp("client-play")
        yield container
    finally:
        container.remove()


def run_client(client, mirror, bundle, name, path="/toolchains"):
    return ansible_run.run_playbook(client.tmp, client, [{
        "name": name, "hosts": "all", "gather_facts": True,
        "vars": {"toolchain_version": VERSION, "toolchain_bundle": "{{ fleet }}", "toolchain_bundle_fetch": "mirror",
                 "toolchain_bundle_url": "http://%s:%d%s" % (mirror.name, PORT, path), "toolchain_selinux": "never"},
        "pre_tasks": [verified_bundle_task(bundle)],
        "roles": [{"role": "gofleet.golang.toolchain"}]}], name=name)


def tarball_requests(mirror):
    log = mirror.exec(["cat", ACCESS_LOG]).stdout
    return [line for line in log.splitlines() if "/toolchains/%s " % TARBALL in line]


def test_client_is_air_gapped_but_reaches_the_mirror(client, mirror):
    probe = "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 3)"
    assert client.exec(["python3", "-c", probe, "deb.debian.org", "80"], check=False).returncode != 0
    assert client.exec(["python3", "-c", probe, "1.1.1.1", "53"], check=False).returncode != 0
    assert client.exec(["python3", "-c", probe, mirror.name, str(PORT)], check=False).returncode == 0


def test_mirror_second_run_changes_nothing(mirror):
    again = mirror.again
    assert again.proc.returncode == 0, failed(again)
    assert again.stats["changed"] == 0, changed(again)
    assert mirror.exec(["test", "-f", "%s/%s" % (SERVED, TARBALL)], check=False).returncode == 0


def test_first_run_fetches_from_the_mirror_and_installs(client, mirror, fleet_bundle):
    run = run_client(client, mirror, fleet_bundle, "first")
    assert run.proc.returncode == 0, json.dumps(failed(run))[:4000] or run.proc.stdout[-3000:]
    assert {short(n): r for n, r in run.results.items()}[INSTALL]["changed"] is True
    out = client.exec("go version", login=True).stdout
    assert out.startswith("go version go%s linux/amd64" % VERSION), out
    # Fetched over HTTP from the mirror (one GET with 200), not copied from the controller.
    hits = tarball_requests(mirror)
    assert len(hits) == 1 and '"GET ' in hits[0] and '" 200 ' in hits[0], hits
    assert client.exec(["test", "-e", "/var/cache/gofleet/artifacts/%s" % TARBALL], check=False).returncode != 0


def test_second_run_changes_nothing_and_fetches_nothing(client, mirror, fleet_bundle):
    before = tarball_requests(mirror)
    run = run_client(client, mirror, fleet_bundle, "again")
    assert run.proc.returncode == 0, json.dumps(failed(run))[:4000]
    assert run.stats["changed"] == 0, changed(run)
    assert tarball_requests(mirror) == before


def refusal(run):
    """The one failed task's message: it must be the install's, in one line, without a traceback."""
    fails = failed(run)
    assert run.proc.returncode != 0 and list(fails) == [INSTALL], fails
    assert "Traceback" not in run.proc.stdout + run.proc.stderr
    msg = fails[INSTALL]["msg"]
    print("\nrefusal: %s" % msg)
    assert "\n" not in msg.strip(), msg
    return msg


def test_tampered_tarball_on_the_mirror_is_refused_and_the_old_state_kept(client, mirror, fleet_bundle):
    expected = json.loads((fleet_bundle / "MANIFEST.json").read_text())
    expected = [f["sha256"] for f in expected["files"] if f["name"] == TARBALL]
    assert len(expected) == 1, expected
    link = client.exec(["readlink", "/usr/local/go"]).stdout
    goroot = client.exec(["readlink", "-f", "/usr/local/go"]).stdout.strip()
    assert goroot.endswith("go%s" % VERSION), goroot
    receipt = client.exec(["cat", "/usr/local/lib/go/.receipts/go%s.json" % VERSION]).stdout
    client.exec(["rm", "-rf", goroot])  # so the next run must fetch the tarball again
    listing = client.exec(LISTING).stdout

    # A toolchain_bundle_url where the mirror serves no tarball: one line naming the URL.
    msg = refusal(run_client(client, mirror, fleet_bundle, "not-served", path="/toolchains-typo"))
    assert "/toolchains-typo/%s" % TARBALL in msg and "404" in msg, msg

    served = "%s/%s" % (SERVED, TARBALL)
    mirror.exec(["python3", "-c", "import sys; f=open(sys.argv[1], 'r+b'); f.seek(5000); b=f.read(1); "
                 "f.seek(5000); f.write(bytes([b[0] ^ 1])); f.close()", served])
    before = tarball_requests(mirror)
    msg = refusal(run_client(client, mirror, fleet_bundle, "tampered"))
    assert "checksum mismatch" in msg and TARBALL in msg and "sha256:" + expected[0] in msg, msg
    assert len(tarball_requests(mirror)) == len(before) + 1  # it was fetched, then refused

    # Nothing of the refused tarball stays, and nothing else moved.
    assert client.exec(["readlink", "/usr/local/go"]).stdout == link
    assert client.exec(LISTING).stdout == listing
    assert client.exec(["cat", "/usr/local/lib/go/.receipts/go%s.json" % VERSION]).stdout == receipt
    assert client.exec(["test", "-e", goroot], check=False).returncode != 0


def test_a_bundle_without_module_mirror_serves_toolchains_alone(engine, debian_image, nginx_debs, fleet_bundle,  # noqa: F811
                                                                 tmp_path):
    """A fleet bundle with no mirror/ (site.yml then gives the role no offline_mirror_bundle):
    the mirror host serves its toolchains, byte for byte, and converges."""
    container = engine.container(debian_image, network="none", systemd=True)
    try:
        container.wait_systemd()
        install_nginx(container, nginx_debs)
        run = ansible_run.run_playbook(tmp_path, container, mirror_play(fleet_bundle), name="toolchains-only")
        assert run.proc.returncode == 0, failed(run) or run.proc.stdout[-3000:]
        expected = bundle_fixtures.sha256(fleet_bundle / TARBALL)
        got = container.exec(["python3", "-c", "import hashlib, sys, urllib.request; print(hashlib.sha256("
                              "urllib.request.urlopen(sys.argv[1]).read()).hexdigest())",
                              "http://127.0.0.1:%d/toolchains/%s" % (PORT, TARBALL)]).stdout.strip()
        assert got == expected
        again = ansible_run.run_playbook(tmp_path, container, mirror_play(fleet_bundle), name="toolchains-only-again")
        assert again.proc.returncode == 0 and again.stats["changed"] == 0, changed(again) or failed(again)
    finally:
        container.remove()
