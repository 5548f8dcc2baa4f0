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

import pytest

import ansible_run
import mirror_fixtures
from mirror_fixtures import build  # go_offline_mirror's pipeline, state=built
from ansible_collections.gofleet.golang.plugins.module_utils.service.systemd_render import parse_exposure

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
    result = build(local_run, False, str(goroot / "bin" / "go"), str(base / "mirror"),
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


# --- the mirror host: nginx carried in as Debian's own .deb files, the role as a server --------

def failed_results(run):
    return {n: r for n, r in run.results.items() if r and r.get("failed")}


@pytest.fixture(scope="module")
def nginx_debs(tmp_path_factory):
    """Debian's nginx packages, downloaded on the controller (as an air-gapped site carries them in)."""
    dest = tmp_path_factory.mktemp("nginx-debs")
    rc, out, err = local_run(["apt-get", "download", "-o", "APT::Sandbox::User=root", "nginx", "nginx-common"],
                             cwd=str(dest))
    debs = sorted(dest.glob("nginx*.deb"))
    if rc != 0 or len(debs) != 2:
        pytest.skip("skipped: Debian's nginx packages unavailable: %s" % (err or out).strip()[-300:])
    return debs


def server_vars(connected, **extra):
    values = {"offline_mirror_role": "server", "offline_mirror_bundle": str(connected["bundle"]),
              "offline_mirror_bundle_checksum": connected["checksum"]}
    values.update(extra)
    return values


def run_server_role(tmp, container, values, name):
    return ansible_run.run_playbook(tmp, container, [{
        "name": name, "hosts": "all", "gather_facts": True, "vars": values,
        "roles": [{"role": "gofleet.golang.offline_mirror"}]}], name=name)


@pytest.fixture(scope="module")
def mirror_host(engine, debian_image, connected, nginx_debs, tmp_path_factory):
    container = engine.container(debian_image, name="mirrorrole-server-%s" % os.urandom(4).hex(),
                                 network="none", systemd=True)
    try:
        container.wait_systemd()
        for deb in nginx_debs:
            container.copy_in(deb, "/var/tmp/%s" % deb.name)
        container.exec("DEBIAN_FRONTEND=noninteractive dpkg -i /var/tmp/nginx-common_*.deb /var/tmp/nginx_*.deb")
        # A site of the host's own beside the package's default one: the role must leave it alone.
        container.exec("printf 'server { listen 81; return 204; }\\n' > /etc/nginx/sites-available/own && "
                       "ln -s /etc/nginx/sites-available/own /etc/nginx/sites-enabled/own && systemctl reload nginx")
        tmp = tmp_path_factory.mktemp("server-play")
        container.tmp = tmp
        container.first = run_server_role(tmp, container, server_vars(connected), "first")
        yield container
    finally:
        container.remove()


def listening_ports(container):
    out = container.exec(["ss", "-Hltn"]).stdout
    return sorted({int(line.split()[3].rsplit(":", 1)[1]) for line in out.splitlines() if line.strip()})


def test_server_first_run_then_nothing_changes(mirror_host, connected):
    assert mirror_host.first.proc.returncode == 0, failed_results(mirror_host.first)
    again = run_server_role(mirror_host.tmp, mirror_host, server_vars(connected), "again")
    assert again.proc.returncode == 0, failed_results(again)
    assert again.stats["changed"] == 0, [n for n, r in again.results.items() if r and r.get("changed")]


# `systemd-analyze security` of the mirror's nginx unit as go_service writes it, measured on Debian 12
# (systemd 252): 2.3. What the strict profile must leave nginx (root master that switches to
# www-data and chowns its temporary paths) costs about 1 point over a Go service's 1.2.
MAX_NGINX_EXPOSURE = 2.5


def test_server_nginx_runs_hardened(mirror_host, record_property):
    unit = mirror_host.exec(["cat", "/etc/systemd/system/gofleet-gomirror.service"]).stdout
    assert "ExecStart=/usr/sbin/nginx -c /etc/gofleet/gomirror/nginx.conf" in unit, unit
    assert "ProtectSystem=strict" in unit and "ReadWritePaths=/var/lib/gofleet-gomirror\n" in unit, unit
    proc = mirror_host.exec(["systemd-analyze", "security", "gofleet-gomirror"], check=False)
    score = parse_exposure(proc.stdout + proc.stderr)
    record_property("systemd_analyze_security", score)
    print("\nsystemd-analyze security gofleet-gomirror: Overall exposure level %s" % score)
    assert score is not None, proc.stdout[-2000:] + proc.stderr
    assert score <= MAX_NGINX_EXPOSURE
    # nginx started cleanly under the sandbox: no alert about a read-only or missing path, and
    # its workers run as the distribution's nginx user while the master stays root.
    log = mirror_host.exec(["journalctl", "-u", "gofleet-gomirror", "--no-pager", "-o", "cat"]).stdout
    assert "[alert]" not in log and "[emerg]" not in log, log[-2000:]
    users = mirror_host.exec(["ps", "-o", "user=,args=", "-C", "nginx"]).stdout
    assert any(l.split()[0] == "root" and "master process /usr/sbin/nginx -c /etc/gofleet/gomirror" in l
               for l in users.splitlines()), users
    assert any(l.split()[0] == "www-data" and "worker process" in l for l in users.splitlines()), users


def test_server_nginx_conf_has_no_warning(mirror_host):
    proc = mirror_host.exec(["/usr/sbin/nginx", "-t", "-c", "/etc/gofleet/gomirror/nginx.conf"], check=False)
    assert proc.returncode == 0, proc.stderr
    assert "[warn]" not in proc.stdout + proc.stderr, proc.stderr


def test_server_disables_only_the_package_default_site(mirror_host):
    # The package's site link is gone and the distribution's nginx no longer listens on :80 ...
    assert mirror_host.exec(["test", "-e", "/etc/nginx/sites-enabled/default"], check=False).returncode != 0
    assert mirror_host.exec(["test", "-f", "/etc/nginx/sites-available/default"], check=False).returncode == 0
    ports = listening_ports(mirror_host)
    assert 80 not in ports and 8080 in ports, ports
    # ... while the host's own site is untouched and still served.
    assert mirror_host.exec(["readlink", "/etc/nginx/sites-enabled/own"]).stdout.strip() == "/etc/nginx/sites-available/own"
    assert 81 in ports, ports


def test_second_instance_keeps_its_own_config(mirror_host, connected):
    run = run_server_role(mirror_host.tmp, mirror_host, server_vars(
        connected, offline_mirror_service_name="gofleet-gomirror-b", offline_mirror_listen="8081"), "second")
    assert run.proc.returncode == 0, failed_results(run)
    first_conf = mirror_host.exec(["cat", "/etc/gofleet/gomirror/nginx.conf"]).stdout
    second_conf = mirror_host.exec(["cat", "/etc/gofleet/gomirror-b/nginx.conf"]).stdout
    assert "listen 8080;" in first_conf and "/var/lib/gofleet-gomirror/nginx.pid" in first_conf
    assert "listen 8081;" in second_conf and "/var/lib/gofleet-gomirror-b/nginx.pid" in second_conf
    for unit in ("gofleet-gomirror", "gofleet-gomirror-b"):
        state = mirror_host.exec(["systemctl", "show", "-p", "ActiveState,SubState", "--value", unit]).stdout.split()
        assert state == ["active", "running"], (unit, state)
    assert {8080, 8081} <= set(listening_ports(mirror_host))
    # The first instance, converged again, is still as it was.
    again = run_server_role(mirror_host.tmp, mirror_host, server_vars(connected), "first-again")
    assert again.proc.returncode == 0 and again.stats["changed"] == 0, failed_results(again)


def test_instance_on_a_taken_port_fails(mirror_host, connected):
    unit = "gofleet-gomirror-c"
    try:
        run = run_server_role(mirror_host.tmp, mirror_host, server_vars(
            connected, offline_mirror_service_name=unit, offline_mirror_listen="8080"), "taken")
        failed = failed_results(run)
        assert run.proc.returncode != 0 and failed, "the role reported success for an instance that cannot bind"
        msg = list(failed.values())[0]["msg"]
        assert "\n" not in msg.strip() and unit in msg and "8080" in msg, msg
    finally:
        mirror_host.exec(["systemctl", "disable", "--now", unit], check=False)
    # The instance that holds the port is unharmed.
    conf = mirror_host.exec(["cat", "/etc/gofleet/gomirror/nginx.conf"]).stdout
    assert "/var/lib/gofleet-gomirror/nginx.pid" in conf


@pytest.mark.parametrize("variable, value, role", [
    ("offline_mirror_config_dir", "etc/gomirror", "server"),
    ("offline_mirror_state_dir", "var/lib/gomirror", "server"),
    ("offline_mirror_path", "srv/gomirror", "client"),
])
def test_relative_path_is_refused(mirror_host, connected, variable, value, role):
    values = server_vars(connected, offline_mirror_role=role)
    values[variable] = value
    run = run_server_role(mirror_host.tmp, mirror_host, values, "relative-" + variable)
    failed = failed_results(run)
    assert run.proc.returncode != 0 and len(failed) == 1, failed
    result = list(failed.values())[0]
    assert "\n" not in result["msg"].strip() and variable in result["msg"] and value in result["msg"], result["msg"]
    assert run.stats["changed"] == 0


def test_no_nginx_no_repository(engine, debian_image, connected, tmp_path):
    """A host without nginx and with no package repository: the bundle is checked first, then
    the role says in one line that nginx must be carried in."""
    container = engine.container(debian_image, name="mirrorrole-nonginx-%s" % os.urandom(4).hex(),
                                 network="none", systemd=True)
    try:
        container.wait_systemd()
        bad = run_server_role(tmp_path, container, server_vars(
            connected, offline_mirror_bundle_checksum="sha256:" + "0" * 64), "bad-bundle")
        failed = failed_results(bad)
        assert bad.proc.returncode != 0, failed
        assert [n.split(" : ")[-1] for n in failed] == ["Install the bundle into a new release and switch current"], failed
        assert "apt" not in json.dumps(failed)

        # The checksum as users paste it from SHA256SUMS: bare and upper case (issue 13.16).
        pasted = connected["checksum"].split(":", 1)[1].upper()
        run = run_server_role(tmp_path, container, server_vars(connected, offline_mirror_bundle_checksum=pasted), "no-nginx")
        failed = failed_results(run)
        assert run.proc.returncode != 0 and failed, failed
        msg = list(failed.values())[-1]["msg"]  # the task that ended the play
        assert "\n" not in msg.strip() and "nginx" in msg and "carried in" in msg, msg
        # The bundle was checked and installed before nginx was looked for.
        assert container.exec(["test", "-f", "/srv/gomirror/current/gofleet-mirror.json"], check=False).returncode == 0
    finally:
        container.remove()
