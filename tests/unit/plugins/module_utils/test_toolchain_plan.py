# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""toolchain.plan() decisions on real directories, and apply()'s validation with run_command mocked.

Every NodeState here is read from a tmp directory laid out like a managed node:
<base>/lib/go<version> trees with receipts in <base>/lib/.receipts, <base>/go the link and
<base>/bin the go/gofmt links.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import multiprocessing
import os
import shutil
import stat
import types
import time

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, drift, go_env, manifest, toolchain
from ansible_collections.gofleet.golang.plugins.module_utils import toolchain_receipt
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import ELF_SIGNATURE, tarball_arch
from ansible_collections.gofleet.golang.plugins.modules import go_toolchain as go_toolchain_module

from elf_fixtures import elf_bytes  # tests/elf_fixtures.py
from tar_fixtures import sha256_of, write_tar_gz  # tests/tar_fixtures.py

SHA_A = "aa" * 32
SHA_B = "bb" * 32
UPSTREAM_ENV = "GOPROXY=https://proxy.golang.org,direct\nGOTOOLCHAIN=auto\n"


class Layout(object):
    def __init__(self, base):
        self.base = str(base)
        self.root = os.path.join(self.base, "lib")
        self.link = os.path.join(self.base, "go")
        self.bin = os.path.join(self.base, "bin")
        self.sha = SHA_A  # the sha256 of what is "installed"; the fixture makes it the src tarball's

    def goroot(self, version):
        return os.path.join(self.root, "go" + version)

    def params(self, **overrides):
        p = dict(version="1.22.12", state="present", src=None, url=None, url_username=None, url_password=None,
                 validate_certs=True, ca_path=None, timeout=60, checksum="sha256:" + self.sha, checksum_url=None,
                 signature=None, keyring=None, install_root=self.root, link=self.link, bin_dir=self.bin,
                 activate=True, keep=None, env={}, verify="fast", force=False, max_unpacked_size=2147483648)
        p.update(overrides)
        return p

    def install(self, version, sha=None, env=None, receipt=True):
        """A finished install as go_toolchain leaves it: tree, go.env, receipt."""
        sha = sha or self.sha
        root = self.goroot(version)
        os.makedirs(os.path.join(root, "bin"))
        os.makedirs(os.path.join(root, "src", "fmt"))
        with open(os.path.join(root, "bin", "go"), "wb") as f:
            f.write(b"\x7fELF fake go " + version.encode())
        with open(os.path.join(root, "src", "fmt", "print.go"), "w") as f:
            f.write("package fmt\n")
        with open(os.path.join(root, "go.env"), "w") as f:
            f.write(go_env.render(UPSTREAM_ENV, env or {}))
        if receipt:
            atomic.write_file(toolchain.receipt_path(self.root, version), json.dumps({
                "version": version, "tarball": {"sha256": sha}, "upstream_go_env": UPSTREAM_ENV,
                "manifest": manifest.build(root, exclude=toolchain.MANAGED_FILES, with_hash=True)}))
        return root

    def activate(self, version):
        atomic.replace_symlink(self.goroot(version), self.link)
        for name in toolchain.BINARIES:
            atomic.replace_symlink(os.path.join(self.link, "bin", name), os.path.join(self.bin, name))


@pytest.fixture
def lay(tmp_path):
    layout = Layout(tmp_path / "node")
    # Plans hash a local src before deciding to install, so its sum is the one installs use.
    layout.src, layout.sha = make_go_tarball(tmp_path / "go1.22.12.linux-amd64.tar.gz", version="1.22.12")
    return layout


def plan_for(lay, fetch_text=None, **overrides):
    if overrides.get("src") == "SRC":
        overrides["src"] = lay.src
    req = toolchain.Request(lay.params(**overrides), "amd64")
    node = toolchain.NodeState(req)
    if fetch_text:
        return req, node, toolchain.plan(req, node, fetch_text=fetch_text)
    return req, node, toolchain.plan(req, node)


def _fill(items, lay):
    return [i.format(root=lay.root, link=lay.link, bin=lay.bin) for i in items]


def _setup_active(lay, **kw):
    lay.install("1.22.12", **kw)
    lay.activate("1.22.12")


def _setup_two(lay):
    lay.install("1.21.13")
    lay.install("1.22.12")
    lay.install("1.23.5")
    lay.activate("1.22.12")


def _drift(lay):
    _setup_active(lay)
    os.unlink(os.path.join(lay.goroot("1.22.12"), "bin", "go"))
    with open(os.path.join(lay.goroot("1.22.12"), "src", "fmt", "print.go"), "a") as f:
        f.write("// edited\n")


def _leftover(lay):
    _setup_active(lay)
    atomic.make_staging_dir(lay.root, "go1.23.5")
    os.mkdir(os.path.join(lay.root, "go1.21.13.gofleet-trash-4242"))
    # The old tree parked by swap_trees' two-rename fallback, when killed mid-swap.
    os.mkdir(os.path.join(lay.root, "go1.22.12.gofleet-old-4242"))


LINKS = ["point {link} at {root}/go1.22.12", "link {bin}/go to {link}/bin/go", "link {bin}/gofmt to {link}/bin/gofmt"]

