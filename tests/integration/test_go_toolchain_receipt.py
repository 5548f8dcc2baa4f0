# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain receipts and drift on a real Go tree: torn receipts, a forged receipt entry,
owner and mode drift shown in --check --diff, and the verify_full_every rotation.

One node layout (`node`) with 1.22.12 installed and active lives for the whole module; the tests
run in file order and each one leaves the tree as the receipt describes it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import stat
import subprocess
import time

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, drift, manifest, toolchain
from ansible_collections.gofleet.golang.plugins.module_utils import toolchain_receipt
from module_runner import NodeLayout, go_version, same_size_edit

pytestmark = pytest.mark.integration

VERSION = "1.22.12"


@pytest.fixture(scope="module", name="node")
def node_fixture(tmp_path_factory, tarballs, run_direct):
    lay = NodeLayout(tmp_path_factory.mktemp("receipts"), tarballs)
    first = run_direct(lay.args(VERSION))
    assert first["changed"] is True and first["active_version"] == VERSION, first
    return lay


def receipt_file(node):
    return toolchain.receipt_path(node.root, VERSION)


def rewrite_receipt(node, change):
    data = node.receipt(VERSION)
    change(data)
    atomic.write_file(receipt_file(node), json.dumps(data, sort_keys=True))


def aspects(result):
    return [(i["item"], i["aspect"]) for i in result["drift_items"]]


def assert_clean(node, run_direct, **extra):
    again = run_direct(node.args(VERSION, verify="full", **extra))
    assert again["changed"] is False and again["drift"] == [] and again["actions"] == [], again
    assert atomic.leftover_staging_dirs(node.root) == []
    assert go_version(node.go()) == "go" + VERSION


def assert_no_traceback(result):
    assert result["_rc"] == 0 and "Traceback" not in result["_output"], result["_output"]


# ============================================================ issue 14.3: a receipt of the wrong shape


def _manifest_list(node):
    rewrite_receipt(node, lambda d: d.update(manifest=[]))


TORN = [
    ("a-list", b"[]", "not a JSON object"),
    ("tarball-null", b'{"tarball": null}', "tarball sha256 missing or not text"),
    ("manifest-a-list", _manifest_list, "manifest is not a mapping"),
    ("non-utf8", b'{"version": "1.22.12", "tarball": {"sha256": "\xff"}}', "not UTF-8"),
]


@pytest.mark.parametrize("torn,why", [c[1:] for c in TORN], ids=[c[0] for c in TORN])
def test_01_torn_receipt_reinstalls_in_one_line(node, run_direct, run_module, torn, why):
    if callable(torn):
        torn(node)
    else:
        with open(receipt_file(node), "wb") as f:
            f.write(torn)
    check = run_module(node.args(VERSION), check=True)
    assert_no_traceback(check)
    expected = "install go%s (torn receipt %s: %s)" % (VERSION, receipt_file(node), why)
    assert check["changed"] is True and check["actions"] == [expected]
    real = run_direct(node.args(VERSION))
    assert_no_traceback(real)
    assert real["changed"] is True and real["actions"] == check["actions"]
    receipt = node.receipt(VERSION)
    assert toolchain_receipt.receipt_problem(receipt, VERSION) is None and receipt["schema"] == toolchain_receipt.RECEIPT_SCHEMA
    assert_clean(node, run_direct)


# ============================================================ issue 14.4: full trusts the tarball, not the receipt


def test_02_full_catches_a_replaced_gofmt_with_a_consistent_forged_receipt_entry(node, run_direct, run_module):
    goroot = node.goroot(VERSION)
    gofmt = os.path.join(goroot, "bin", "gofmt")
    original = open(gofmt, "rb").read()
    # A trojan of the same size, mode and mtime, and a receipt entry rewritten to match it.
    st = os.stat(gofmt)
    trojan = b"#!/bin/sh\necho pwned\n" + b"\0" * (len(original) - len(b"#!/bin/sh\necho pwned\n"))
    with open(gofmt, "wb") as f:
        f.write(trojan)
    os.utime(gofmt, ns=(st.st_atime_ns, st.st_mtime_ns))
    rewrite_receipt(node, lambda d: d["manifest"].update(
        {"bin/gofmt": manifest.entry_of(gofmt, with_hash=True, with_owner=True)}))

    fast = run_direct(node.args(VERSION), check=True)
    assert fast["changed"] is False and fast["drift"] == [] and fast["verify"] == "fast"  # fast trusts the receipt

    check = run_module(node.args(VERSION, verify="full"), check=True, diff=True)
    assert check["changed"] is True and check["verify"] == "full"
    assert aspects(check) == [("bin/gofmt", "content")]
    (item,) = check["drift_items"]
    assert item["expected"] == "sha256=" + hashlib.sha256(original).hexdigest()
    assert item["found"] == "sha256=" + hashlib.sha256(trojan).hexdigest()
    shown = [d for d in check["diff"] if d["before_header"].startswith(goroot)]
    assert shown == [drift.diff(check["drift_items"], goroot)]
    assert open(gofmt, "rb").read() == trojan  # check mode

    real = run_module(node.args(VERSION, verify="full"))
    assert real["changed"] is True and real["actions"] == ["repair go%s (drift in 1 path)" % VERSION]
    assert open(gofmt, "rb").read() == original
    assert node.receipt(VERSION)["manifest"]["bin/gofmt"]["sha256"] == hashlib.sha256(original).hexdigest()
    fmt = subprocess.run([gofmt], input="package x\nvar  a=1\n", stdout=subprocess.PIPE, universal_newlines=True, check=False)
    assert fmt.returncode == 0 and "var a = 1" in fmt.stdout
    assert_clean(node, run_direct)
    assert run_direct(node.args(VERSION))["changed"] is False


