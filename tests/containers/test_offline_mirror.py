# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The offline mirror in an air-gapped container (--network none).

On this machine (the connected side) the real `go` builds a mirror bundle from the file://
"internet" of tests/fixtures/gomod_upstream.  The container gets the bundle through
go_offline_mirror (state=present), Go through the toolchain role, and its go.env from the
offline_mirror role (client, file://<path>/current,off).  Then, with nothing reachable:
the app builds; a tampered zip fails with Go's checksum error; an app needing a module the
mirror lacks fails naming it; re-applying the bundle repairs the tamper.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "harness"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / ".build"))
import ansible_run  # noqa: E402
import mirror_fixtures  # noqa: E402
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_mirror  # noqa: E402

pytestmark = pytest.mark.containers

GO_VERSION = "1.22.12"
MIRROR = "/srv/gomirror"


def local_run(args, cwd=None, environ_update=None):
    env = dict(os.environ)
    env.update(environ_update or {})
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def run_play(tmp_path, container, plays_vars, tasks, gather_facts=True, name="play"):
    run = ansible_run.run_playbook(tmp_path, container, [{"name": name, "hosts": "all", "gather_facts": gather_facts,
                                                          "vars": plays_vars, "tasks": tasks}], name=name)
    assert run.proc.returncode == 0, json.dumps(run.report["stats"]) + "\n" + json.dumps(
        [r for r in run.results.values() if r and r.get("failed")], indent=1)[:4000]
    return run.results, run.stats


@pytest.fixture(scope="module")
def connected(tmp_path_factory, go_tarballs):
    """The connected side: go, upstream, apps with complete go.sum, and the bundle."""
    base = tmp_path_factory.mktemp("connected")
    goroot = mirror_fixtures.extract_go(base / "goroot")
    if goroot is None:
        pytest.skip("skipped: Go tarball unavailable: %s" % mirror_fixtures.GO_TARBALL)
    proxy = mirror_fixtures.build_goproxy(base / "upstream")
    apps = {}
    for name in ("app", "app_extra"):
        apps[name] = mirror_fixtures.copy_app(name, base / name)
        mirror_fixtures.make_go_sum(goroot, apps[name], proxy, base / ("sum-" + name))
    bundle = base / "gomirror.tar.gz"
    result = gomod_mirror.build(local_run, False, str(goroot / "bin" / "go"), str(base / "mirror"),
                                [str(apps["app"] / "go.mod")], "file://%s" % proxy, "off", str(bundle))
    assert "example.com/extra@v1.0.0" not in result["modules"]
    return {"base": base, "bundle": bundle, "checksum": result["bundle_checksum"], "apps": apps,
            "tarball": go_tarballs[GO_VERSION]}


@pytest.fixture(scope="module")
def offline_host(engine, debian_image, connected, tmp_path_factory):
    container = engine.container(debian_image, network="none", systemd=True)
    try:
        container.wait_systemd()
        tmp = tmp_path_factory.mktemp("offline-play")
        results, stats = run_play(tmp, container, mirror_vars(connected), mirror_tasks())
        for name, app in connected["apps"].items():
            container.exec(["mkdir", "-p", "/src"])
            container.copy_in(app, "/src/%s" % name)
        container.tmp = tmp
        container.first_results = results
        yield container
    finally:
        container.remove()


def mirror_vars(connected):
    return {
        "toolchain_version": GO_VERSION,
        "toolchain_src": str(connected["tarball"]["path"]),
        "toolchain_checksum": "sha256:" + connected["tarball"]["sha256"],
        "offline_mirror_role": "client",
        "offline_mirror_path": MIRROR,
        "offline_mirror_toolchain": True,
        "bundle": str(connected["bundle"]),
        "checksum": connected["checksum"],
    }