# (id, node setup, request overrides, expected install reason, expected actions, extra expectations)
PLANS = [
    ("fresh-node", lambda lay: None, {"src": "SRC"}, "missing",
     ["install go1.22.12 (missing)"] + LINKS, {"active_after": "1.22.12"}),
    ("installed-and-active", _setup_active, {}, None, [], {"active_after": "1.22.12"}),
    ("installed-src-not-needed", _setup_active, {"src": None, "url": None}, None, [], {}),
    ("no-receipt-unfinished", lambda lay: (lay.install("1.22.12", receipt=False), lay.activate("1.22.12")),
     {"src": "SRC"}, "unfinished", ["install go1.22.12 (unfinished)"], {}),
    ("torn-receipt-reinstalls", lambda lay: (_setup_active(lay), open(toolchain.receipt_path(lay.root, "1.22.12"), "w").write("{")),
     {"src": "SRC"}, "torn receipt {root}/.receipts/go1.22.12.json: not JSON",
     ["install go1.22.12 (torn receipt {root}/.receipts/go1.22.12.json: not JSON)"], {}),
    ("tarball-changed", lambda lay: _setup_active(lay, sha=SHA_B), {"src": "SRC"}, "tarball changed",
     ["install go1.22.12 (tarball changed)"], {}),
    ("drift-fast", _drift, {"src": "SRC"}, "drift in 2 paths", ["repair go1.22.12 (drift in 2 paths)"],
     {"drift": ["missing: bin/go", "content: src/fmt/print.go"]}),
    ("drift-ignored-with-verify-none", _drift, {"verify": "none"}, None, [], {"drift": []}),
    ("env-change", _setup_active, {"env": {"GOFLAGS": "-mod=mod"}}, None, ["write {root}/go1.22.12/go.env"],
     {"env_after": go_env.render(UPSTREAM_ENV, {"GOFLAGS": "-mod=mod"})}),
    ("go-env-hand-edited", lambda lay: (_setup_active(lay), open(os.path.join(lay.goroot("1.22.12"), "go.env"), "a").write("GOPROXY=evil\n")),
     {}, None, ["write {root}/go1.22.12/go.env"], {}),
    ("activate-false", lambda lay: None, {"src": "SRC", "activate": False}, "missing",
     ["install go1.22.12 (missing)"], {"active_after": None, "link_change": None}),
    ("switch", lambda lay: (lay.install("1.21.13"), lay.install("1.22.12"), lay.activate("1.21.13")), {}, None,
     ["point {link} at {root}/go1.22.12"], {"active_after": "1.22.12", "link_change": ("{root}/go1.21.13", "{root}/go1.22.12")}),
    ("bin-dir-empty-skips-links", lambda lay: None, {"src": "SRC", "bin_dir": ""}, "missing",
     ["install go1.22.12 (missing)", "point {link} at {root}/go1.22.12"], {}),
    ("keep-1-prunes-older-inactive", _setup_two, {"keep": 1}, None, ["prune go1.23.5", "prune go1.21.13"],
     {"prune": ["1.23.5", "1.21.13"]}),
    ("keep-2", _setup_two, {"keep": 2}, None, ["prune go1.21.13"], {"prune": ["1.21.13"]}),
    ("keep-never-prunes-active", _setup_two, {"keep": 1, "version": "1.23.5", "activate": False}, None, ["prune go1.21.13"],
     {"prune": ["1.21.13"]}),
    ("leftovers-cleaned", _leftover, {}, None, ["clean 3 leftover staging directories"], {}),
    ("absent-inactive", lambda lay: (lay.install("1.21.13"), _setup_active(lay)), {"state": "absent", "version": "1.21.13"},
     None, ["remove go1.21.13"], {"remove": True, "active_after": "1.22.12"}),
    ("absent-active-forced", _setup_active, {"state": "absent", "force": True}, None,
     ["remove {link}", "remove {bin}/go", "remove {bin}/gofmt", "remove go1.22.12"], {"remove": True, "active_after": None}),
    ("absent-not-installed", lambda lay: None, {"state": "absent"}, None, [], {"remove": False}),
]


@pytest.mark.parametrize("setup,overrides,install,actions,extra", [c[1:] for c in PLANS], ids=[c[0] for c in PLANS])
def test_plan(lay, setup, overrides, install, actions, extra):
    setup(lay)
    _req, _node, p = plan_for(lay, **overrides)
    assert p.install == (_fill([install], lay)[0] if install else install)
    assert p.actions == _fill(actions, lay)
    assert p.changed == bool(actions)
    for key, value in extra.items():
        got = getattr(p, key)
        if isinstance(value, tuple):
            value = tuple(_fill(value, lay))
        if key == "drift":
            # aspect and path; the expected -> found values are the manifest tests' business
            assert sorted(line.split(" (", 1)[0] for line in got) == sorted(value)
        else:
            assert got == value


# (id, node setup, request overrides, words in the one-line error)
PLAN_ERRORS = [
    ("absent-active-without-force", _setup_active, {"state": "absent"}, ["go1.22.12 is the active version", "force: true"]),
    ("needs-install-without-source", lambda lay: None, {}, ["go1.22.12 needs installing (missing)", "neither src nor url"]),
    ("missing-src", lambda lay: None, {"src": "/nonexistent/go1.22.12.linux-amd64.tar.gz"},
     ["src /nonexistent/go1.22.12.linux-amd64.tar.gz does not exist"]),
    # Check mode must fail where the real run will, before anything is planned as a change.
    ("wrong-checksum-for-src", lambda lay: None, {"src": "SRC", "checksum": "sha256:" + SHA_B},
     ["checksum mismatch for src", "expected sha256:" + SHA_B]),
    ("checksum-url-without-entry", lambda lay: None, {"checksum": None, "checksum_url": "http://m/SHA256SUMS", "src": "/srv/go.tgz"},
     ["checksum_url does not list go.tgz"]),
]


@pytest.mark.parametrize("setup,overrides,words", [c[1:] for c in PLAN_ERRORS], ids=[c[0] for c in PLAN_ERRORS])
def test_plan_errors(lay, setup, overrides, words):
    setup(lay)
    with pytest.raises(GofleetError) as err:
        plan_for(lay, fetch_text=lambda url, options, option: "%s  other.tgz\n" % SHA_A, **overrides)
    for word in words:
        assert word in err.value.message


def test_plan_reads_checksum_url_through_fetch_text(lay):
    _setup_active(lay)
    seen = []

    def fetch(url, options, option):
        seen.append((url, option))
        return json.dumps([{"version": "go1.22.12", "files": [{"filename": "go1.22.12.linux-amd64.tar.gz", "sha256": lay.sha}]}])

    _req, _node, p = plan_for(lay, fetch_text=fetch, checksum=None, checksum_url="https://m/dl/?mode=json",
                              url="https://m/go1.22.12.linux-amd64.tar.gz")
    assert seen == [("https://m/dl/?mode=json", "checksum_url")]
    assert p.expected_sha256 == lay.sha and p.actions == []


# (id, params overrides, words of the one-line error naming the input)
BAD_REQUESTS = [
    ("version-garbage", {"version": "latest"}, ["version must look like", "'latest'"]),
    ("version-two-dots", {"version": "1.22.12.1"}, ["version", "'1.22.12.1'"]),
    ("version-empty", {"version": ""}, ["version"]),
    ("relative-src", {"src": "go.tgz"}, ["src must be an absolute path", "'go.tgz'"]),
    ("ftp-url", {"url": "ftp://m/go.tgz"}, ["url must be an http, https or file URL"]),
    ("bad-checksum-url", {"checksum": None, "checksum_url": "m/SUMS"}, ["checksum_url must be"]),
    ("no-checksum", {"checksum": None}, ["checksum (sha256:<hex>) or checksum_url is required"]),
    ("bad-checksum", {"checksum": "sha1:abc"}, ["checksum must look like sha256"]),
    ("keep-zero", {"keep": 0}, ["keep must be at least 1"]),
    ("relative-install-root", {"install_root": "lib/go"}, ["install_root must be an absolute path"]),
    ("relative-link", {"link": "go"}, ["link must be an absolute path"]),
    ("bad-env-key", {"env": {"go-proxy": "x"}}, ["env key 'go-proxy'"]),
]


