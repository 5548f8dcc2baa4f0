# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The offline mirror on real modules from the Go module proxy (issue 12, items 1, 2 and 4).

Connected side (this machine): go_offline_mirror state=built, run with the repacked go1.22.12,
builds a bundle for
- tests/fixtures/realmods/app: an app importing a module of every shape the proxy protocol has
  (gopkg.in/yaml.v3, github.com/BurntSushi/toml, a /v2 module, a +incompatible version, a
  pseudo-version, github.com/golang-jwt/jwt/v4 whose go.mod retracts a version, golang.org/x/text);
- tests/fixtures/realmods/yq: the published go.mod and go.sum of github.com/mikefarah/yq/v4 v4.40.5
  (two dozen modules, many of them only as `/go.mod` lines in go.sum);
- golang.org/toolchain@v0.0.1-go1.23.12.linux-amd64, the official toolchain as go downloads it;
and the checksum-database answers (lookups, tiles, latest, supported) all of them need.
Modules come through .cache/goproxy first (file://), the proxy after it; the sumdb answers
from the proxy.

Offline side: a mirror host (nginx, the offline_mirror role as server) and a client (go1.22.12
from the toolchain role, go.env from the role as client) on an --internal network: they reach
each other and nothing else. Every go command here sets its Go environment explicitly.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest

import ansible_run
import goproxy
import mirror_fixtures
from mirror_fixtures import build
# Fixtures, found by name.
from test_offline_mirror import local_run, nginx_debs  # noqa: F401  pylint: disable=unused-import
from test_toolchain_from_mirror import failed, install_nginx, internal_network  # noqa: F401  pylint: disable=unused-import

pytestmark = pytest.mark.containers

FIXTURES = mirror_fixtures.ROOT / "tests" / "fixtures" / "realmods"
GO_VERSION = "1.22.12"
SWITCH_TO = "1.23.12"
TOOLCHAIN = goproxy.toolchain_module(SWITCH_TO, "amd64")
YQ = "github.com/mikefarah/yq/v4@v4.40.5"
PORT = 8080
MIRROR = "/srv/gomirror"
ACCESS_LOG = "/var/lib/gofleet-gomirror/access.log"
TAMPERED = "github.com/google/shlex/@v/v0.0.0-20191202100458-e7afc7fbc510.zip"
APP_OUTPUT = "realmods: toml yaml shlex/2 jwt jwt4 \uff54\uff45\uff58\uff54 xxhash=e50e0e55e9355afa"
TIMES = {}


def go_sum_modules(path):
    """{(module, version): {'': h1, '/go.mod': h1}} of a go.sum file."""
    found = {}
    for line in Path(path).read_text().splitlines():
        module, version, h1 = line.split()
        base, suffix = version.partition("/")[::2]
        found.setdefault((module, base), {})["/" + suffix if suffix else ""] = h1
    return found


@pytest.fixture(scope="module")
def real_bundle(tmp_path_factory):
    """The connected side's build of the real mirror (its bundle, checksum and manifest)."""
    started = time.monotonic()
    base = tmp_path_factory.mktemp("realmods")
    wanted = sorted({"%s@%s" % key for name in ("app", "yq") for key in go_sum_modules(FIXTURES / name / "go.sum")})
    try:
        fetched = goproxy.download(wanted + [YQ, TOOLCHAIN])  # into .cache/goproxy: a rerun needs no module download
    except goproxy.ProxyUnavailable as why:
        pytest.skip("skipped: Go module proxy: %s" % why)
    goroot = mirror_fixtures.extract_go(base / "goroot")
    if goroot is None:
        pytest.skip("skipped: Go tarball unavailable: %s" % mirror_fixtures.GO_TARBALL)
    apps = {}
    for name in ("app", "switch", "yq"):
        apps[name] = base / name
        shutil.copytree(FIXTURES / name, apps[name])
    # The committed yq go.mod/go.sum are the published module's own.
    yq_dir = Path(fetched[YQ]["Dir"])
    for name in ("go.mod", "go.sum"):
        assert (yq_dir / name).read_bytes() == (apps["yq"] / name).read_bytes(), name
    upstream = "file://%s/cache/download,%s" % (goproxy.CACHE, goproxy.UPSTREAM)
    bundle = base / "gomirror.tar.gz"
    result = build(local_run, False, str(goroot / "bin" / "go"), str(base / "mirror"),
                   [str(apps["app"] / "go.mod"), str(apps["yq"] / "go.mod"), TOOLCHAIN], upstream, None, str(bundle))
    manifest = json.loads((base / "mirror" / "gofleet-mirror.json").read_text())
    TIMES["connected build"] = round(time.monotonic() - started, 1)
    return {"base": base, "bundle": bundle, "checksum": result["bundle_checksum"], "result": result,
            "manifest": manifest, "mirror": base / "mirror", "apps": apps, "yq_dir": yq_dir,
            "toolchain_sum": fetched[TOOLCHAIN]["Sum"]}


def server_play(real_bundle, verify="fast", name="mirror"):
    return [{"name": name, "hosts": "all", "gather_facts": True, "vars": {
        "offline_mirror_role": "server", "offline_mirror_bundle": str(real_bundle["bundle"]),
        "offline_mirror_bundle_checksum": real_bundle["checksum"], "offline_mirror_access_log": True,
        "offline_mirror_verify": verify},
        "roles": [{"role": "gofleet.golang.offline_mirror"}]}]


@pytest.fixture(scope="module")
def mirror(engine, debian_image, internal_network, nginx_debs, real_bundle, tmp_path_factory):  # noqa: F811
    started = time.monotonic()
    container = engine.container(debian_image, network=internal_network, systemd=True)
    try:
        container.wait_systemd()
        install_nginx(container, nginx_debs)
        container.tmp = tmp_path_factory.mktemp("realmods-mirror")
        run = ansible_run.run_playbook(container.tmp, container, server_play(real_bundle), name="mirror")
        assert run.proc.returncode == 0, failed(run) or run.proc.stdout[-3000:]
        TIMES["mirror host"] = round(time.monotonic() - started, 1)
        yield container
    finally:
        container.remove()


def client_play(tarball, mirror, gotoolchain=None, name="client"):
    values = {
        "toolchain_version": GO_VERSION, "toolchain_src": str(tarball["path"]),
        "toolchain_checksum": "sha256:" + tarball["sha256"], "toolchain_selinux": "never",
        "offline_mirror_role": "client", "offline_mirror_url": "http://%s:%d" % (mirror.name, PORT),
        "offline_mirror_checksum_policy": "sumdb", "offline_mirror_toolchain": True,
    }
    if gotoolchain is not None:
        values["offline_mirror_client_gotoolchain"] = gotoolchain
    return [{"name": name, "hosts": "all", "gather_facts": True, "vars": values,
             "tasks": [{"name": "client", "ansible.builtin.include_role": {"name": "gofleet.golang.offline_mirror"}}]}]


@pytest.fixture(scope="module")
def client(engine, debian_image, internal_network, mirror, real_bundle, go_tarballs, tmp_path_factory):
    started = time.monotonic()
    container = engine.container(debian_image, network=internal_network, systemd=True)
    try:
        container.wait_systemd()
        container.tmp = tmp_path_factory.mktemp("realmods-client")
        run = ansible_run.run_playbook(container.tmp, container, client_play(go_tarballs[GO_VERSION], mirror))
        assert run.proc.returncode == 0, failed(run) or run.proc.stdout[-3000:]
        container.exec(["mkdir", "-p", "/src"])
        for name in ("app", "switch"):
            container.copy_in(real_bundle["apps"][name], "/src/%s" % name)
        container.copy_in(real_bundle["yq_dir"], "/src/yq")
        container.exec(["chmod", "-R", "u+w", "/src"])
        container.tarball = go_tarballs[GO_VERSION]
        TIMES["client host"] = round(time.monotonic() - started, 1)
        yield container
    finally:
        container.remove()
        print("\nwall times (s): %s" % json.dumps(TIMES))


def go_env(mirror, tag, gotoolchain="local", flags="-mod=readonly"):
    """The whole Go environment of one offline go command: nothing inherited decides anything.
    Each tag has a module cache of its own (so every command downloads from the mirror); the build
    cache, keyed by content, is shared so the standard library is compiled once."""
    return ("GOPROXY=http://%s:%d,off GOSUMDB=sum.golang.org GONOSUMDB= GONOPROXY= GOPRIVATE= GOINSECURE= "
            "GOFLAGS=%s GOTOOLCHAIN=%s GOWORK=off GOMODCACHE=/tmp/mc-%s GOPATH=/tmp/gp-%s GOCACHE=/tmp/gocache"
            % (mirror.name, PORT, flags, gotoolchain, tag, tag))


def go(client, mirror, tag, command, cwd="/tmp", **env):
    return client.exec("cd %s && %s %s" % (cwd, go_env(mirror, tag, **env), command), login=True, check=False)


def http_get(client, url):
    """(status, body) of a GET from the client, with python3's urllib (no curl in the image)."""
    probe = ("import sys, urllib.request, urllib.error\n"
             "try:\n r = urllib.request.urlopen(sys.argv[1], timeout=10); print(r.status); sys.stdout.write(r.read().decode())\n"
             "except urllib.error.HTTPError as e:\n print(e.code)\n")
    out = client.exec(["python3", "-c", probe, url]).stdout
    status, body = out.partition("\n")[::2]
    return int(status), body


def test_real_shapes_are_in_the_mirror(real_bundle):
    files = real_bundle["manifest"]["files"]
    modules = {(m["module"], m["version"]): m for m in real_bundle["manifest"]["modules"]}
    for rel in ("gopkg.in/yaml.v3/@v/v3.0.1.zip",                                  # .vN
                "github.com/!burnt!sushi/toml/@v/v1.4.0.zip",                       # upper case
                "github.com/cespare/xxhash/v2/@v/v2.3.0.zip",                       # /v2
                "github.com/dgrijalva/jwt-go/@v/v3.2.0+incompatible.zip",           # +incompatible
                "github.com/google/shlex/@v/v0.0.0-20191202100458-e7afc7fbc510.zip",  # pseudo-version
                "github.com/golang-jwt/jwt/v4/@v/v4.5.1.zip",                       # go.mod retracts v4.4.0
                "golang.org/x/text/@v/v0.14.0.zip",
                "golang.org/toolchain/@v/v0.0.1-go1.23.12.linux-amd64.zip",
                "sumdb/sum.golang.org/supported", "sumdb/sum.golang.org/latest",
                "sumdb/sum.golang.org/lookup/github.com/!burnt!sushi/toml@v1.4.0",
                "sumdb/sum.golang.org/lookup/golang.org/toolchain@v0.0.1-go1.23.12.linux-amd64"):
        assert rel in files, rel
    assert not [rel for rel in files if rel.endswith(".lock") or "/vcs/" in rel]
    # @v/list holds what the mirror serves, not upstream's versions (the retracted ones included).
    listing = (real_bundle["mirror"] / "github.com/golang-jwt/jwt/v4/@v/list").read_text()
    assert listing == "v4.5.1\n", listing
    assert "retract (\n    v4.4.0" in (real_bundle["mirror"] / "github.com/golang-jwt/jwt/v4/@v/v4.5.1.mod").read_text()
    # Every hash equals the published go.sum lines; a module go.sum has only as /go.mod is served too.
    mod_only = []
    for name in ("app", "yq"):
        for key, sums in go_sum_modules(FIXTURES / name / "go.sum").items():
            assert modules[key]["h1_mod"] == sums["/go.mod"], key
            if "" in sums:
                assert modules[key]["h1"] == sums[""], key
            else:
                mod_only.append(key)
    assert ("github.com/mattn/go-isatty", "v0.0.16") in mod_only, mod_only
    assert modules[("golang.org/toolchain", "v0.0.1-go1.23.12.linux-amd64")]["h1"] == real_bundle["toolchain_sum"]
    for rel, sha in files.items():  # the manifest is the truth about every file, sumdb answers included
        assert hashlib.sha256((real_bundle["mirror"] / rel).read_bytes()).hexdigest() == sha, rel


def test_client_is_air_gapped_but_reaches_the_mirror(client, mirror):
    probe = "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 3)"
    assert client.exec(["python3", "-c", probe, "proxy.golang.org", "443"], check=False).returncode != 0
    assert client.exec(["python3", "-c", probe, "1.1.1.1", "53"], check=False).returncode != 0
    assert http_get(client, "http://%s:%d/sumdb/sum.golang.org/supported" % (mirror.name, PORT))[0] == 200
    status, body = http_get(client, "http://%s:%d/github.com/!burnt!sushi/toml/@v/list" % (mirror.name, PORT))
    assert (status, body) == (200, "v1.4.0\n")
    out = client.exec("go env GOPROXY GOSUMDB GONOSUMDB GOFLAGS GOTOOLCHAIN", login=True).stdout.split("\n")
    assert out[:5] == ["http://%s:%d,off" % (mirror.name, PORT), "sum.golang.org", "", "-mod=readonly", "local"], out


def test_real_app_builds_offline(client, mirror):
    started = time.monotonic()
    proc = go(client, mirror, "app", "go build -o /tmp/app.bin . && /tmp/app.bin", cwd="/src/app")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert APP_OUTPUT in proc.stdout, proc.stdout
    TIMES["app build"] = round(time.monotonic() - started, 1)


def test_published_cli_resolves_offline(client, mirror):
    """yq v4.40.5 from its own module zip, with its own go.mod and go.sum, -mod=readonly: every module
    verified against go.sum and every package of the build loaded (compiling yq itself, some minutes
    on this machine, adds nothing about the mirror that the app's build does not show)."""
    started = time.monotonic()
    proc = go(client, mirror, "yq", "go mod verify && go list -deps -f '{{if .Module}}{{.Module.Path}}{{end}}' . | sort -u",
              cwd="/src/yq")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all modules verified" in proc.stdout, proc.stdout
    loaded = set(proc.stdout.split())
    assert {"github.com/mikefarah/yq/v4", "github.com/spf13/cobra", "github.com/goccy/go-json", "golang.org/x/text",
            "gopkg.in/yaml.v3", "github.com/pelletier/go-toml/v2"} <= loaded, loaded
    TIMES["yq verify+load"] = round(time.monotonic() - started, 1)


def test_checksum_database_verifies_through_the_mirror(client, mirror):
    """No go.sum at all: every module of yq's graph is checked against sum.golang.org's answers
    as the mirror serves them (lookups answered at many tree sizes, in go's own order)."""
    client.exec("mkdir -p /tmp/nosum && cp /src/yq/go.mod /tmp/nosum/")
    proc = go(client, mirror, "nosum", "go mod download all && go mod download -json %s" % TOOLCHAIN,
              cwd="/tmp/nosum", flags="-mod=mod")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout[proc.stdout.index("{"):])["Sum"].startswith("h1:")
    # go wrote the go.sum from what it verified, and remembers the newest tree it checked.
    written = client.exec(["cat", "/tmp/nosum/go.sum"]).stdout
    assert "golang.org/x/text v0.14.0 h1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=" in written
    latest = client.exec(["cat", "/tmp/gp-nosum/pkg/sumdb/sum.golang.org/latest"]).stdout
    assert latest.startswith("go.sum database tree\n"), latest
    log = mirror.exec(["cat", ACCESS_LOG]).stdout
    assert "GET /sumdb/sum.golang.org/lookup/golang.org/x/text@v0.14.0 " in log
    assert "GET /sumdb/sum.golang.org/tile/8/" in log


