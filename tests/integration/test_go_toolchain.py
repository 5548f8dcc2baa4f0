# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain for real: ansible-playbook, connection local, real Go tarballs, real trees.

Two node layouts live for the whole module (installs are the expensive part):
- `main`: fresh -> check mode -> install 1.22.12 -> idempotent -> hello build -> env ->
  drift (fast and full, one repair) -> switch to 1.23.5 -> keep=1 -> absent. The tests run in file order
  and each one asserts the state it starts from.
- `guarded`: 1.22.12 installed over http (checksum from a go.dev-style JSON index, GPG signature
  checked) and active; every bad input must fail with one line and leave it working; then a url
  install checked against a SHA256SUMS.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import shutil
import stat
import struct
import subprocess

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, drift, manifest, toolchain
from ansible_collections.gofleet.golang.plugins.module_utils import toolchain_receipt
from module_runner import NodeLayout, assert_one_line_failure, go_run, go_version, same_size_edit, snapshot

from tar_fixtures import sha256_of, write_tar_gz  # tests/tar_fixtures.py

pytestmark = pytest.mark.integration

UPSTREAM_PROXY = "GOPROXY=https://proxy.golang.org,direct"


def diff_items(result):
    return dict((d["before_header"], d) for d in result.get("diff") or [])


def assert_matches_receipt(lay, version, verify="fast"):
    goroot = lay.goroot(version)
    assert manifest.drift(goroot, lay.receipt(version)["manifest"], verify, exclude=toolchain.MANAGED_FILES) == []


# ============================================================ main flow


@pytest.fixture(scope="module")
def main(tmp_path_factory, tarballs):
    return NodeLayout(tmp_path_factory.mktemp("main"), tarballs)


def test_01_check_mode_predicts_install_writes_nothing_then_idempotent(main, run_module, run_direct):
    args = main.args("1.22.12")
    before = snapshot(main.base)
    check = run_module(args, check=True, diff=True)
    goroot = main.goroot("1.22.12")
    expected_actions = [
        "install go1.22.12 (missing)",
        "point %s at %s" % (main.link, goroot),
        "link %s/go to %s/bin/go" % (main.bin, main.link),
        "link %s/gofmt to %s/bin/gofmt" % (main.bin, main.link),
    ]
    assert check["changed"] is True and check["actions"] == expected_actions
    assert snapshot(main.base) == before
    assert not os.path.exists(main.root)  # not even the lock file or the install root
    items = diff_items(check)
    assert items[main.link]["before"] == "" and items[main.link]["after"] == goroot + "\n"
    env = items[os.path.join(goroot, "go.env")]
    assert env["before"] == "" and "GOTOOLCHAIN=local\n" in env["after"] and UPSTREAM_PROXY in env["after"]

    real = run_module(args)
    assert real["changed"] is True
    assert real["actions"] == check["actions"]
    for key in ("active_version", "installed_versions", "tarball_sha256", "goroot", "receipt"):
        assert real[key] == check[key], key
    assert real["active_version"] == "1.22.12" and real["previous_version"] is None
    assert os.readlink(main.link) == goroot
    assert go_version(main.go()) == "go1.22.12"

    again = run_module(args)
    assert again["changed"] is False and again["actions"] == [] and again["drift"] == []
    recheck = run_direct(args, check=True)
    assert recheck["changed"] is False and recheck["actions"] == []


def test_02_tree_root_owned_no_group_other_write_receipt_outside_goroot(main):
    goroot = main.goroot("1.22.12")
    count = 0
    for _rel, path, st in manifest.walk(goroot):
        count += 1
        assert (st.st_uid, st.st_gid) == (0, 0), path
        if not stat.S_ISLNK(st.st_mode):
            assert not st.st_mode & 0o022, "%s is %o" % (path, stat.S_IMODE(st.st_mode))
            assert not st.st_mode & (stat.S_ISUID | stat.S_ISGID), path
    assert count > 10000  # the whole toolchain was walked
    for path in (goroot, main.root, os.path.join(main.root, toolchain_receipt.RECEIPT_DIR)):
        st = os.stat(path)
        assert (st.st_uid, not st.st_mode & 0o022) == (0, True), path

    rpath = toolchain.receipt_path(main.root, "1.22.12")
    assert not os.path.realpath(rpath).startswith(os.path.realpath(goroot) + os.sep)
    assert stat.S_IMODE(os.stat(rpath).st_mode) == 0o644 and os.stat(rpath).st_uid == 0
    receipt = main.receipt("1.22.12")
    t = main.tarballs["1.22.12"]
    assert receipt["version"] == "1.22.12"
    assert receipt["tarball"]["sha256"] == t.sha256 == hashlib.sha256(open(t.path, "rb").read()).hexdigest()
    assert receipt["tarball"]["source"] == t.path and receipt["tarball"]["filename"] == t.name
    files = receipt["manifest"]
    assert files["bin/go"]["t"] == "f" and len(files["bin/go"]["sha256"]) == 64
    assert "src/fmt/print.go" in files and "go.env" not in files
    assert len(files) == count - 1  # every path but go.env (managed, compared on its own)
    assert_matches_receipt(main, "1.22.12", "full")