@pytest.mark.parametrize("overrides,words", [c[1:] for c in BAD_REQUESTS], ids=[c[0] for c in BAD_REQUESTS])
def test_bad_request(lay, overrides, words):
    with pytest.raises(GofleetError) as err:
        toolchain.Request(lay.params(**overrides), "amd64")
    assert "\n" not in err.value.message
    for word in words:
        assert word in err.value.message


@pytest.mark.parametrize("value,normalized", [("1.22.12", "1.22.12"), ("go1.22.12", "go1.22.12"[2:]), (" go1.23 ", "1.23"),
                                              ("1.24rc1", "1.24rc1"), ("go1.21.0beta2", "1.21.0beta2")])
def test_parse_version(value, normalized):
    assert toolchain.parse_version(value) == normalized


def test_version_order():
    versions = ["1.22.12", "1.9", "1.22rc1", "1.22.0", "1.10.1", "1.22beta1", "1.23.5"]
    assert sorted(versions, key=toolchain.version_key) == ["1.9", "1.10.1", "1.22beta1", "1.22rc1", "1.22.0", "1.22.12", "1.23.5"]


def test_diff_shows_link_bin_links_and_go_env(lay):
    lay.install("1.21.13")
    lay.activate("1.21.13")
    lay.install("1.22.12")
    req, _node, p = plan_for(lay, env={"GOFLAGS": "-mod=mod"})
    items = dict((d["before_header"], d) for d in toolchain.diff(req, p))
    assert items[lay.link]["before"] == lay.goroot("1.21.13") + "\n"
    assert items[lay.link]["after"] == lay.goroot("1.22.12") + "\n"
    env_item = items[os.path.join(lay.goroot("1.22.12"), "go.env")]
    assert "GOFLAGS=-mod=mod" not in env_item["before"] and "GOFLAGS=-mod=mod\n" in env_item["after"]
    assert os.path.join(lay.bin, "go") not in items  # bin links already go through the link


def test_check_mode_plan_reads_but_never_writes(runner, lay):
    _drift(lay)
    _leftover_dir = atomic.make_staging_dir(lay.root, "go1.23.5")
    before = _snapshot(lay.base)
    plan_for(lay, src="SRC", keep=1, env={"GOFLAGS": "-mod=mod"})
    assert _snapshot(lay.base) == before


def _snapshot(base):
    found = {}
    for dirpath, dirnames, filenames in os.walk(base):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            found[path] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return found


# ---------------------------------------------------------------- apply(), run_command mocked

VERSION = "1.99.1"


def _elf_for_this_node():
    """A real executable of this node's architecture: the interpreter running the tests."""
    return open(os.path.realpath(shutil.which("true") or "/bin/true"), "rb").read()


def make_go_tarball(path, version=VERSION, go_bin=None, version_text=None):
    members = [
        ("go/", None, 0o755), ("go/VERSION", (version_text or "go%s\ntime 2026-01-01T00:00:00Z\n" % version).encode(), 0o644),
        ("go/go.env", UPSTREAM_ENV.encode(), 0o644), ("go/bin/", None, 0o755),
        ("go/bin/go", go_bin if go_bin is not None else _elf_for_this_node(), 0o755),
        ("go/bin/gofmt", b"\x7fELF gofmt", 0o775), ("go/src/fmt/print.go", b"package fmt\n", 0o664),
    ]
    write_tar_gz(path, members, owner=(1000, 1000))
    return str(path), sha256_of(path)


GO_VERSION_OK = (0, "go version go%s linux/amd64\n" % VERSION, "")


@pytest.fixture
def runner(run_command):
    """runner(go=..., gpg_verify=..., gpg=None) -> toolchain.Runner whose run_command (a strict fake)
    answers `go version` with `go`, `gpg --import` with success and `gpg --verify` with `gpg_verify`."""
    def make(go=GO_VERSION_OK, gpg_verify=None, gpg=None):
        rules = [(lambda argv: argv[0].endswith("/bin/go"), go), (lambda argv: "--import" in argv, run_command.OK)]
        if gpg_verify is not None:
            rules.append((lambda argv: "--verify" in argv, gpg_verify))
        return toolchain.Runner(run_command(rules, strict=True), gpg=gpg)
    return make


def run_apply(lay, tarball, sha, runner, **overrides):
    req = toolchain.Request(lay.params(version=VERSION, src=tarball, checksum="sha256:" + sha, **overrides), tarball_arch())
    node = toolchain.NodeState(req)
    p = toolchain.plan(req, node)
    return req, p, toolchain.apply(req, node, p, runner)


def test_apply_installs_validated_tree_with_receipt_outside_goroot(lay, tmp_path, runner):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    go = runner()
    req, p, receipt = run_apply(lay, tarball, sha, go)
    goroot = lay.goroot(VERSION)
    # go version ran on the staged tree, offline, before it was renamed into place
    (args,), (kwargs,) = go.run_command.calls, go.run_command.kwargs
    assert args[1:] == ["version"] and "staging" in args[0] and not args[0].startswith(goroot)
    assert kwargs["environ_update"]["GOTOOLCHAIN"] == "local"
    assert os.readlink(lay.link) == goroot
    assert os.readlink(os.path.join(lay.bin, "go")) == os.path.join(lay.link, "bin", "go")
    rpath = toolchain.receipt_path(lay.root, VERSION)
    assert not rpath.startswith(goroot + os.sep)
    on_disk = json.load(open(rpath))
    assert on_disk == receipt
    assert (on_disk["version"], on_disk["tarball"]["sha256"], on_disk["tarball"]["source"]) == (VERSION, sha, tarball)
    assert manifest.drift(goroot, on_disk["manifest"], "full", exclude=toolchain.MANAGED_FILES) == []
    assert open(os.path.join(goroot, "go.env")).read() == go_env.render(UPSTREAM_ENV, {})
    for _rel, path, st in manifest.walk(goroot):
        assert (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid()) or os.geteuid() != 0
        assert stat.S_ISLNK(st.st_mode) or not st.st_mode & 0o022, path
    assert atomic.leftover_staging_dirs(lay.root) == []
    # And the same request again is a no-op.
    req2 = toolchain.Request(lay.params(version=VERSION, src=tarball, checksum="sha256:" + sha), tarball_arch())
    assert toolchain.plan(req2, toolchain.NodeState(req2)).actions == []


def _other_arch():
    return [a for a in ("arm64", "amd64") if a != tarball_arch()][0]


def _elf_of(arch):
    return elf_bytes(*ELF_SIGNATURE[arch])


