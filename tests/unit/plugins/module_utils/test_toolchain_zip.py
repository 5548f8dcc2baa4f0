# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain from a toolchain module zip: the h1 pin, the receipt, repair. run_command mocked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import artifact_options, goproxy_paths, manifest, toolchain
from ansible_collections.gofleet.golang.plugins.module_utils import toolchain_artifact
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import tarball_arch

from tar_fixtures import sha256_of, write_zip  # tests/tar_fixtures.py

VERSION = "1.99.1"
ARCH = tarball_arch()
ZVERSION = toolchain_artifact.module_version(VERSION, ARCH)
PREFIX = "golang.org/toolchain@%s/" % ZVERSION
GO_VERSION_OK = (0, "go version go%s linux/%s\n" % (VERSION, ARCH), "")


def make_zip(path, prefix=PREFIX):
    go = open(os.path.realpath(shutil.which("true") or "/bin/true"), "rb").read()
    members = [(prefix + "VERSION", ("go%s\ntime 2026-01-01T00:00:00Z\n" % VERSION).encode(), 0o644),
               (prefix + "go.env", b"GOPROXY=https://proxy.golang.org,direct\nGOTOOLCHAIN=auto\n", 0o644),
               (prefix + "bin/go", go, 0o755), (prefix + "bin/gofmt", b"\x7fELF gofmt", 0o755),
               (prefix + "src/fmt/print.go", b"package fmt\n", 0o644)]
    path = write_zip(path, members)
    return path, goproxy_paths.check_zip(path, "golang.org/toolchain", prefix.split("@")[1].rstrip("/"))


@pytest.fixture
def node(tmp_path):
    base = tmp_path / "node"
    zip_path, h1 = make_zip(tmp_path / ("%s.zip" % ZVERSION))

    def params(**overrides):
        p = dict(version=VERSION, state="present", src=zip_path, checksum=h1, install_root=str(base / "lib"),
                 link=str(base / "go"), bin_dir=str(base / "bin"), activate=True, keep=None, env={},
                 verify="fast", force=False, max_unpacked_size=2147483648)
        p.update(overrides)
        return p
    return base, zip_path, h1, params


@pytest.fixture
def runner(run_command):
    return toolchain.Runner(run_command([(lambda argv: argv[0].endswith("/bin/go"), GO_VERSION_OK)], strict=True))


def run(params, runner, check=False):
    req = toolchain.Request(params, ARCH)
    state = toolchain.NodeState(req)
    p = toolchain.plan(req, state)
    receipt = toolchain.apply(req, state, p, runner) if p.needs_apply and not check else state.receipt
    return req, p, toolchain.result(req, state, p, receipt)


def test_zip_installs_with_a_receipt_that_records_kind_and_both_hashes(node, runner):
    base, zip_path, h1, params = node
    for checksum in (h1, "golang.org/toolchain %s %s" % (ZVERSION, h1), "sha256:" + sha256_of(zip_path)):
        shutil.rmtree(str(base), ignore_errors=True)
        req, p, result = run(params(checksum=checksum), runner)
        assert p.actions[0] == "install go%s (missing)" % VERSION
        receipt = json.load(open(result["receipt"]))
        assert receipt["tarball"]["format"] == "module_zip" and receipt["tarball"]["h1"] == h1
        assert receipt["tarball"]["sha256"] == sha256_of(zip_path)
        assert receipt["tarball"]["module"] == "golang.org/toolchain@" + ZVERSION
        assert receipt["go_version"] == GO_VERSION_OK[1].strip()
        assert (result["artifact_format"], result["artifact_h1"]) == ("module_zip", h1)
        assert open(os.path.join(req.goroot, "VERSION")).read().startswith("go" + VERSION)
        assert manifest.compare(req.goroot, receipt["manifest"], "full", exclude=("go.env",)) == []
        assert run(params(checksum=checksum), runner)[1].actions == []


def test_drift_in_a_zip_tree_is_predicted_then_repaired_path_by_path(node, runner):
    _base, _zip, _h1, params = node
    req = run(params(), runner)[0]
    with open(os.path.join(req.goroot, "src", "fmt", "print.go"), "a") as f:
        f.write("// edit\n")
    os.unlink(os.path.join(req.goroot, "bin", "gofmt"))
    for verify in ("fast", "full"):
        _req, check, _res = run(params(verify=verify), runner, check=True)
        want = [("bin/gofmt", "missing"), ("src/fmt/print.go", "content")]
        assert sorted((i["item"], i["aspect"]) for i in check.drift_items) == want
    _req, real, _res = run(params(verify="full"), runner)
    assert real.actions == check.actions == ["repair go%s (drift in 2 paths)" % VERSION]
    assert run(params(verify="full"), runner)[1].actions == []
    assert open(os.path.join(req.goroot, "src", "fmt", "print.go")).read() == "package fmt\n"