# ============================================================ issue 13.2: owners; 13.12: drift in --check --diff


def test_03_owner_change_reported_under_fast_and_full_in_the_diff_and_chowned_back(node, run_direct, run_module):
    go = os.path.join(node.goroot(VERSION), "bin", "go")
    assert node.receipt(VERSION)["manifest"]["bin/go"]["uid"] == 0
    os.chown(go, 65534, 65534)
    owner = drift.item("bin/go", "owner", "0:0", "65534:65534")
    for verify in ("fast", "full"):
        check = run_module(node.args(VERSION, verify=verify), check=True, diff=True)
        assert check["changed"] is True and check["drift_items"] == [owner], verify
        assert check["drift"] == ["owner: bin/go (0:0 -> 65534:65534)"]
        shown = [d for d in check["diff"] if d["before_header"].startswith(node.goroot(VERSION))]
        assert shown[0]["before"] == "owner bin/go: 65534:65534\n" and shown[0]["after"] == "owner bin/go: 0:0\n"
        assert "owner bin/go" in check["_output"]  # --diff prints it without -v
    assert (os.stat(go).st_uid, os.stat(go).st_gid) == (65534, 65534)
    real = run_module(node.args(VERSION))
    assert real["changed"] is True and real["actions"] == ["repair go%s (drift in 1 path)" % VERSION]
    assert (os.stat(go).st_uid, os.stat(go).st_gid) == (0, 0)
    assert_clean(node, run_direct)


def test_04_old_receipt_without_owners_still_sees_an_owner_change(node, run_direct):
    def strip(data):
        data["schema"] = 1
        for entry in data["manifest"].values():
            entry.pop("uid", None)
            entry.pop("gid", None)
    rewrite_receipt(node, strip)
    assert run_direct(node.args(VERSION))["changed"] is False
    go = os.path.join(node.goroot(VERSION), "bin", "go")
    os.chown(go, 65534, 0)
    check = run_direct(node.args(VERSION), check=True)
    assert check["drift_items"] == [drift.item("bin/go", "owner", "0:0", "65534:0")]
    real = run_direct(node.args(VERSION))
    assert real["changed"] is True and os.stat(go).st_uid == 0
    assert node.receipt(VERSION)["manifest"]["bin/go"]["uid"] == 0  # re-recorded by the repair
    assert_clean(node, run_direct)


def test_05_mode_change_is_a_mode_item_in_check_diff(node, run_direct, run_module):
    gofmt = os.path.join(node.goroot(VERSION), "bin", "gofmt")
    os.chmod(gofmt, 0o757)
    check = run_module(node.args(VERSION), check=True, diff=True)
    assert check["drift_items"] == [drift.item("bin/gofmt", "mode", "0755", "0757")]
    assert check["drift"] == ["mode: bin/gofmt (0755 -> 0757)"]
    assert "mode bin/gofmt: 0757" in check["_output"] and "mode bin/gofmt: 0755" in check["_output"]
    real = run_module(node.args(VERSION), diff=True)
    assert real["changed"] is True and real["drift_items"] == check["drift_items"]
    assert stat.S_IMODE(os.stat(gofmt).st_mode) == 0o755
    assert_clean(node, run_direct)


# ============================================================ issue 13.15: the verify rotation


def _days_ago(days):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - days * 86400))


def test_06_rotation_not_due_stays_fast_then_due_catches_asame_size_edit(node, run_direct, run_module):
    format_go = os.path.join(node.goroot(VERSION), "src", "fmt", "format.go")
    rewrite_receipt(node, lambda d: d.update(verified_full_at=_days_ago(3)))
    before = open(receipt_file(node), "rb").read()
    original = same_size_edit(format_go)
    args = node.args(VERSION, verify="fast", verify_full_every=7)

    not_due = run_direct(args)
    assert not_due["changed"] is False and not_due["verify"] == "fast" and not_due["drift"] == []
    assert open(receipt_file(node), "rb").read() == before  # nothing recorded for a fast run

    rewrite_receipt(node, lambda d: d.update(verified_full_at=_days_ago(8)))
    check = run_module(args, check=True, diff=True)
    assert check["changed"] is True and check["verify"] == "full"
    assert aspects(check) == [("src/fmt/format.go", "content")]
    assert node.receipt(VERSION)["verified_full_at"][:10] == _days_ago(8)[:10]  # check mode writes nothing

    due = run_module(args)
    assert due["changed"] is True and due["verify"] == "full"
    assert due["actions"] == ["repair go%s (drift in 1 path)" % VERSION]
    assert open(format_go, "rb").read() == original
    assert node.receipt(VERSION)["verified_full_at"][:10] == time.strftime("%Y-%m-%d", time.gmtime())

    after = run_direct(args)
    assert after["changed"] is False and after["verify"] == "fast"
    assert_clean(node, run_direct)


def test_07_a_due_rotation_without_drift_records_the_time_and_reports_no_change(node, run_direct):
    rewrite_receipt(node, lambda d: d.update(verified_full_at=_days_ago(10)))
    args = node.args(VERSION, verify_full_every=7)
    due = run_direct(args)
    assert due["changed"] is False and due["verify"] == "full" and due["actions"] == []
    assert node.receipt(VERSION)["verified_full_at"][:10] == time.strftime("%Y-%m-%d", time.gmtime())
    assert run_direct(args)["verify"] == "fast"
    assert go_version(node.go()) == "go" + VERSION