def mirror_tasks(client=True):
    return [
        {"name": "ship bundle",
         "ansible.builtin.copy": {"src": "{{ bundle }}", "dest": "/var/tmp/gomirror.tar.gz", "mode": "0644"}},
        {"name": "install mirror", "gofleet.golang.go_offline_mirror": {
            "path": MIRROR, "bundle": "/var/tmp/gomirror.tar.gz", "checksum": "{{ checksum }}", "verify": "full"},
         "register": "mirror"},
    ] + ([{"name": "client", "ansible.builtin.include_role": {"name": "gofleet.golang.offline_mirror"}}] if client else [])


def go_build(container, app, modcache):
    # A login shell: PATH from /etc/profile.d, every go setting from $GOROOT/go.env.
    return container.exec("cd /src/%s && GOMODCACHE=%s go build -o /tmp/%s.bin . && /tmp/%s.bin"
                          % (app, modcache, app, app), login=True, check=False)


def test_offline_build_through_go_env(offline_host):
    assert offline_host.first_results["install mirror"]["changed"] is True
    out = offline_host.exec("go env GOPROXY GOSUMDB GOFLAGS GOTOOLCHAIN GOPRIVATE GONOPROXY", login=True).stdout.split("\n")
    assert out[:6] == ["file://%s/current,off" % MIRROR, "off", "-mod=readonly", "local", "", ""], out
    # the container really has no network
    assert offline_host.exec("python3 -c \"import socket; socket.create_connection(('deb.debian.org', 80), 3)\"",
                             check=False).returncode != 0
    proc = go_build(offline_host, "app", "/tmp/mc-ok")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "lib v1.1.0 with dep v1.0.0 | lib/v2 v2.0.0 | Upper/Mod v1.0.0" in proc.stdout


def test_missing_module_names_it(offline_host):
    proc = go_build(offline_host, "app_extra", "/tmp/mc-extra")
    assert proc.returncode != 0
    # go build names the module it tried ("downloading example.com/extra v1.0.0"), and ",off" stops
    # it there instead of going anywhere else.
    assert "example.com/extra v1.0.0" in proc.stderr and "module lookup disabled by GOPROXY=off" in proc.stderr, proc.stderr
    # go mod download says it in one line (what docs/offline_mirror.md recommends running).
    proc = offline_host.exec("cd /src/app_extra && GOMODCACHE=/tmp/mc-extra go mod download", login=True, check=False)
    assert proc.returncode != 0
    assert "go: example.com/extra@v1.0.0: module lookup disabled by GOPROXY=off" in proc.stderr, proc.stderr


def test_tampered_zip_fails_then_repaired(offline_host, connected):
    zip_path = "%s/current/example.com/lib/@v/v1.1.0.zip" % MIRROR
    offline_host.exec(["python3", "-c", (
        "import zipfile,shutil,sys; p=sys.argv[1]; z=zipfile.ZipFile(p); "
        "items=[(i, z.read(i).replace(b'with', b'WITH')) for i in z.infolist()]; z.close(); "
        "o=zipfile.ZipFile(p + '.new', 'w'); [o.writestr(i, d) for i, d in items]; o.close(); "
        "shutil.move(p + '.new', p)"), zip_path])
    proc = go_build(offline_host, "app", "/tmp/mc-tampered")
    assert proc.returncode != 0
    assert "SECURITY ERROR" in proc.stderr and "checksum mismatch" in proc.stderr, proc.stderr
    assert "example.com/lib@v1.1.0" in proc.stderr

    # Re-applying the same bundle reports the drift and repairs it; the build works again.
    results, stats = run_play(offline_host.tmp, offline_host, mirror_vars(connected), mirror_tasks(client=False),
                              gather_facts=False, name="repair")
    assert results["install mirror"]["changed"] is True
    assert results["install mirror"]["drift"] == ["changed: example.com/lib/@v/v1.1.0.zip"]
    proc = go_build(offline_host, "app", "/tmp/mc-repaired")
    assert proc.returncode == 0, proc.stderr

    results, stats = run_play(offline_host.tmp, offline_host, mirror_vars(connected), mirror_tasks(), name="again")
    assert stats["changed"] == 0, [n for n, r in results.items() if r and r.get("changed")]