# (id, tarball kwargs, what the fake run_command answers (runner's keywords), extra request options, words of the error)
APPLY_ERRORS = [
    ("wrong-version-file", {"version_text": "go1.98.0\n"}, {}, {}, ["holds go1.98.0, not go%s" % VERSION]),
    ("no-version-file", {"version_text": " "}, {}, {}, ["not go%s" % VERSION]),
    ("shell-script-go", {"go_bin": b"#!/bin/sh\necho go version go%s\n" % VERSION.encode()}, {}, {},
     ["go/bin/go", "is not an ELF executable"]),
    ("other-arch-go", {"go_bin": _elf_of(_other_arch())}, {}, {}, ["go/bin/go", "ELF for %s" % _other_arch()]),
    ("go-version-fails", {}, {"go": (126, "", "exec format error\ncannot execute binary file\n")}, {},
     ["go/bin/go version failed: cannot execute binary file"]),
    ("go-version-other", {}, {"go": (0, "go version go1.98.0 linux/amd64\n", "")}, {}, ["go/bin/go version failed"]),
    ("bad-signature", {}, {"gpg_verify": (1, "[GNUPG:] BADSIG x\n", "gpg: BAD signature from \"x\"\n")},
     {"signature": "SIG", "keyring": "KEYRING"}, ["signature", "does not verify", "BAD signature"]),
]


@pytest.mark.parametrize("tar_kwargs,run,extra,words", [c[1:] for c in APPLY_ERRORS], ids=[c[0] for c in APPLY_ERRORS])
def test_apply_refuses_bad_tree_and_leaves_active_version(runner, lay, tmp_path, tar_kwargs, run, extra, words):
    lay.install("1.22.12")
    lay.activate("1.22.12")
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz", **tar_kwargs)
    for key in ("signature", "keyring"):
        if key in extra:
            extra[key] = str(tmp_path / extra[key])
            open(extra[key], "w").close()
    with pytest.raises(GofleetError) as err:
        run_apply(lay, tarball, sha, runner(gpg="/usr/bin/gpg", **run), **extra)
    msg = err.value.message
    assert "\n" not in msg and "[" not in msg
    assert tarball in msg and "staging" not in msg  # names the input, not a directory that is gone
    for word in words:
        assert word in msg
    assert os.readlink(lay.link) == lay.goroot("1.22.12")
    assert not os.path.exists(lay.goroot(VERSION))
    assert not os.path.exists(toolchain.receipt_path(lay.root, VERSION))
    assert atomic.leftover_staging_dirs(lay.root) == []