def test_tampered_zip_is_refused_and_full_verify_repairs_it(client, mirror, real_bundle):
    served = "%s/current/%s" % (MIRROR, TAMPERED)
    want = real_bundle["manifest"]["files"][TAMPERED]
    mirror.exec(["python3", "-c", (
        "import zipfile,shutil,sys; p=sys.argv[1]; z=zipfile.ZipFile(p); "
        "items=[(i, z.read(i).replace(b'Split', b'SPLIT')) for i in z.infolist()]; z.close(); "
        "o=zipfile.ZipFile(p + '.new', 'w'); [o.writestr(i, d) for i, d in items]; o.close(); "
        "shutil.move(p + '.new', p)"), served])
    assert mirror.exec(["sha256sum", served]).stdout.split()[0] != want
    # With the app's go.sum: go.sum's hash refuses it.
    proc = go(client, mirror, "tampered-app", "go build -o /tmp/t.bin .", cwd="/src/app")
    assert proc.returncode != 0
    assert "SECURITY ERROR" in proc.stderr and "checksum mismatch" in proc.stderr, proc.stderr
    assert "github.com/google/shlex@v0.0.0-20191202100458-e7afc7fbc510" in proc.stderr, proc.stderr
    # Without a go.sum: the checksum database's record, served by the mirror, refuses it.
    proc = go(client, mirror, "tampered-sumdb", "go mod download github.com/google/shlex@v0.0.0-20191202100458-e7afc7fbc510",
              flags="")
    assert proc.returncode != 0
    assert "SECURITY ERROR" in proc.stderr and "checksum mismatch" in proc.stderr, proc.stderr
    assert "sum.golang.org" in proc.stderr, proc.stderr

    run = ansible_run.run_playbook(mirror.tmp, mirror, server_play(real_bundle, verify="full", name="repair"), name="repair")
    assert run.proc.returncode == 0, failed(run)
    assert run.stats["changed"] >= 1
    drift = [r.get("drift") for r in run.results.values() if r and r.get("drift")]
    assert drift == [["changed: %s" % TAMPERED]], drift
    assert mirror.exec(["sha256sum", served]).stdout.split()[0] == want
    proc = go(client, mirror, "repaired", "go build -o /tmp/r.bin . && /tmp/r.bin", cwd="/src/app")
    assert proc.returncode == 0 and APP_OUTPUT in proc.stdout, proc.stderr


