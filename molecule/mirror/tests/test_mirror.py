"""The mirror scenario: nginx serves the bundle, the client builds through it over HTTP."""

import os

import testinfra.utils.ansible_runner

inventory = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
SERVERS = inventory.get_hosts("gomirror")
CLIENTS = inventory.get_hosts("go_hosts")
MIRROR = "http://10.89.77.10:8080"


def _host(name):
    return testinfra.get_host("ansible://%s?ansible_inventory=%s" % (name, os.environ["MOLECULE_INVENTORY_FILE"]))


def test_server_serves_current_release():
    host = _host(SERVERS[0])
    assert host.file("/srv/gomirror/current").is_symlink
    assert host.file("/srv/gomirror/current/gofleet-mirror.json").exists
    assert host.service("gofleet-gomirror").is_running
    assert host.service("gofleet-gomirror").is_enabled
    assert host.socket("tcp://0.0.0.0:8080").is_listening
    assert "/etc/gofleet/gomirror/nginx.conf" in host.run("ps -eo args").stdout


def test_client_go_env_points_at_mirror():
    host = _host(CLIENTS[0])
    out = host.run("bash -lc 'go env GOPROXY GOSUMDB GOFLAGS GOTOOLCHAIN GOPRIVATE'")
    assert out.rc == 0, out.stderr
    assert out.stdout.split("\n")[:5] == [MIRROR + ",off", "off", "-mod=readonly", "local", ""]


def test_client_fetches_escaped_path_over_http():
    host = _host(CLIENTS[0])
    cmd = ("python3 -c \"import urllib.request as u; "
           "print(u.urlopen('%s/example.com/!upper/!mod/@v/list', timeout=5).read().decode())\"" % MIRROR)
    out = host.run(cmd)
    assert out.rc == 0 and out.stdout.strip() == "v1.0.0", out.stderr


def test_client_builds_through_the_mirror():
    host = _host(CLIENTS[0])
    out = host.run("bash -lc 'cd /src/app && GOMODCACHE=$(mktemp -d) go build -o /tmp/app . && /tmp/app'")
    assert out.rc == 0, out.stderr
    assert "lib v1.1.0 with dep v1.0.0 | lib/v2 v2.0.0 | Upper/Mod v1.0.0" in out.stdout


def test_client_cannot_get_what_the_mirror_lacks():
    host = _host(CLIENTS[0])
    out = host.run("bash -lc 'cd /src/app_extra && GOMODCACHE=$(mktemp -d) go mod download'")
    assert out.rc != 0
    assert "example.com/extra@v1.0.0" in out.stderr


def test_client_has_no_other_route():
    host = _host(CLIENTS[0])
    out = host.run("python3 -c \"import socket; socket.create_connection(('deb.debian.org', 80), 3)\"")
    assert out.rc != 0
