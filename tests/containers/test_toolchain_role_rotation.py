"""toolchain_verify_full_every: a daily `fast` schedule that re-hashes the host when a full
verification is due, with the toolchain role on a host with no network.

A same-size edit with the mtime put back is invisible to `fast`. While the last full
verification (recorded in the receipt) is recent, the scheduled run stays fast and misses it;
once it is toolchain_verify_full_every days old, the run verifies fully, reports the edit in
--check --diff and repairs it.
"""

from __future__ import annotations

import json
import time

import pytest

import ansible_run

pytestmark = pytest.mark.containers
VERSION = "1.22.12"
GOROOT = "/usr/local/lib/go/go%s" % VERSION
RECEIPT = "/usr/local/lib/go/.receipts/go%s.json" % VERSION
FORMAT_GO = GOROOT + "/src/fmt/format.go"
TASK = "gofleet.golang.toolchain : Install and activate the Go toolchain"

# Runs in the container: the same-size edit that keeps the mtime, and the receipt's clock.
EDIT = """
import os, sys
p = sys.argv[1]
st = os.stat(p)
data = open(p, "rb").read()
open(p, "wb").write(data.replace(b"package fmt", b"package fmX", 1))
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
"""
SET_LAST_FULL = """
import json, sys
r = json.load(open(sys.argv[1]))
r["verified_full_at"] = sys.argv[2]
open(sys.argv[1], "w").write(json.dumps(r, sort_keys=True))
"""


def converge(tmp_path, host, tarball, check=False):
    plays = [{
        "name": "toolchain",
        "hosts": "all",
        "gather_facts": True,
        "vars": {"toolchain_version": VERSION, "toolchain_src": str(tarball["path"]),
                 "toolchain_checksum": "sha256:" + tarball["sha256"], "toolchain_verify": "fast",
                 "toolchain_verify_full_every": 7},
        "roles": [{"role": "gofleet.golang.toolchain"}],
    }]
    run = ansible_run.run_playbook(tmp_path, host, plays, check=check, diff=check)
    assert run.stats["failures"] == 0 and run.stats["unreachable"] == 0, run.proc.stdout[-4000:]
    return run


def days_ago(days):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - days * 86400))


def test_rotation_runs_a_full_verify_only_when_due(tmp_path, container_factory, debian_image, go_tarballs):
    if VERSION not in go_tarballs:
        pytest.skip("skipped: Go tarballs unavailable: no go%s" % VERSION)
    tarball = go_tarballs[VERSION]
    host = container_factory(debian_image, network="none", systemd=True)
    host.wait_systemd()
    first = converge(tmp_path, host, tarball)
    # A fresh host: the action plugin ships the tarball first, then the module installs from it.
    assert first.results[TASK]["actions"][0].startswith("copy ")
    assert first.results[TASK]["actions"][1] == "install go%s (missing)" % VERSION
    pristine = host.exec(["sha256sum", FORMAT_GO]).stdout.split()[0]

    host.exec(["python3", "-c", SET_LAST_FULL, RECEIPT, days_ago(3)])
    host.exec(["python3", "-c", EDIT, FORMAT_GO])
    not_due = converge(tmp_path, host, tarball)
    assert not_due.results[TASK]["verify"] == "fast" and not_due.results[TASK]["drift"] == []
    assert not_due.stats["changed"] == 0

    host.exec(["python3", "-c", SET_LAST_FULL, RECEIPT, days_ago(8)])
    dry = converge(tmp_path, host, tarball, check=True)
    assert dry.results[TASK]["verify"] == "full"
    assert [(i["item"], i["aspect"]) for i in dry.results[TASK]["drift_items"]] == [("src/fmt/format.go", "content")]
    assert "content src/fmt/format.go" in dry.proc.stdout  # shown by --diff, no -v needed
    assert host.exec(["sha256sum", FORMAT_GO]).stdout.split()[0] != pristine  # check mode repaired nothing

    due = converge(tmp_path, host, tarball)
    assert due.results[TASK]["actions"] == ["repair go%s (drift in 1 path)" % VERSION]
    assert host.exec(["sha256sum", FORMAT_GO]).stdout.split()[0] == pristine
    receipt = json.loads(host.exec(["cat", RECEIPT]).stdout)
    assert receipt["verified_full_at"][:10] == time.strftime("%Y-%m-%d", time.gmtime())

    after = converge(tmp_path, host, tarball)
    assert after.results[TASK]["verify"] == "fast" and after.stats["changed"] == 0