def test_apply_with_good_signature_records_signer(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    sig, keyring = str(tmp_path / "go.tar.gz.asc"), str(tmp_path / "keys.asc")
    open(sig, "w").close()
    open(keyring, "w").close()
    run = runner(gpg_verify=(0, "[GNUPG:] VALIDSIG %s 2026\n" % ("AB" * 20), ""), gpg="/usr/bin/gpg")
    _req, _p, receipt = run_apply(lay, tarball, sha, run, signature=sig, keyring=keyring)
    assert receipt["tarball"]["signer_fingerprint"] == "AB" * 20
    verify = [c for c in run.run_command.calls if "--verify" in c][0]
    assert verify[-2:] == [sig, tarball]


def test_apply_repairs_only_the_drifted_paths(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    goroot = lay.goroot(VERSION)
    untouched_inode = os.stat(os.path.join(goroot, "bin", "go")).st_ino
    os.unlink(os.path.join(goroot, "bin", "gofmt"))
    with open(os.path.join(goroot, "src", "fmt", "print.go"), "a") as f:
        f.write("// local edit\n")
    with open(os.path.join(goroot, "src", "planted.go"), "w") as f:
        f.write("package planted\n")
    _req, p, receipt = run_apply(lay, tarball, sha, runner())
    assert sorted((i["item"], i["aspect"]) for i in p.drift_items) == [
        ("bin/gofmt", "missing"), ("src/fmt/print.go", "content"), ("src/planted.go", "added")]
    assert p.actions == ["repair go%s (drift in 3 paths)" % VERSION]
    assert manifest.drift(goroot, receipt["manifest"], "full", exclude=toolchain.MANAGED_FILES) == []
    # A repair rewrites what drifted, not the whole tree.
    assert os.stat(os.path.join(goroot, "bin", "go")).st_ino == untouched_inode
    assert atomic.leftover_staging_dirs(lay.root) == []


def test_apply_repair_refuses_a_tarball_that_no_longer_matches(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    os.unlink(os.path.join(lay.goroot(VERSION), "bin", "gofmt"))
    with open(tarball, "ab") as f:
        f.write(b"tampered")
    with pytest.raises(GofleetError, match="checksum mismatch"):
        run_apply(lay, tarball, sha, runner())
    assert not os.path.exists(os.path.join(lay.goroot(VERSION), "bin", "gofmt"))


def test_apply_repair_never_writes_through_a_symlink_planted_in_the_tree(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    goroot = lay.goroot(VERSION)
    outside = tmp_path / "outside"  # think /tmp: world-writable and sticky
    outside.mkdir()
    os.chmod(str(outside), 0o1777)
    shutil.rmtree(os.path.join(goroot, "src", "fmt"))
    os.symlink(str(outside), os.path.join(goroot, "src", "fmt"))
    _req, p, receipt = run_apply(lay, tarball, sha, runner())
    assert p.drift == ["type: src/fmt (directory -> symlink)", "missing: src/fmt/print.go"]
    assert os.listdir(str(outside)) == []
    assert stat.S_IMODE(os.stat(str(outside)).st_mode) == 0o1777
    assert not os.path.islink(os.path.join(goroot, "src", "fmt"))
    assert manifest.drift(goroot, receipt["manifest"], "full", exclude=toolchain.MANAGED_FILES) == []
    assert atomic.leftover_staging_dirs(lay.root) == []


def test_apply_repair_and_env_change_in_one_run_then_idempotent(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    goroot = lay.goroot(VERSION)
    os.unlink(os.path.join(goroot, "bin", "gofmt"))
    env = {"GOFLAGS": "-mod=mod"}
    _req, p, _receipt = run_apply(lay, tarball, sha, runner(), env=env)
    assert p.actions == ["repair go%s (drift in 1 path)" % VERSION, "write %s/go.env" % goroot]
    assert open(os.path.join(goroot, "go.env")).read() == go_env.render(UPSTREAM_ENV, env)
    req = toolchain.Request(lay.params(version=VERSION, src=tarball, checksum="sha256:" + sha, env=env), tarball_arch())
    assert toolchain.plan(req, toolchain.NodeState(req)).actions == []


# ---------------------------------------------------------------- hardening (issue 14)


def copy_goroot_outside(lay, version, tmp_path):
    """Move <root>/go<version> to a copy outside install_root and leave a symlink to it in its place."""
    outside = str(tmp_path / "outside-copy")
    shutil.move(lay.goroot(version), outside)
    os.symlink(outside, lay.goroot(version))
    return outside


def test_plan_symlinked_goroot_is_drift_and_reinstalled(lay, tmp_path):
    """14.1: <install_root>/go<ver> swapped for a symlink to a copy elsewhere is not the installed tree."""
    _setup_active(lay)
    outside = copy_goroot_outside(lay, "1.22.12", tmp_path)
    for verify in ("fast", "full"):
        _req, node, p = plan_for(lay, src="SRC", verify=verify)
        assert not node.goroot_exists
        assert p.install == "GOROOT is a symlink, not a directory"
        assert p.drift == ["type: %s (directory -> symlink to %s)" % (lay.goroot("1.22.12"), outside)]
        assert p.actions == ["repair go1.22.12 (GOROOT is a symlink, not a directory)"]
        assert p.env_before is None  # go.env is not read through the link


def test_plan_goroot_that_is_a_file_or_dangling_link_is_reinstalled(lay):
    _setup_active(lay)
    goroot = lay.goroot("1.22.12")
    shutil.rmtree(goroot)
    os.symlink(os.path.join(lay.base, "nowhere"), goroot)
    _req, _node, p = plan_for(lay, src="SRC")
    assert p.actions == ["repair go1.22.12 (GOROOT is a symlink, not a directory)"]
    os.unlink(goroot)
    open(goroot, "w").close()
    _req, _node, p = plan_for(lay, src="SRC")
    assert p.drift == ["type: %s (directory -> regular file)" % goroot]
    assert p.actions == ["repair go1.22.12 (GOROOT is a regular file, not a directory)"]


def test_installed_versions_counts_real_directories_only(lay, tmp_path):
    _setup_active(lay)
    lay.install("1.21.13")
    copy_goroot_outside(lay, "1.21.13", tmp_path)
    _req, node, _p = plan_for(lay)
    assert node.installed == ["1.22.12"]


@pytest.mark.parametrize("how", ["symlink-to-copy", "dangling-symlink", "regular-file"])
def test_apply_reinstalls_a_goroot_that_is_not_a_directory_and_never_writes_outside(runner, lay, tmp_path, how):
    """14.1 and 14.5: the repair replaces the link itself (never writes through it); check mode predicts it."""
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    goroot = lay.goroot(VERSION)
    outside = str(tmp_path / "outside-copy")
    if how == "symlink-to-copy":
        copy_goroot_outside(lay, VERSION, tmp_path)
        with open(os.path.join(outside, "src", "fmt", "print.go"), "a") as f:
            f.write("// planted outside\n")
        os.chmod(os.path.join(outside, "bin", "gofmt"), 0o777)
    elif how == "dangling-symlink":
        shutil.rmtree(goroot)
        os.symlink(outside, goroot)
    else:
        shutil.rmtree(goroot)
        open(goroot, "w").close()
    outside_before = _snapshot(str(tmp_path / "outside-copy")) if os.path.isdir(outside) else None
    predicted = plan_for(lay, version=VERSION, src=tarball, checksum="sha256:" + sha, verify="full")[2]
    _req, p, receipt = run_apply(lay, tarball, sha, runner(), verify="full")
    assert p.actions == predicted.actions and p.actions[0].startswith("repair go%s (GOROOT is a " % VERSION)
    st = os.lstat(goroot)
    assert stat.S_ISDIR(st.st_mode)
    assert manifest.drift(goroot, receipt["manifest"], "full", exclude=toolchain.MANAGED_FILES) == []
    assert os.readlink(lay.link) == goroot
    if outside_before is not None:
        assert _snapshot(outside) == outside_before  # nothing written outside install_root
        assert open(os.path.join(outside, "src", "fmt", "print.go")).read().endswith("// planted outside\n")
    else:
        assert not os.path.lexists(outside)
    assert atomic.leftover_staging_dirs(lay.root) == []
    req2 = toolchain.Request(lay.params(version=VERSION, src=tarball, checksum="sha256:" + sha, verify="full"), tarball_arch())
    assert toolchain.plan(req2, toolchain.NodeState(req2)).actions == []


# (id, how install_root is spoiled, words of the one-line error)
BAD_ROOTS = [
    ("a-file", lambda root: open(root, "w").close(), ["install_root", "is not a directory"]),
    ("a-dangling-link", lambda root: os.symlink(root + ".gone", root), ["install_root", "is not a directory"]),
    ("group-writable", lambda root: (os.makedirs(root), os.chmod(root, 0o775)), ["install_root", "writable by group or others", "0775"]),
    ("world-writable", lambda root: (os.makedirs(root), os.chmod(root, 0o1777)), ["install_root", "writable by group or others"]),
]


@pytest.mark.parametrize("spoil,words", [c[1:] for c in BAD_ROOTS], ids=[c[0] for c in BAD_ROOTS])
def test_untrustworthy_install_root_is_refused_in_one_line(lay, spoil, words):
    os.makedirs(lay.base)
    spoil(lay.root)
    with pytest.raises(GofleetError) as err:
        plan_for(lay, src="SRC")
    assert "\n" not in err.value.message and lay.root in err.value.message
    for word in words:
        assert word in err.value.message


def test_install_root_that_is_a_link_to_a_safe_directory_is_followed(lay, tmp_path):
    """An admin may relocate install_root with a symlink; what is below it must still be real."""
    real = tmp_path / "bigdisk"
    real.mkdir()
    os.chmod(str(real), 0o755)
    os.makedirs(lay.base)
    os.symlink(str(real), lay.root)
    _req, _node, p = plan_for(lay, src="SRC")
    assert p.install == "missing"


def put_real_dir(path):
    if os.path.lexists(path):
        os.unlink(path)
    os.makedirs(os.path.join(path, "bin"))


def put_wrapper_script(path):
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexec /opt/go/bin/go \"$@\"\n")
    os.chmod(path, 0o755)


# (id, which path, what is put there, words of the one-line error check mode and the real run share)
NOT_A_LINK = [
    ("link-is-a-directory", "link", put_real_dir, ["{link} is a real directory, not a link"]),
    ("bin-go-is-a-directory", "bin/go", put_real_dir, ["{bin}/go is a real directory, not a link"]),
    ("link-is-a-file", "link", put_wrapper_script, ["{link} is a regular file, not a link", "force: true"]),
    ("bin-go-is-a-wrapper-script", "bin/go", put_wrapper_script, ["{bin}/go is a regular file, not a link", "force: true"]),
]


def spot(lay, which):
    return lay.link if which == "link" else os.path.join(lay.bin, "go")


@pytest.mark.parametrize("which,put,words", [c[1:] for c in NOT_A_LINK], ids=[c[0] for c in NOT_A_LINK])
def test_check_mode_refuses_what_the_real_run_refuses_where_a_link_belongs(runner, lay, tmp_path, which, put, words):
    """14.5 and 14.6: plan (check mode) fails exactly as apply would, and nothing is touched."""
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    lay.install("1.22.12")
    lay.activate("1.22.12")
    put(spot(lay, which))
    before = _snapshot(lay.base)
    with pytest.raises(GofleetError) as check:
        plan_for(lay, version=VERSION, src=tarball, checksum="sha256:" + sha)
    with pytest.raises(GofleetError) as real:
        run_apply(lay, tarball, sha, runner())
    assert check.value.message == real.value.message
    for word in words:
        assert word.format(link=lay.link, bin=lay.bin) in check.value.message
    assert _snapshot(lay.base) == before


def test_apply_refuses_a_file_put_at_the_link_after_planning(runner, lay, tmp_path):
    """The refusal holds in apply too, for a file that appears between plan and apply."""
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    req = toolchain.Request(lay.params(version=VERSION, src=tarball, checksum="sha256:" + sha), tarball_arch())
    node = toolchain.NodeState(req)
    p = toolchain.plan(req, node)
    os.makedirs(lay.bin)
    put_wrapper_script(os.path.join(lay.bin, "gofmt"))
    with pytest.raises(GofleetError, match="gofmt is a regular file, not a link"):
        toolchain.apply(req, node, p, runner())
    assert open(os.path.join(lay.bin, "gofmt")).read().startswith("#!/bin/sh")


@pytest.mark.parametrize("which", ["link", "bin/go"])
def test_force_replaces_a_file_where_a_link_belongs_and_the_diff_shows_it(runner, lay, tmp_path, which):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    lay.install("1.22.12")
    lay.activate("1.22.12")
    path = spot(lay, which)
    put_wrapper_script(path)
    size = os.path.getsize(path)
    req, _node, p = plan_for(lay, version=VERSION, src=tarball, checksum="sha256:" + sha, force=True)
    items = dict((d["before_header"], d) for d in toolchain.diff(req, p))
    assert items[path]["before"] == "(regular file, %d bytes, mode 0755)\n" % size
    wanted = lay.goroot(VERSION) if which == "link" else os.path.join(lay.link, "bin", "go")
    verb = "point %s at %s" if which == "link" else "link %s to %s"
    assert [a for a in p.actions if "replacing" in a] == [verb % (path, wanted) + " (replacing a regular file, force)"]
    _req, p2, _receipt = run_apply(lay, tarball, sha, runner(), force=True)
    assert p2.actions == p.actions
    assert os.path.islink(path)
    assert os.readlink(path) == (lay.goroot(VERSION) if which == "link" else os.path.join(lay.link, "bin", "go"))


def fail_receipt_writes(monkeypatch):
    """The disk fills at the receipt write: atomic.write_file raises ENOSPC for receipts only."""
    real_write = atomic.write_file
    failed = []

    def write_file(path, data, mode=0o644):
        if os.path.basename(os.path.dirname(path)) == toolchain_receipt.RECEIPT_DIR:
            failed.append(path)
            raise OSError(28, os.strerror(28), path)
        return real_write(path, data, mode)

    monkeypatch.setattr(atomic, "write_file", write_file)
    return failed


def test_receipt_write_failure_undoes_the_fresh_install_and_the_next_run_succeeds(runner, lay, tmp_path, monkeypatch):
    """14.2: no unreceipted tree is left behind to wedge every rerun."""
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    lay.install("1.22.12")
    lay.activate("1.22.12")
    failed = fail_receipt_writes(monkeypatch)
    with pytest.raises(GofleetError) as err:
        run_apply(lay, tarball, sha, runner())
    assert failed and "No space left on device" in err.value.message and "\n" not in err.value.message
    assert not os.path.lexists(lay.goroot(VERSION))
    assert os.readlink(lay.link) == lay.goroot("1.22.12")
    assert atomic.leftover_staging_dirs(lay.root) == []
    assert os.listdir(os.path.join(lay.root, toolchain_receipt.RECEIPT_DIR)) == ["go1.22.12.json"]
    monkeypatch.undo()
    _req, p, receipt = run_apply(lay, tarball, sha, runner())
    assert p.actions[0] == "install go%s (missing)" % VERSION
    assert receipt == json.load(open(toolchain.receipt_path(lay.root, VERSION)))
    assert os.readlink(lay.link) == lay.goroot(VERSION)


def test_receipt_write_failure_on_reinstall_puts_the_old_tree_back(runner, lay, tmp_path, monkeypatch):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    goroot = lay.goroot(VERSION)
    old_inode = os.stat(os.path.join(goroot, "bin", "go")).st_ino
    old_receipt = open(toolchain.receipt_path(lay.root, VERSION)).read()
    newer, newer_sha = make_go_tarball(tmp_path / "go-rebuilt.tar.gz", go_bin=_elf_for_this_node() + b"\0")
    fail_receipt_writes(monkeypatch)
    with pytest.raises(GofleetError, match="No space left on device"):
        run_apply(lay, newer, newer_sha, runner())
    assert os.stat(os.path.join(goroot, "bin", "go")).st_ino == old_inode
    assert open(toolchain.receipt_path(lay.root, VERSION)).read() == old_receipt
    assert atomic.leftover_staging_dirs(lay.root) == []
    monkeypatch.undo()
    _req, p, receipt = run_apply(lay, newer, newer_sha, runner())
    assert p.actions == ["install go%s (tarball changed)" % VERSION]
    assert receipt["tarball"]["sha256"] == newer_sha


def test_unreceipted_inactive_tree_is_removed_before_a_second_copy_is_extracted(runner, lay, tmp_path, monkeypatch):
    """14.2: an orphan from a killed run (tree renamed into place, no receipt) must not double the space needed."""
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    lay.install("1.22.12")
    lay.activate("1.22.12")
    run_apply(lay, tarball, sha, runner(), activate=False)
    goroot = lay.goroot(VERSION)
    os.unlink(toolchain.receipt_path(lay.root, VERSION))
    open(os.path.join(goroot, "orphan-marker"), "w").close()
    seen = []
    real_extract = toolchain.safe_tar.extract_fresh  # what an install extracts with

    def extract(*args, **kwargs):
        seen.append(os.path.lexists(goroot))
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(toolchain.safe_tar, "extract_fresh", extract)
    _req, p, receipt = run_apply(lay, tarball, sha, runner(), activate=False)
    assert p.actions == ["install go%s (unfinished)" % VERSION]
    assert seen == [False]  # the orphan was gone before the new copy was extracted
    assert not os.path.exists(os.path.join(goroot, "orphan-marker")) and receipt is not None
    assert os.readlink(lay.link) == lay.goroot("1.22.12")


def test_leftover_receipt_temp_files_are_cleaned(runner, lay):
    """14.2: a kill during the receipt write leaves .receipts/.go<ver>.json.XXXX; the next run removes it."""
    _setup_active(lay)
    receipts = os.path.join(lay.root, toolchain_receipt.RECEIPT_DIR)
    for name in (".go1.22.12.json.k3j4h5_x", ".go1.23.5.json.abcdefgh"):
        with open(os.path.join(receipts, name), "w") as f:
            f.write('{"version": "1.2')
    req, node, p = plan_for(lay)
    assert p.actions == ["clean 2 leftover receipt temp files"]
    toolchain.apply(req, node, p, runner())
    assert sorted(os.listdir(receipts)) == ["go1.22.12.json"]
    assert plan_for(lay)[2].actions == []


def lock_a_fresh_root(args):
    """What go_toolchain's main() does before anything else: check install_root, then take the lock."""
    root, barrier = args
    barrier.wait()
    try:
        with go_toolchain_module.lock_for(types.SimpleNamespace(install_root=root), False):
            return None
    except (IOError, OSError, GofleetError) as e:
        return repr(e)


def test_concurrent_runs_on_a_missing_install_root_do_not_race(tmp_path):
    """14.7: makedirs of the root before the lock: two runs on a fresh root failed with EEXIST."""
    ctx = multiprocessing.get_context("fork")
    workers = 4
    errors = []
    with ctx.Manager() as manager, ctx.Pool(workers) as pool:
        barrier = manager.Barrier(workers)
        for attempt in range(20):
            root = str(tmp_path / ("r%d" % attempt) / "usr" / "local" / "lib" / "go")
            errors.extend(e for e in pool.map(lock_a_fresh_root, [(root, barrier)] * workers) if e)
    assert errors == []


# ---------------------------------------------------------------- receipts of the wrong shape (issue 14.3)

def _receipt_file(lay, version=VERSION):
    return toolchain.receipt_path(lay.root, version)


def _rewrite_receipt(lay, change, version=VERSION):
    path = _receipt_file(lay, version)
    data = json.load(open(path))
    change(data)
    atomic.write_file(path, json.dumps(data))


def _bad_entry(data):
    data["manifest"]["bin/go"]["size"] = "12"


# (id, the bytes written as the receipt, words of the reason)
TORN_RECEIPTS = [
    ("not-json", b"{", "not JSON"),
    ("a-list", b"[]", "not a JSON object"),
    ("tarball-null", b'{"tarball": null}', "tarball"),
    ("manifest-a-list", lambda lay: _rewrite_receipt(lay, lambda d: d.update(manifest=[])), "manifest"),
    ("non-utf8", b'{"tarball": "\xff\xfe"}', "not UTF-8"),
    ("entry-wrong-types", lambda lay: _rewrite_receipt(lay, _bad_entry), "bin/go"),
    ("entry-a-list", lambda lay: _rewrite_receipt(lay, lambda d: d["manifest"].update({"bin/go": ["f", 1]})), "bin/go"),
    ("entry-leaves-the-tree", lambda lay: _rewrite_receipt(lay, lambda d: d["manifest"].update({"../../etc/passwd": {"t": "d", "mode": 493}})),
     "../../etc/passwd"),
    ("go-env-not-text", lambda lay: _rewrite_receipt(lay, lambda d: d.update(upstream_go_env=["GOPROXY=off"])), "upstream_go_env"),
    ("other-version", lambda lay: _rewrite_receipt(lay, lambda d: d.update(version="1.21.0")), "1.21.0"),
]


@pytest.mark.parametrize("torn,words", [c[1:] for c in TORN_RECEIPTS], ids=[c[0] for c in TORN_RECEIPTS])
def test_torn_receipt_reinstalls_and_says_so_in_one_line(runner, lay, tmp_path, torn, words):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    if callable(torn):
        torn(lay)
    else:
        with open(_receipt_file(lay), "wb") as f:
            f.write(torn)
    req = toolchain.Request(lay.params(version=VERSION, src=tarball, checksum="sha256:" + sha), tarball_arch())
    node = toolchain.NodeState(req)
    p = toolchain.plan(req, node)
    assert p.install.startswith("torn receipt %s: " % _receipt_file(lay)) and words in p.install
    assert len(p.actions) == 1
    assert p.actions[0].startswith("install go%s (torn receipt " % VERSION) and "\n" not in p.actions[0]
    receipt = toolchain.apply(req, node, p, runner())
    assert json.load(open(_receipt_file(lay))) == receipt and receipt["version"] == VERSION
    assert toolchain.plan(req, toolchain.NodeState(req)).actions == []


def test_torn_receipt_without_tree_is_removed_by_absent(runner, lay):
    os.makedirs(os.path.dirname(_receipt_file(lay, "1.22.12")))
    with open(_receipt_file(lay, "1.22.12"), "wb") as f:
        f.write(b"[]")
    req, node, p = plan_for(lay, state="absent")
    assert p.actions == ["remove go1.22.12"]
    toolchain.apply(req, node, p, runner())
    assert not os.path.lexists(_receipt_file(lay, "1.22.12"))


# ---------------------------------------------------------------- full trusts the tarball, not the receipt (issue 14.4)

def _plan_again(lay, tarball, sha, **overrides):
    params = dict(dict(version=VERSION, src=tarball, checksum="sha256:" + sha), **overrides)
    req = toolchain.Request(lay.params(**params), tarball_arch())
    node = toolchain.NodeState(req)
    return req, node, toolchain.plan(req, node)


def test_full_catches_a_replaced_gofmt_whose_receipt_entry_was_rewritten(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    gofmt = os.path.join(lay.goroot(VERSION), "bin", "gofmt")
    with open(gofmt, "wb") as f:
        f.write(b"\x7fELF evil")  # same size as the real one
    os.chmod(gofmt, 0o755)
    # The attacker rewrites the receipt entry consistently: size, mtime, mode, owner and sha256.
    _rewrite_receipt(lay, lambda d: d["manifest"].update({"bin/gofmt": manifest.entry_of(gofmt, with_hash=True, with_owner=True)}))
    assert _plan_again(lay, tarball, sha)[2].actions == []  # fast trusts the receipt, as documented
    req, node, p = _plan_again(lay, tarball, sha, verify="full")
    assert p.verify == "full"
    assert [(i["item"], i["aspect"]) for i in p.drift_items] == [("bin/gofmt", "content")]
    assert p.actions == ["repair go%s (drift in 1 path)" % VERSION]
    receipt = toolchain.apply(req, node, p, runner())
    assert open(gofmt, "rb").read() == b"\x7fELF gofmt"
    assert receipt["manifest"]["bin/gofmt"]["sha256"] == sha256_bytes(b"\x7fELF gofmt")
    assert json.load(open(_receipt_file(lay))) == receipt
    assert _plan_again(lay, tarball, sha, verify="full")[2].actions == []
    assert _plan_again(lay, tarball, sha)[2].actions == []


def test_full_refuses_a_tarball_that_no_longer_matches_its_checksum(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    with open(tarball, "ab") as f:
        f.write(b"tampered")
    with pytest.raises(GofleetError, match="checksum mismatch for src %s" % tarball):
        _plan_again(lay, tarball, sha, verify="full")


def test_full_without_a_tarball_falls_back_to_the_receipt_and_warns(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    _req, _node, p = _plan_again(lay, tarball, sha, verify="full", src=None)
    assert p.actions == [] and p.verify == "full"
    assert len(p.warnings) == 1
    assert "receipt" in p.warnings[0] and "\n" not in p.warnings[0]


def sha256_bytes(data):
    return __import__("hashlib").sha256(data).hexdigest()


# ---------------------------------------------------------------- owners (issue 13.2)

def test_owner_change_is_reported_under_fast_and_full_and_repaired(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    _req, _p, receipt = run_apply(lay, tarball, sha, runner())
    assert (receipt["manifest"]["bin/go"]["uid"], receipt["manifest"]["bin/go"]["gid"]) == (0, 0)
    go = os.path.join(lay.goroot(VERSION), "bin", "go")
    os.lchown(go, 65534, 65534)
    for verify in ("fast", "full"):
        _r, _n, p = _plan_again(lay, tarball, sha, verify=verify)
        assert p.drift_items == [drift.item("bin/go", "owner", "0:0", "65534:65534")], verify
        assert p.drift == ["owner: bin/go (0:0 -> 65534:65534)"]
    req, node, p = _plan_again(lay, tarball, sha)
    toolchain.apply(req, node, p, runner())
    assert (os.lstat(go).st_uid, os.lstat(go).st_gid) == (0, 0)
    assert _plan_again(lay, tarball, sha, verify="full")[2].actions == []


def test_old_receipt_without_owners_expects_root(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())

    def strip(data):
        for entry in data["manifest"].values():
            entry.pop("uid", None)
            entry.pop("gid", None)
    _rewrite_receipt(lay, strip)
    assert _plan_again(lay, tarball, sha)[2].actions == []
    os.lchown(os.path.join(lay.goroot(VERSION), "bin", "go"), 65534, 0)
    _r, _n, p = _plan_again(lay, tarball, sha)
    assert p.drift_items == [drift.item("bin/go", "owner", "0:0", "65534:0")]


# ---------------------------------------------------------------- drift in --check --diff (issue 13.12)

def test_mode_change_is_a_mode_item_in_drift_and_diff(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    os.chmod(os.path.join(lay.goroot(VERSION), "bin", "gofmt"), 0o757)
    req, node, p = _plan_again(lay, tarball, sha)
    assert p.drift_items == [drift.item("bin/gofmt", "mode", "0755", "0757")]
    assert p.drift == ["mode: bin/gofmt (0755 -> 0757)"]
    shown = [d for d in toolchain.diff(req, p) if d["before_header"].startswith(lay.goroot(VERSION))]
    assert shown == [drift.diff(p.drift_items, lay.goroot(VERSION))]
    assert shown[0]["before"] == "mode bin/gofmt: 0757\n" and shown[0]["after"] == "mode bin/gofmt: 0755\n"
    out = toolchain.result(req, node, p, node.receipt)
    assert out["drift_items"] == p.drift_items and out["drift"] == p.drift


# ---------------------------------------------------------------- verify rotation (issue 13.15)

def _days_ago(days):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - days * 86400))


def _same_size_edit(path):
    st = os.stat(path)
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data.replace(b"fmt", b"FMT"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize("last_full,due", [(_days_ago(8), True), (_days_ago(7), True), (_days_ago(6), False),
                                           (_days_ago(0), False), (_days_ago(-30), True), (None, True)],
                         ids=["8-days", "7-days", "6-days", "today", "in-the-future", "never"])
def test_verify_full_every_rotates_a_full_verify_in_when_due(runner, lay, tmp_path, last_full, due):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    _rewrite_receipt(lay, lambda d: d.update(verified_full_at=last_full, installed_at=last_full))
    print_go = os.path.join(lay.goroot(VERSION), "src", "fmt", "print.go")
    _same_size_edit(print_go)
    req, node, p = _plan_again(lay, tarball, sha, verify_full_every=7)
    assert p.verify == ("full" if due else "fast")
    assert p.drift == (["content: src/fmt/print.go (sha256=%s -> sha256=%s)" % (
        sha256_bytes(b"package fmt\n"), sha256_bytes(b"package FMT\n"))] if due else [])
    toolchain.apply(req, node, p, runner())
    recorded = json.load(open(_receipt_file(lay)))["verified_full_at"]
    if due:
        assert open(print_go, "rb").read() == b"package fmt\n"
        assert recorded[:10] == time.strftime("%Y-%m-%d", time.gmtime())
    else:
        assert recorded == last_full and open(print_go, "rb").read() == b"package FMT\n"
    # Done for this period: the next scheduled run is fast again.
    assert _plan_again(lay, tarball, sha, verify_full_every=7)[2].verify == ("fast" if due else "fast")


def test_a_due_full_verify_without_drift_records_the_time_but_is_no_change(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    _rewrite_receipt(lay, lambda d: d.update(verified_full_at=_days_ago(30)))
    req, node, p = _plan_again(lay, tarball, sha, verify_full_every=7)
    assert p.verify == "full" and p.actions == [] and not p.changed and p.needs_apply
    toolchain.apply(req, node, p, runner())
    assert json.load(open(_receipt_file(lay)))["verified_full_at"][:10] == time.strftime("%Y-%m-%d", time.gmtime())
    again = _plan_again(lay, tarball, sha, verify_full_every=7)[2]
    assert again.verify == "fast" and not again.needs_apply


def test_verify_full_every_must_not_be_negative(lay):
    with pytest.raises(GofleetError, match="verify_full_every must be"):
        toolchain.Request(lay.params(verify_full_every=-1), "amd64")


def test_full_streams_a_url_tarball_without_writing_it(runner, lay, tmp_path):
    tarball, sha = make_go_tarball(tmp_path / "go.tar.gz")
    run_apply(lay, tarball, sha, runner())
    gofmt = os.path.join(lay.goroot(VERSION), "bin", "gofmt")
    with open(gofmt, "wb") as f:
        f.write(b"\x7fELF evil")
    os.chmod(gofmt, 0o755)
    _rewrite_receipt(lay, lambda d: d["manifest"].update({"bin/gofmt": manifest.entry_of(gofmt, with_hash=True, with_owner=True)}))
    before = _snapshot(lay.base)
    _req, _node, p = _plan_again(lay, tarball, sha, verify="full", src=None, url="file://" + tarball)
    assert [(i["item"], i["aspect"]) for i in p.drift_items] == [("bin/gofmt", "content")]
    assert p.warnings == [] and _snapshot(lay.base) == before
