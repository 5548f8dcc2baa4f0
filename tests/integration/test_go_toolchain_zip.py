# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain from the official toolchain module zip, for real: ansible-playbook, connection local.

The zip is golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64, fetched once on the connected side
through tests/harness/goproxy.py (the cache under .cache/goproxy) and served to the module by a
local http server laid out as a GOPROXY (the cache's download tree, read only): the module's own
`goproxy` option names the zip's URL, and its go.sum h1 pins it. One node layout for the module;
the tests run in file order: a wrong h1 refused -> check mode -> install (go version prints the
official string) -> idempotent -> builds offline -> drift (edit a stdlib file, delete bin/gofmt)
predicted in check mode and repaired -> no-op.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths, manifest, toolchain
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file
# goproxy: the session fixture, found by name.
from goproxy import CACHE, goproxy, toolchain_module  # noqa: F401 pylint: disable=unused-import
from module_runner import NodeLayout, assert_one_line_failure, go_run, same_size_edit, snapshot

pytestmark = pytest.mark.integration

VERSION = "1.22.12"
ARCH = "amd64"  # this machine; arm64 runs in tests/containers/test_toolchain_zip_arm64.py


@pytest.fixture(scope="module")
def official(goproxy, http_server):
    """(go's -json answer for the zip, the GOPROXY URL serving it)."""
    if os.uname().machine != "x86_64":
        pytest.skip("skipped: the amd64 toolchain zip runs on x86_64 only, this is %s" % os.uname().machine)
    key = toolchain_module(VERSION, ARCH)
    info = goproxy([key])[key]
    return info, http_server(CACHE / "cache" / "download")


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    return NodeLayout(tmp_path_factory.mktemp("zipnode"), {})


def zip_args(node, official, **extra):
    info, proxy = official
    args = {"version": VERSION, "goproxy": proxy, "checksum": "golang.org/toolchain %s %s" % (info["Version"], info["Sum"]),
            "install_root": node.root, "link": node.link, "bin_dir": node.bin}
    args.update(extra)
    return args


def test_01_the_h1_of_the_real_zip_is_go_s(official):
    info, _proxy = official
    assert goproxy_paths.check_zip(info["Zip"], info["Path"], info["Version"]) == info["Sum"]


def test_02_a_wrong_h1_fails_in_one_line_before_anything_is_extracted(node, official, run_module):
    wrong = "h1:" + "A" * 43 + "="
    failed = run_module(zip_args(node, official, checksum=wrong))
    assert_one_line_failure(failed, "checksum mismatch for url", ".zip", "expected " + wrong, "got " + official[0]["Sum"])
    assert not os.path.exists(node.goroot(VERSION))
    assert os.listdir(node.root) in ([], [".gofleet.lock"])  # nothing left behind, not even a staging dir


def test_03_check_mode_predicts_the_install_then_go_version_prints_the_official_string(node, official, run_module):
    info, proxy = official
    args = zip_args(node, official)
    before = snapshot(node.base)
    check = run_module(args, check=True)
    assert check["changed"] is True and check["actions"][0] == "install go%s (missing)" % VERSION
    assert (check["artifact_format"], check["artifact_h1"]) == ("module_zip", info["Sum"])
    assert snapshot(node.base) == before
    real = run_module(args)
    assert real["actions"] == check["actions"] and real["artifact_h1"] == info["Sum"]
    version = go_run(node.go(), "version")
    assert version.stdout == "go version go%s linux/%s\n" % (VERSION, ARCH), version
    receipt = node.receipt(VERSION)
    assert receipt["schema"] == 2 and receipt["go_version"] == version.stdout.strip()
    t = receipt["tarball"]
    assert (t["format"], t["h1"], t["module"]) == ("module_zip", info["Sum"], "golang.org/toolchain@" + info["Version"])
    assert t["sha256"] == real["tarball_sha256"] == sha256_file(info["Zip"])
    assert t["source"] == "%s/golang.org/toolchain/@v/%s.zip" % (proxy, info["Version"])
    # The zip's prefix is gone: the tree is the tarball layout, every file in the receipt.
    assert os.path.isfile(os.path.join(node.goroot(VERSION), "src", "fmt", "print.go"))
    assert manifest.compare(node.goroot(VERSION), receipt["manifest"], "full", exclude=toolchain.MANAGED_FILES) == []
    again = run_module(args)
    assert again["changed"] is False and again["actions"] == [] and again["drift"] == []


def test_04_the_zip_toolchain_builds_offline_with_gotoolchain_local(node, tmp_path):
    assert go_run(node.go(), "env", "GOTOOLCHAIN").stdout.strip() == "local"
    src = tmp_path / "hello"
    src.mkdir()
    (src / "go.mod").write_text("module example.com/hello\n\ngo 1.22\n")
    (src / "main.go").write_text('package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n')
    env = {"GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0", "GOPROXY": "off", "GOSUMDB": "off",
           "GONOSUMDB": "", "GOPATH": str(tmp_path / "gopath"), "GOCACHE": str(tmp_path / "gocache")}
    build = go_run(node.go(), "build", "-o", str(tmp_path / "hello.bin"), ".", cwd=str(src), env=env)
    assert build.returncode == 0, build.stderr
    assert subprocess.run([str(tmp_path / "hello.bin")], stdout=subprocess.PIPE, universal_newlines=True,
                          check=False).stdout == "hello\n"


def test_05_drift_in_the_zip_tree_check_mode_reports_what_the_real_run_repairs(node, official, run_module):
    goroot = node.goroot(VERSION)
    print_go = os.path.join(goroot, "src", "fmt", "print.go")
    same_size_edit(print_go)  # only a hash sees it: verify=full, which re-reads the verified zip
    os.unlink(os.path.join(goroot, "bin", "gofmt"))
    args = zip_args(node, official, verify="full")
    before = snapshot(node.base)
    check = run_module(args, check=True, diff=True)
    want = [("bin/gofmt", "missing"), ("src/fmt/print.go", "content")]
    assert sorted((i["item"], i["aspect"]) for i in check["drift_items"]) == want, check["drift_items"]
    assert check["actions"] == ["repair go%s (drift in 2 paths)" % VERSION]
    assert snapshot(node.base) == before
    real = run_module(args)
    assert real["changed"] is True and real["actions"] == check["actions"]
    assert real["drift_items"] == check["drift_items"]
    assert b"package fmt\n" in open(print_go, "rb").read() and os.path.isfile(os.path.join(goroot, "bin", "gofmt"))
    again = run_module(args)
    assert again["changed"] is False and again["drift"] == [] and again["verify"] == "full"
    assert go_run(node.go(), "version").stdout == "go version go%s linux/%s\n" % (VERSION, ARCH)