BAD = [
    ("wrong-h1", {"checksum": "h1:" + "A" * 43 + "="}, ["checksum mismatch for src", "expected h1:AAAA"]),
    ("other-arch-line", {"checksum": "golang.org/toolchain v0.0.1-go%s.linux-riscv64 h1:%s=" % (VERSION, "A" * 43)},
     ["go.sum line of golang.org/toolchain v0.0.1-go%s.linux-riscv64" % VERSION]),
    ("go-mod-line", {"checksum": "golang.org/toolchain %s/go.mod h1:%s=" % (ZVERSION, "A" * 43)}, ["go.mod line"]),
    ("no-checksum", {"checksum": None}, ["h1:<base64> or the zip's go.sum line", "required"]),
    ("h1-for-a-tarball", {"src": "/tmp/go1.99.1.linux-amd64.tar.gz"}, ["module zip's h1 hash", "is a tarball"]),
    ("no-format", {"src": "/tmp/go1.99.1.bin"}, ["format cannot be told", "src", "go1.99.1.bin"]),
    ("tarball-from-goproxy", {"src": None, "goproxy": "https://proxy.example", "format": "tarball"}, ["goproxy serves module zips"]),
]


@pytest.mark.parametrize("overrides,words", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_zip_requests_fail_in_one_line(node, runner, overrides, words):
    _base, _zip, _h1, params = node
    with pytest.raises(GofleetError) as err:
        run(params(**overrides), runner)
    assert "\n" not in err.value.message
    for word in words:
        assert word in err.value.message


def test_a_zip_of_another_version_fails_naming_the_zip(node, tmp_path, runner):
    _base, _zip, _h1, params = node
    other, other_h1 = make_zip(tmp_path / "other.zip", prefix="golang.org/toolchain@v0.0.1-go1.98.0.linux-%s/" % ARCH)
    with pytest.raises(GofleetError) as err:
        run(params(src=other, checksum=other_h1), runner)
    assert other in err.value.message and "does not start with " + PREFIX in err.value.message


def test_goproxy_names_the_module_zip_url_and_checksum_url_reads_go_sum(node):
    _base, _zip, h1, params = node
    req = toolchain.Request(params(src=None, goproxy="https://proxy.example/"), ARCH)
    assert req.url == "https://proxy.example/golang.org/toolchain/@v/%s.zip" % ZVERSION
    assert req.artifact.is_zip and req.tarball_name == ZVERSION + ".zip"
    go_sum = "golang.org/toolchain %s/go.mod h1:%s=\ngolang.org/toolchain %s %s\n" % (ZVERSION, "B" * 43, ZVERSION, h1)
    checks = artifact_options.ArtifactChecks({"checksum_url": "https://x/go.sum"}, module_zips=True)
    assert checks.expected("x.zip", req.artifact.module, lambda *a: go_sum) == ("h1", h1)


def test_a_src_checked_once_per_run_is_hashed_again_once_it_changed(node):
    _base, zip_path, h1, params = node
    # Pinned by sha256: bytes appended after the central directory leave a zip's h1 as it was.
    req = toolchain.Request(params(checksum="sha256:" + sha256_of(zip_path)), ARCH)
    expected = req.expected()
    assert req.artifact.check(zip_path, expected, "src") == (sha256_of(zip_path), h1)
    assert req.artifact.check(zip_path, expected, "src") == (sha256_of(zip_path), h1)
    with open(zip_path, "ab") as f:
        f.write(b"appended after the plan")  # its sha256 and ctime change
    with pytest.raises(GofleetError, match="checksum mismatch for src"):
        req.artifact.check(zip_path, expected, "src")


def test_an_h1_with_no_source_means_the_installed_zip_toolchain(node, runner):
    _base, _zip, h1, params = node
    run(params(), runner)
    _req, p, result = run(params(src=None), runner)
    assert p.actions == [] and result["artifact_format"] == "module_zip"