def test_toolchain_switch_through_the_mirror(client, mirror):
    # The default stays local: the go.mod's toolchain line is not followed.
    proc = go(client, mirror, "local", "go run .", cwd="/src/switch")
    assert proc.returncode == 0 and "built by go%s" % GO_VERSION in proc.stdout, proc.stdout + proc.stderr
    # Opted in through the role: go.env says auto ...
    run = ansible_run.run_playbook(client.tmp, client, client_play(client.tarball, mirror, "auto", "auto"), name="auto")
    assert run.proc.returncode == 0, failed(run)
    assert client.exec("go env GOTOOLCHAIN", login=True).stdout.strip() == "auto"
    # ... and go fetches go1.23.12 from the mirror alone, checked against the checksum database.
    started = time.monotonic()
    proc = go(client, mirror, "switch", "go run . && go version", cwd="/src/switch", gotoolchain="auto")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "built by go%s" % SWITCH_TO in proc.stdout and "go version go%s linux/amd64" % SWITCH_TO in proc.stdout, proc.stdout
    assert client.exec(["test", "-x", "/tmp/mc-switch/golang.org/toolchain@v0.0.1-go%s.linux-amd64/bin/go" % SWITCH_TO],
                       check=False).returncode == 0
    log = mirror.exec(["cat", ACCESS_LOG]).stdout
    assert "GET /golang.org/toolchain/@v/v0.0.1-go%s.linux-amd64.zip " % SWITCH_TO in log
    assert "GET /sumdb/sum.golang.org/lookup/golang.org/toolchain@v0.0.1-go%s.linux-amd64 " % SWITCH_TO in log
    TIMES["toolchain switch"] = round(time.monotonic() - started, 1)
    # A value that is no GOTOOLCHAIN is refused in one line, before anything is written.
    bad = client_play(client.tarball, mirror, "latest", "bad2")
    run = ansible_run.run_playbook(client.tmp, client, bad, name="bad2")
    fails = failed(run)
    assert run.proc.returncode != 0 and len(fails) == 1, fails
    msg = list(fails.values())[0]["msg"]
    assert "\n" not in msg.strip() and "offline_mirror_client_gotoolchain" in msg and "latest" in msg, msg
    # Back to the default for whatever runs after.
    run = ansible_run.run_playbook(client.tmp, client, client_play(client.tarball, mirror, name="local"), name="local")
    assert run.proc.returncode == 0 and client.exec("go env GOTOOLCHAIN", login=True).stdout.strip() == "local"
