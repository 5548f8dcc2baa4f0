# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet bundle with its toolchains from a GOPROXY as official toolchain module zips (issue 12).

The proxy is a directory laid out like a proxy's cache/download (the connected side's cache of
tests/harness/goproxy.py, read only), pinned by a go.sum-style file. MANIFEST.json and the SPDX
SBOM (checked by pyspdxtools) record each toolchain's kind and both hashes; the `bundle` action
checks the zips' h1 as well as the sums; a rebuild is a no-op.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import fleet_bundle
# goproxy: the session fixture, found by name.
from goproxy import CACHE, goproxy, toolchain_module  # noqa: F401 pylint: disable=unused-import
from module_runner import VENV_BIN, assert_one_line_failure

from test_bundle import build_playbook, changed, sha256  # tests/integration: the tarball bundle's helpers

pytestmark = pytest.mark.integration

VERSION = "1.22.12"
ARCHES = ["amd64", "arm64"]


@pytest.fixture(scope="module")
def zips(goproxy):
    keys = [toolchain_module(VERSION, arch) for arch in ARCHES]
    return goproxy(keys)


@pytest.fixture(scope="module")
def built(zips, tmp_path_factory):
    base = tmp_path_factory.mktemp("zip-bundle")
    go_sum = base / "toolchains.sum"
    go_sum.write_text("".join("%s %s %s\n%s %s/go.mod %s\n" % (i["Path"], i["Version"], i["Sum"], i["Path"], i["Version"],
                                                               i["GoModSum"]) for i in zips.values()))
    extra = {"gofleet_bundle_dir": str(base / "bundle"), "gofleet_go_goproxy": str(CACHE / "cache" / "download"),
             "gofleet_go_sum": str(go_sum), "gofleet_go_versions": [VERSION], "gofleet_go_arches": ARCHES}
    proc = build_playbook(extra)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return {"base": base, "dir": base / "bundle", "extra": extra, "go_sum": go_sum}


def test_manifest_records_kind_sha256_and_h1_of_every_zip(built, zips):
    doc = json.loads((built["dir"] / "MANIFEST.json").read_text())
    toolchains = dict((e["name"], e) for e in doc["files"] if e["kind"] == "toolchain")
    assert sorted(toolchains) == ["go%s.linux-%s.zip" % (VERSION, arch) for arch in ARCHES]
    for arch in ARCHES:
        info = zips[toolchain_module(VERSION, arch)]
        entry = toolchains["go%s.linux-%s.zip" % (VERSION, arch)]
        assert (entry["format"], entry["h1"], entry["module"]) == ("module_zip", info["Sum"], "golang.org/toolchain@" + info["Version"])
        assert entry["sha256"] == sha256(info["Zip"]) == sha256(built["dir"] / entry["name"])
        assert entry["origin"].endswith("/golang.org/toolchain/@v/%s.zip" % info["Version"])


def test_sbom_is_valid_spdx_and_carries_the_h1_beside_the_sha256(built, zips):
    sbom = built["dir"] / "sbom.spdx.json"
    proc = subprocess.run([os.path.join(VENV_BIN, "pyspdxtools"), "-i", str(sbom)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(sbom.read_text())
    for arch in ARCHES:
        info = zips[toolchain_module(VERSION, arch)]
        pkg = [p for p in doc["packages"] if p["SPDXID"] == "SPDXRef-go-%s-%s" % (VERSION, arch)][0]
        assert pkg["checksums"] == [{"algorithm": "SHA256", "checksumValue": sha256(info["Zip"])}]
        refs = dict((r["referenceType"], (r["referenceCategory"], r["referenceLocator"])) for r in pkg["externalRefs"])
        assert refs["go-module-h1"] == ("OTHER", info["Sum"])
        purls = [r["referenceLocator"] for r in pkg["externalRefs"] if r["referenceType"] == "purl"]
        assert purls == ["pkg:golang/stdlib@%s?arch=%s" % (VERSION, arch), "pkg:golang/golang.org/toolchain@" + info["Version"]]
        assert "module_zip" in pkg["comment"]


def test_rebuild_is_a_noop(built):
    proc = build_playbook(built["extra"])
    assert proc.returncode == 0 and changed(proc) == 0, proc.stdout[-3000:]


def test_verify_passes_and_reports_the_kind(run_module, built, zips):
    result = run_module({"path": str(built["dir"])}, module="gofleet.golang.bundle")
    assert result.get("failed") is not True, result
    entry = result["toolchains"][VERSION]["arm64"]
    assert (entry["format"], entry["h1"]) == ("module_zip", zips[toolchain_module(VERSION, "arm64")]["Sum"])


def test_verify_checks_the_h1_that_the_sums_do_not_cover(run_module, built, tmp_path):
    """A MANIFEST.json whose h1 was changed and SHA256SUMS re-made to match: only the h1 check sees it."""
    copy = tmp_path / "bundle"
    shutil.copytree(str(built["dir"]), str(copy))
    doc = json.loads((copy / "MANIFEST.json").read_text())
    name = "go%s.linux-amd64.zip" % VERSION
    wrong = "h1:" + "A" * 43 + "="
    for entry in doc["files"]:
        if entry["name"] == name:
            entry["h1"] = wrong
    (copy / "MANIFEST.json").write_bytes((json.dumps(doc, sort_keys=True, indent=1) + "\n").encode())
    sums = dict((n, sha256(copy / n)) for n in fleet_bundle.sums_names((copy / "SHA256SUMS").read_text()))
    (copy / "SHA256SUMS").write_text(fleet_bundle.render_sums(sums))
    result = run_module({"path": str(copy)}, module="gofleet.golang.bundle")
    assert_one_line_failure(result, name, wrong, "MANIFEST.json")


def test_an_unpinned_or_wrongly_pinned_zip_fails_in_one_line(built, tmp_path):
    go_sum = tmp_path / "wrong.sum"
    go_sum.write_text("golang.org/toolchain v0.0.1-go%s.linux-amd64 h1:%s=\n" % (VERSION, "A" * 43))
    extra = dict(built["extra"], gofleet_bundle_dir=str(tmp_path / "b"), gofleet_go_sum=str(go_sum))
    for arches, words in ((["amd64"], ["checksum mismatch", "go1.22.12.linux-amd64.zip", str(go_sum)]),
                          (["arm64"], ["does not list golang.org/toolchain v0.0.1-go1.22.12.linux-arm64"])):
        proc = build_playbook(dict(extra, gofleet_go_arches=arches))
        assert proc.returncode != 0
        msgs = [r.get("msg", "") for p in json.loads(proc.stdout)["plays"] for t in p["tasks"]
                for r in t["hosts"].values() if r.get("failed")]
        assert msgs and "\n" not in msgs[0].strip(), msgs
        for word in words:
            assert word in msgs[0], (word, msgs[0])
        assert not (tmp_path / "b").exists()