def test_03_installed_go_builds_hello_offline_and_toolchain_is_local(main, run_direct, tmp_path):
    assert go_run(main.go(), "env", "GOTOOLCHAIN").stdout.strip() == "local"
    assert go_run(main.go(), "env", "GOROOT").stdout.strip() in (main.link, main.goroot("1.22.12"))
    src = tmp_path / "hello"
    src.mkdir()
    (src / "go.mod").write_text("module example.com/hello\n\ngo 1.22\n")
    (src / "main.go").write_text('package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n')
    env = {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0",
           "GOPATH": str(tmp_path / "gopath"), "GOCACHE": str(tmp_path / "gocache"), "GOPROXY": "off"}
    build = go_run(main.go(), "build", "-o", str(tmp_path / "hello.bin"), ".", cwd=str(src), env=env)
    assert build.returncode == 0, build.stderr
    out = subprocess.run([str(tmp_path / "hello.bin")], stdout=subprocess.PIPE, universal_newlines=True, check=False)
    assert out.stdout == "hello\n"
    # Using the toolchain wrote nothing into GOROOT: still no drift, nothing to do.
    after = run_direct(main.args("1.22.12"))
    assert after["changed"] is False and after["drift"] == []


def test_04_env_change_rewrites_only_go_env(main, run_module, run_direct):
    goroot = main.goroot("1.22.12")
    env_path = os.path.join(goroot, "go.env")
    rpath = toolchain.receipt_path(main.root, "1.22.12")
    tree_before = manifest.build(goroot, exclude=toolchain.MANAGED_FILES, with_hash=False)
    receipt_before = open(rpath, "rb").read()
    env_before = open(env_path).read()
    args = main.args("1.22.12", env={"GOPROXY": "https://goproxy.internal,off", "GOFLAGS": "-mod=mod"})

    whole_before = snapshot(main.base)
    check = run_module(args, check=True, diff=True)
    assert check["changed"] is True and check["actions"] == ["write %s" % env_path]
    assert snapshot(main.base) == whole_before
    (item,) = check["diff"]
    assert item["before"] == env_before
    assert "GOPROXY=https://goproxy.internal,off\n" in item["after"] and "GOFLAGS=-mod=mod\n" in item["after"]

    real = run_module(args, diff=True)
    assert real["changed"] is True and real["actions"] == check["actions"] and real["diff"] == check["diff"]
    assert open(env_path).read() == item["after"]
    assert stat.S_IMODE(os.stat(env_path).st_mode) == 0o644 and os.stat(env_path).st_uid == 0
    assert manifest.build(goroot, exclude=toolchain.MANAGED_FILES, with_hash=False) == tree_before
    assert open(rpath, "rb").read() == receipt_before
    assert os.readlink(main.link) == goroot
    proc = go_run(main.go(), "env", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN")
    assert proc.stdout.split() == ["https://goproxy.internal,off", "-mod=mod", "local"]

    assert run_direct(args)["changed"] is False
    back = run_direct(main.args("1.22.12"))
    assert back["changed"] is True and back["actions"] == ["write %s" % env_path]
    assert open(env_path).read() == env_before


def test_05_drift_reported_and_repaired_full_catches_same_size_same_mtime_edit(main, run_module, run_direct):
    """One repair for three kinds of drift (an install is the expensive part)."""
    goroot = main.goroot("1.22.12")
    gofmt = os.path.join(goroot, "bin", "gofmt")
    print_go = os.path.join(goroot, "src", "fmt", "print.go")
    os.unlink(gofmt)
    with open(print_go, "a") as f:
        f.write("\n// local edit\n")
    # An edit that keeps size, mtime and mode: only verify=full can see it.
    format_go = os.path.join(goroot, "src", "fmt", "format.go")
    format_data = same_size_edit(format_go)
    planted = os.path.join(goroot, "src", "fmt", "zz_planted.go")
    with open(planted, "w") as f:
        f.write("package fmt\n")
    untouched = os.stat(os.path.join(goroot, "bin", "go")).st_ino

    fast = run_direct(main.args("1.22.12"), check=True)
    assert fast["changed"] is True
    assert [(i["item"], i["aspect"]) for i in fast["drift_items"]] == [
        ("bin/gofmt", "missing"), ("src/fmt/print.go", "content"), ("src/fmt/zz_planted.go", "added")]
    assert fast["drift"] == [drift.line(i) for i in fast["drift_items"]]
    assert fast["actions"] == ["repair go1.22.12 (drift in 3 paths)"]
    assert not os.path.exists(gofmt) and open(print_go).read().endswith("// local edit\n")  # check mode

    full = run_module(main.args("1.22.12", verify="full"))
    assert full["changed"] is True
    assert [(i["item"], i["aspect"]) for i in full["drift_items"]] == [
        ("bin/gofmt", "missing"), ("src/fmt/format.go", "content"), ("src/fmt/print.go", "content"),
        ("src/fmt/zz_planted.go", "added")]
    assert full["drift"][0] == "missing: bin/gofmt" and full["drift"][-1] == "added: src/fmt/zz_planted.go"
    assert full["actions"] == ["repair go1.22.12 (drift in 4 paths)"]
    assert not os.path.exists(planted)
    assert os.stat(os.path.join(goroot, "bin", "go")).st_ino == untouched  # only the drifted paths were rewritten
    files = main.receipt("1.22.12")["manifest"]
    for path, rel in ((print_go, "src/fmt/print.go"), (gofmt, "bin/gofmt"), (format_go, "src/fmt/format.go")):
        assert hashlib.sha256(open(path, "rb").read()).hexdigest() == files[rel]["sha256"], rel
    assert open(format_go, "rb").read() == format_data
    for path in (gofmt, print_go, format_go):
        st = os.lstat(path)
        assert (st.st_uid, st.st_gid, st.st_mode & 0o022) == (0, 0, 0), path
    fmt = subprocess.run([os.path.join(main.bin, "gofmt")], input="package x\nvar  a=1\n", stdout=subprocess.PIPE,
                         universal_newlines=True, check=False)
    assert fmt.returncode == 0 and "var a = 1" in fmt.stdout
    assert atomic.leftover_staging_dirs(main.root) == []
    assert os.readlink(main.link) == goroot
    assert run_direct(main.args("1.22.12", verify="full"))["changed"] is False


def test_06_switch_to_1_23_returns_previous_version(main, run_module):
    args = main.args("1.23.5")
    old, new = main.goroot("1.22.12"), main.goroot("1.23.5")
    before = snapshot(main.base)
    check = run_module(args, check=True, diff=True)
    assert snapshot(main.base) == before
    assert check["actions"] == ["install go1.23.5 (missing)", "point %s at %s" % (main.link, new)]
    items = diff_items(check)
    assert items[main.link]["before"] == old + "\n" and items[main.link]["after"] == new + "\n"
    assert main.bin + "/go" not in items  # bin links already go through the link

    real = run_module(args, diff=True)
    assert real["changed"] is True and real["actions"] == check["actions"]
    assert real["previous_version"] == "1.22.12" and real["active_version"] == "1.23.5"
    assert real["installed_versions"] == ["1.22.12", "1.23.5"] == check["installed_versions"]
    assert diff_items(real)[main.link] == items[main.link]
    assert os.readlink(main.link) == new
    assert go_version(main.go()) == "go1.23.5"
    assert go_version(os.path.join(old, "bin", "go")) == "go1.22.12"
    assert_matches_receipt(main, "1.22.12")


def test_07_keep_1_prunes_older_inactive_version(main, run_module, run_direct):
    args = main.args("1.23.5", keep=1)
    check = run_direct(args, check=True)
    assert check["changed"] is True and check["actions"] == ["prune go1.22.12"]
    assert os.path.isdir(main.goroot("1.22.12"))
    real = run_module(args)
    assert real["actions"] == ["prune go1.22.12"] and real["installed_versions"] == ["1.23.5"]
    assert not os.path.exists(main.goroot("1.22.12"))
    assert not os.path.exists(toolchain.receipt_path(main.root, "1.22.12"))
    assert sorted(os.listdir(main.root)) == sorted([".gofleet.lock", ".receipts", "go1.23.5"])
    assert go_version(main.go()) == "go1.23.5"
    assert run_direct(args)["changed"] is False


def test_08_absent_refuses_active_without_force_removes_with_force(main, run_module, run_direct):
    args = {"version": "1.23.5", "state": "absent", "install_root": main.root, "link": main.link, "bin_dir": main.bin}
    refused = run_module(args)
    assert_one_line_failure(refused, "go1.23.5 is the active version", main.link, "force: true")
    assert go_version(main.go()) == "go1.23.5"

    forced = run_module(dict(args, force=True))
    assert forced["changed"] is True
    assert forced["actions"] == ["remove %s" % main.link, "remove %s/go" % main.bin, "remove %s/gofmt" % main.bin,
                                 "remove go1.23.5"]
    assert forced["installed_versions"] == [] and forced["active_version"] is None
    for path in (main.link, main.goroot("1.23.5"), toolchain.receipt_path(main.root, "1.23.5"),
                 os.path.join(main.bin, "go"), os.path.join(main.bin, "gofmt")):
        assert not os.path.lexists(path), path
    assert atomic.leftover_staging_dirs(main.root) == []
    assert run_direct(dict(args, force=True))["changed"] is False


# ============================================================ bad input, with an active version to protect


def _gpg(home, *args, **kwargs):
    return subprocess.run(["gpg", "--homedir", home, "--batch", "--no-tty"] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, check=True, **kwargs)


@pytest.fixture(scope="module")
def gpg_kit(tmp_path_factory, tarballs):
    """A throw-away signing key, its public keyring, good and wrong detached signatures; None without gpg."""
    if not shutil.which("gpg"):
        yield None
        return
    work = tmp_path_factory.mktemp("gpg")
    home = str(work / "home")
    os.mkdir(home, 0o700)
    try:
        _gpg(home, "--passphrase", "", "--quick-gen-key", "gofleet test <gofleet-test@example.invalid>",
             "future-default", "sign", "never")
        listing = _gpg(home, "--with-colons", "--list-keys").stdout
        fingerprint = [line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")][0]
        keyring = str(work / "release-keys.asc")
        with open(keyring, "w") as f:
            f.write(_gpg(home, "--armor", "--export").stdout)
        sign = ["--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--detach-sign", "--output"]
        good = str(work / (tarballs["1.22.12"].name + ".asc"))
        _gpg(home, *(sign + [good, tarballs["1.22.12"].path]))
        other = str(work / "other-file")
        with open(other, "w") as f:
            f.write("not the tarball\n")
        wrong = str(work / (tarballs["1.23.5"].name + ".asc"))
        _gpg(home, *(sign + [wrong, other]))
        yield {"fingerprint": fingerprint, "keyring": keyring, "good": good, "wrong": wrong}
    finally:
        subprocess.run(["gpgconf", "--homedir", home, "--kill", "all"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def _need_gpg(kit):
    if kit is None:
        pytest.skip("skipped: gpg is not installed on this machine")


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory, tarballs):
    """Crafted go1.23.5 tarballs: truncated real one, arm64 go/bin/go, shell-script go/bin/go."""
    work = tmp_path_factory.mktemp("bad")
    files = {}
    truncated = str(work / "truncated" / tarballs["1.23.5"].name)
    os.mkdir(os.path.dirname(truncated))
    with open(tarballs["1.23.5"].path, "rb") as src, open(truncated, "wb") as out:
        out.write(src.read(20 * 1024 * 1024))  # head -c 20M
    files["truncated"] = truncated
    arm64_header = (b"\x7fELF\x02\x01\x01" + b"\0" * 9 + struct.pack("<HHIQQQIHHHHHH", 2, 183, 1, 0x10000, 0, 0, 0, 64, 56, 0, 64, 0, 0))
    for kind, go_bin in (("arm64", arm64_header + b"\0" * 1024), ("script", b"#!/bin/sh\necho go version go1.23.5 linux/amd64\n")):
        path = str(work / kind)
        os.mkdir(path)
        files[kind] = write_tar_gz(os.path.join(path, tarballs["1.23.5"].name), [
            ("go", None, 0o755), ("go/VERSION", b"go1.23.5\ntime 2025-01-16T18:00:00Z\n", 0o644),
            ("go/go.env", b"GOTOOLCHAIN=auto\n", 0o644), ("go/bin", None, 0o755), ("go/bin/go", go_bin, 0o755)])
    return files


@pytest.fixture(scope="module")
def mirror(tmp_path_factory, tarballs, http_server):
    """An internal mirror over http: the tarballs, a SHA256SUMS and a go.dev-style JSON index."""
    www = tmp_path_factory.mktemp("www")
    for t in tarballs.values():
        os.symlink(t.path, str(www / t.name))
    (www / "SHA256SUMS").write_text("".join("%s  %s\n" % (t.sha256, t.name) for t in tarballs.values()))
    index = [{"version": "go" + t.version, "stable": True, "files": [
        {"filename": t.name, "os": "linux", "arch": t.arch, "sha256": t.sha256, "kind": "archive"}]} for t in tarballs.values()]
    (www / "dl").mkdir()
    (www / "dl" / "index.json").write_text(json.dumps(index))
    return http_server(str(www))


@pytest.fixture(scope="module")
def guarded(tmp_path_factory, tarballs, run_module, gpg_kit, mirror):
    """1.22.12 installed from the http mirror, checksum from its go.dev-style JSON index, signature
    checked when gpg exists; active. Every bad input below must leave it working."""
    lay = NodeLayout(tmp_path_factory.mktemp("guarded"), tarballs)
    t = tarballs["1.22.12"]
    args = lay.args("1.22.12", src=Ellipsis, url="%s/%s" % (mirror, t.name), checksum=Ellipsis,
                    checksum_url=mirror + "/dl/index.json")
    if gpg_kit:
        args.update(signature=gpg_kit["good"], keyring=gpg_kit["keyring"])
    lay.first_args = args
    lay.first = run_module(args)
    assert lay.first["changed"] is True, lay.first
    return lay


def test_url_install_over_http_with_go_dev_json_index(guarded, tarballs, run_direct):
    t = tarballs["1.22.12"]
    assert guarded.first["actions"][0] == "install go1.22.12 (missing)"
    assert guarded.first["tarball_sha256"] == t.sha256
    receipt = guarded.receipt("1.22.12")
    assert receipt["tarball"]["source"] == guarded.first_args["url"] and receipt["tarball"]["sha256"] == t.sha256
    assert receipt["tarball"]["filename"] == t.name
    assert_matches_receipt(guarded, "1.22.12", "full")
    assert go_version(guarded.go()) == "go1.22.12"
    assert atomic.leftover_staging_dirs(guarded.root) == []  # the download lived in staging
    assert run_direct(guarded.first_args)["changed"] is False


def test_gpg_right_keyring_passes_and_signer_is_recorded(guarded, gpg_kit):
    _need_gpg(gpg_kit)
    tarball = guarded.receipt("1.22.12")["tarball"]
    assert tarball["signature"] == gpg_kit["good"]
    assert tarball["signer_fingerprint"] == gpg_kit["fingerprint"]
    assert go_version(guarded.go()) == "go1.22.12"


# (id, args for the run given a context, words the one-line message must contain)
BAD_INPUTS = [
    ("malformed-version", lambda c: dict(c.lay.args("1.23.5"), version="1.23.x"), lambda c: ["version", "'1.23.x'"]),
    ("missing-src", lambda c: c.lay.args("1.23.5", src="/nonexistent/go1.23.5.linux-amd64.tar.gz"),
     lambda c: ["src /nonexistent/go1.23.5.linux-amd64.tar.gz"]),
    ("url-404", lambda c: c.lay.args("1.23.5", src=Ellipsis, url=c.mirror + "/missing/go1.23.5.linux-amd64.tar.gz"),
     lambda c: ["url %s/missing/go1.23.5.linux-amd64.tar.gz" % c.mirror, "HTTP 404"]),
    ("checksum-url-404", lambda c: c.lay.args("1.23.5", checksum=Ellipsis, checksum_url=c.mirror + "/NO-SUMS"),
     lambda c: ["checksum_url %s/NO-SUMS" % c.mirror, "HTTP 404"]),
    ("wrong-checksum", lambda c: c.lay.args("1.23.5", checksum="sha256:" + c.tarballs["1.22.12"].sha256),
     lambda c: ["checksum mismatch for src %s" % c.tarballs["1.23.5"].path, c.tarballs["1.22.12"].sha256]),
    ("truncated-tarball", lambda c: c.lay.args("1.23.5", src=c.bad["truncated"], checksum="sha256:" + sha256_of(c.bad["truncated"])),
     lambda c: [c.bad["truncated"], "truncated or not a valid tarball"]),
    ("arm64-go-binary", lambda c: c.lay.args("1.23.5", src=c.bad["arm64"], checksum="sha256:" + sha256_of(c.bad["arm64"])),
     lambda c: [c.bad["arm64"], "go/bin/go is a 64-bit little-endian ELF for arm64", "linux-amd64"]),
    ("shell-script-go-binary", lambda c: c.lay.args("1.23.5", src=c.bad["script"], checksum="sha256:" + sha256_of(c.bad["script"])),
     lambda c: [c.bad["script"], "go/bin/go is not an ELF executable"]),
    ("wrong-signature", lambda c: c.lay.args("1.23.5", signature=c.gpg["wrong"], keyring=c.gpg["keyring"]),
     lambda c: ["signature %s does not verify" % c.gpg["wrong"], c.gpg["keyring"], "BAD signature"]),
]


class Ctx(object):
    pass


@pytest.fixture(scope="module")
def bad_results(guarded, tarballs, bad_files, mirror, gpg_kit, run_module_tasks):
    """All bad inputs in one playbook (one task each, failures do not stop the play): {id: result}."""
    c = Ctx()
    c.lay, c.tarballs, c.bad, c.mirror, c.gpg = guarded, tarballs, bad_files, mirror, gpg_kit
    cases = [case for case in BAD_INPUTS if gpg_kit or case[0] != "wrong-signature"]
    results = run_module_tasks([make_args(c) for _id, make_args, _words in cases])
    return c, dict((case[0], result) for case, result in zip(cases, results))


@pytest.mark.parametrize("case,words", [(c[0], c[2]) for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_fails_one_line_and_active_version_keeps_working(guarded, tarballs, gpg_kit, bad_results, case, words):
    if case == "wrong-signature":
        _need_gpg(gpg_kit)
    if case == "arm64-go-binary" and tarballs["1.23.5"].arch != "amd64":
        pytest.skip("skipped: the crafted arm64 binary is only foreign on amd64 nodes")
    c, results = bad_results
    assert_one_line_failure(results[case], *words(c))
    assert os.readlink(guarded.link) == guarded.goroot("1.22.12")
    assert go_version(guarded.go()) == "go1.22.12"
    assert not os.path.exists(guarded.goroot("1.23.5"))
    assert not os.path.exists(toolchain.receipt_path(guarded.root, "1.23.5"))
    assert atomic.leftover_staging_dirs(guarded.root) == []
    assert_matches_receipt(guarded, "1.22.12")


@pytest.fixture
def small_tmpfs(tmp_path):
    mnt = tmp_path / "tmpfs-root"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m,mode=0755", "tmpfs", str(mnt)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    if proc.returncode != 0:
        pytest.skip("skipped: mounting a tmpfs is not permitted here: %s" % proc.stdout.strip())
    try:
        yield str(mnt)
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_full_disk_fails_one_line_and_active_version_keeps_working(guarded, tarballs, run_module, small_tmpfs):
    t = tarballs["1.23.5"]
    args = guarded.args("1.23.5", install_root=small_tmpfs)
    result = run_module(args)
    assert_one_line_failure(result, "no space left on device", t.path, small_tmpfs)
    assert os.readlink(guarded.link) == guarded.goroot("1.22.12")
    assert go_version(guarded.go()) == "go1.22.12"
    assert os.listdir(small_tmpfs) == [toolchain.LOCK_FILE]  # staging removed, no partial tree, no receipt
    st = os.statvfs(small_tmpfs)
    assert (st.f_blocks - st.f_bfree) * st.f_frsize < 1024 * 1024


def test_url_install_over_http_with_sha256sums(guarded, tarballs, mirror, run_module, run_direct):
    t = tarballs["1.23.5"]
    args = guarded.args("1.23.5", src=Ellipsis, url="%s/%s" % (mirror, t.name), checksum=Ellipsis,
                        checksum_url=mirror + "/SHA256SUMS", activate=False)
    result = run_module(args)
    assert result["changed"] is True and result["actions"] == ["install go1.23.5 (missing)"]
    assert result["tarball_sha256"] == t.sha256 and result["active_version"] == "1.22.12"
    receipt = guarded.receipt("1.23.5")
    assert receipt["tarball"]["source"] == args["url"] and receipt["tarball"]["sha256"] == t.sha256
    assert go_version(os.path.join(guarded.goroot("1.23.5"), "bin", "go")) == "go1.23.5"
    assert os.readlink(guarded.link) == guarded.goroot("1.22.12")
    assert atomic.leftover_staging_dirs(guarded.root) == []
    assert run_direct(args)["changed"] is False
