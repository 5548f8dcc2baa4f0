"""What the gocache role leaves on a host: shared, setgid caches that go itself uses."""

import json
import shlex

CACHES = {"GOCACHE": "/var/cache/go-build", "GOMODCACHE": "/var/cache/gomod"}


def test_cache_group_has_the_build_user(host):
    assert host.group("gocache").exists
    assert "gocache" in host.user("builder").groups


def test_caches_are_setgid_group_writable_and_root_owned(host):
    for path in CACHES.values():
        d = host.file(path)
        assert d.is_directory, path
        assert (d.user, d.group, d.mode) == ("root", "gocache", 0o2775), (path, d.user, d.group, oct(d.mode))


def test_contribution_is_kept_for_later_runs(host):
    f = host.file("/etc/gofleet/go.env.d/gocache.json")
    assert (f.user, f.mode) == ("root", 0o644)
    assert json.loads(f.content_string) == CACHES


def test_go_uses_the_shared_caches(host):
    # go env reads $GOROOT/go.env, which the toolchain role composed from gocache's contribution.
    out = host.run("su - builder -c %s" % shlex.quote("go env GOCACHE GOMODCACHE"))
    assert out.rc == 0, out.stderr
    assert out.stdout.split() == [CACHES["GOCACHE"], CACHES["GOMODCACHE"]]


def test_the_node_build_filled_the_shared_build_cache(host):
    # go_service built hello on the node: its compiled packages are in the shared GOCACHE.
    entries = host.check_output("find %s -type f -name '*-d' | head -3 | wc -l" % CACHES["GOCACHE"])
    assert int(entries) > 0
