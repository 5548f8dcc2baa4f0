# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet bundle on the controller: playbooks/bundle_build.yml over a go.dev/dl-shaped source
(served over http), its SBOM checked by spdx-tools' pyspdxtools, byte-identical rebuilds, and
gofleet.golang.bundle refusing tampered bundles in one line naming the file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess

import pytest

from module_runner import ROOT, VENV_BIN, assert_one_line_failure
from ansible_run import ansible_env

import bundle_fixtures
import mirror_fixtures

pytestmark = pytest.mark.integration

WANT = [("1.22.12", "amd64"), ("1.22.12", "arm64"), ("1.23.5", "amd64"), ("1.23.5", "arm64")]


@pytest.fixture(scope="module")
def source(tmp_path_factory, http_server):
    """An http go.dev/dl mirror with 1.22.12 and 1.23.5 for amd64 and arm64."""
    found = bundle_fixtures.available()
    if not all(key in found for key in WANT):
        proc = subprocess.run(["bash", os.path.join(ROOT, "tests", "harness", "go_tarballs.sh"),
                               "golang-1.22:arm64", "golang-1.23:arm64"], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        found = bundle_fixtures.available()
        if not all(key in found for key in WANT):
            pytest.skip("skipped: Go tarballs unavailable: go_tarballs.sh rc=%s: %s"
                        % (proc.returncode, (proc.stdout + proc.stderr).strip().splitlines()[-1:]))
    base = tmp_path_factory.mktemp("bundle-src")
    bundle_fixtures.go_source(base / "dl", [found[key] for key in WANT])
    return {"base": base, "url": http_server(base / "dl"), "tarballs": found}


def build_playbook(extra, check=False):
    """playbooks/bundle_build.yml with extra vars; returns the CompletedProcess."""
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), os.path.join(ROOT, "playbooks", "bundle_build.yml"),
           "-e", json.dumps(extra)]
    if check:
        cmd += ["--check", "--diff"]
    env = ansible_env(no_proxy="127.0.0.1,localhost", NO_PROXY="127.0.0.1,localhost", SOURCE_DATE_EPOCH="1700000000")
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900, check=False)


def changed(proc):
    """localhost's changed count in the JSON report (ansible_env selects the json callback)."""
    return json.loads(proc.stdout)["stats"]["localhost"]["changed"]


def sha256(path):
    return bundle_fixtures.sha256(path)


def gpg(home, *args):
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--no-tty", "--pinentry-mode", "loopback",
                           "--passphrase", ""] + list(args), capture_output=True, text=True, timeout=120, check=True)


def new_key(home, uid):
    os.makedirs(str(home), mode=0o700, exist_ok=True)
    gpg(home, "--quick-gen-key", uid, "ed25519", "sign", "never")
    keyring = os.path.join(str(home), "pub.gpg")
    gpg(home, "--output", keyring, "--export", uid)
    return keyring


@pytest.fixture(scope="module")
def built(source, tmp_path_factory):
    """A bundle of 2 versions x {amd64, arm64} plus a module mirror, a CA and a binary, signed."""
    if shutil.which("gpg") is None:
        pytest.skip("skipped: gpg unavailable on this machine")
    base = tmp_path_factory.mktemp("bundle-out")
    goroot = mirror_fixtures.extract_go(base / "goroot")
    proxy = mirror_fixtures.build_goproxy(base / "upstream")
    app = mirror_fixtures.copy_app("app", base / "app")
    mirror_fixtures.make_go_sum(goroot, app, proxy, base / "sumwork")
    ca = base / "internal-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    binary = base / "hello-svc"
    binary.write_bytes(b"\x7fELF fake service binary\n")
    keyring = new_key(base / "gnupg", "gofleet release <release@example.invalid>")
    extra = {
        "gofleet_bundle_dir": str(base / "fleet-bundle"),
        "gofleet_go_source": source["url"],
        "gofleet_go_versions": ["1.22.12", "go1.23.5"],
        "gofleet_go_arches": ["amd64", "arm64"],
        "gofleet_mirror_requirements": [str(app / "go.mod")],
        "gofleet_mirror_upstream": "file://%s" % proxy,
        "gofleet_mirror_gosumdb": "off",
        "gofleet_mirror_go": str(goroot / "bin" / "go"),
        "gofleet_bundle_ca": [str(ca)],
        "gofleet_bundle_binaries": [str(binary)],
        "gofleet_bundle_signing_key": "release@example.invalid",
        "gofleet_bundle_gnupg_home": str(base / "gnupg"),
    }
    proc = build_playbook(extra)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"base": base, "dir": base / "fleet-bundle", "tar": base / "fleet-bundle.tar", "extra": extra,
            "keyring": keyring, "first": proc.stdout}


def test_bundle_layout_manifest_and_sums(built, source):
    d = built["dir"]
    names = sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())
    toolchains = ["go%s.linux-%s.tar.gz" % key for key in sorted(WANT)]
    assert names == sorted(toolchains + ["MANIFEST.json", "SHA256SUMS", "SHA256SUMS.asc", "sbom.spdx.json",
                                         "ca/internal-ca.pem", "bin/hello-svc", "mirror/gomirror.tar.gz"])
    # Every toolchain is the very file the source serves.
    for key in WANT:
        name = "go%s.linux-%s.tar.gz" % key
        assert sha256(d / name) == sha256(source["tarballs"][key])
    sums = dict(reversed(line.split("  ", 1)) for line in (d / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == sorted(n for n in names if not n.startswith("SHA256SUMS"))
    for name, digest in sums.items():
        assert sha256(d / name) == digest, name
    manifest = json.loads((d / "MANIFEST.json").read_text())
    kinds = dict((e["name"], (e["kind"], e["version"], e["arch"])) for e in manifest["files"])
    assert kinds["go1.23.5.linux-arm64.tar.gz"] == ("toolchain", "1.23.5", "arm64")
    assert kinds["ca/internal-ca.pem"][0] == "ca" and kinds["bin/hello-svc"][0] == "binary"
    assert kinds["mirror/gomirror.tar.gz"][0] == "mirror"
    assert all(e["sha256"] == sums[e["name"]] and e["size"] == (d / e["name"]).stat().st_size for e in manifest["files"])
    assert os.access(str(d / "bin" / "hello-svc"), os.X_OK)
    # The tarball unpacks to <name>/ and its .sha256 says what it is.
    assert (built["base"] / "fleet-bundle.tar.sha256").read_text().split()[0] == sha256(built["tar"])


def test_sbom_is_valid_spdx_with_every_toolchain_and_module(built):
    sbom = built["dir"] / "sbom.spdx.json"
    proc = subprocess.run([os.path.join(VENV_BIN, "pyspdxtools"), "-i", str(sbom)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(sbom.read_text())
    assert doc["spdxVersion"] == "SPDX-2.3"
    purls = dict((ref["referenceLocator"], p) for p in doc["packages"] for ref in p.get("externalRefs", []))
    for version, arch in WANT:
        pkg = purls["pkg:golang/stdlib@%s?arch=%s" % (version, arch)]
        assert pkg["versionInfo"] == version
        assert pkg["checksums"] == [{"algorithm": "SHA256",
                                     "checksumValue": sha256(built["dir"] / ("go%s.linux-%s.tar.gz" % (version, arch)))}]
        # An IP host has no place in SPDX's download-location grammar: no assertion made.
        assert pkg["downloadLocation"] == "NOASSERTION"
    # The app's modules (and their dependency) are packages with purl, version, zip sha256 and h1.
    modules = [p for p in doc["packages"] if p.get("primaryPackagePurpose") == "LIBRARY"]
    assert modules, doc["packages"]
    go_sum = (built["base"] / "app" / "go.sum").read_text()
    for pkg in modules:
        purl = pkg["externalRefs"][0]["referenceLocator"]
        assert purl.startswith("pkg:golang/") and purl.endswith("@" + pkg["versionInfo"])
        assert len(pkg["checksums"][0]["checksumValue"]) == 64
        h1 = pkg["comment"].split("go.sum ")[1].split(",")[0]
        assert "%s %s %s" % (pkg["name"], pkg["versionInfo"], h1) in go_sum


def test_rebuild_is_a_noop_and_a_fresh_build_is_byte_identical(built, tmp_path):
    unsigned = dict(built["extra"])
    del unsigned["gofleet_bundle_signing_key"]
    dest = tmp_path / "fleet-bundle"
    unsigned["gofleet_bundle_dir"] = str(dest)
    sums = []
    for dummy in range(2):
        # From nothing each time: the bundle, its tarball and the module mirror built for it.
        for leftover in (dest, tmp_path / "fleet-bundle.mirror-build"):
            shutil.rmtree(str(leftover), ignore_errors=True)
        for leftover in ("fleet-bundle.tar", "fleet-bundle.tar.sha256"):
            if (tmp_path / leftover).exists():
                (tmp_path / leftover).unlink()
        proc = build_playbook(unsigned)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        sums.append(sha256(str(dest) + ".tar"))
    assert sums[0] == sums[1]
    again = build_playbook(unsigned)
    assert again.returncode == 0 and changed(again) == 0, again.stdout[-3000:]
    # The signed build's second run changes nothing either (the signature is kept).
    proc = build_playbook(built["extra"])
    assert proc.returncode == 0 and changed(proc) == 0, proc.stdout[-3000:]


@pytest.mark.parametrize("case", ["sha", "size", "version", "arch", "corrupt"])
def test_source_problems_fail_in_one_line_naming_the_file(run_module, source, tmp_path, case):
    good = source["tarballs"]
    key, name = ("1.22.12", "amd64"), "go1.22.12.linux-amd64.tar.gz"
    override, versions, arches, copy = {}, ["1.22.12"], ["amd64"], False
    if case == "sha":
        override = {name: {"sha256": "ab" * 32}}
    elif case == "size":
        override = {name: {"size": 12}}
    elif case == "version":
        versions = ["1.22.12", "1.21.0"]
    elif case == "arch":
        arches = ["amd64", "loong64"]
    else:
        copy = True
    url = bundle_fixtures.go_source(tmp_path / "dl", [good[key]], copy=copy, index_override=override)
    if case == "corrupt":
        with open(str(tmp_path / "dl" / name), "r+b") as f:
            f.seek(1000)
            byte = f.read(1)
            f.seek(1000)
            f.write(bytes([byte[0] ^ 1]))
    dest = tmp_path / "bundle"
    result = run_module({"dest": str(dest), "source": url, "versions": versions, "arches": arches},
                        module="gofleet.golang.bundle_build")
    want = {"version": "go1.21.0.linux-amd64.tar.gz", "arch": "go1.22.12.linux-loong64.tar.gz"}.get(case, name)
    assert_one_line_failure(result, want)
    assert not dest.exists() and not (tmp_path / "bundle.tar").exists()
    assert not [p for p in tmp_path.iterdir() if ".staging-" in p.name]


def _tamper(bundle, how, other_keyring=None):
    if how == "flip":
        path = bundle / "go1.23.5.linux-arm64.tar.gz"
        with open(str(path), "r+b") as f:
            f.seek(4096)
            byte = f.read(1)
            f.seek(4096)
            f.write(bytes([byte[0] ^ 0x40]))
        return "go1.23.5.linux-arm64.tar.gz"
    if how == "missing":
        (bundle / "ca" / "internal-ca.pem").unlink()
        return "ca/internal-ca.pem"
    if how == "extra":
        (bundle / "bin" / "backdoor").write_bytes(b"#!/bin/sh\n")
        return "bin/backdoor"
    if how == "signer":
        return "SHA256SUMS"
    if how == "unsigned":
        (bundle / "SHA256SUMS.asc").unlink()
        return "SHA256SUMS.asc"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["flip", "missing", "extra", "signer", "unsigned"])
def test_verify_refuses_a_tampered_bundle(run_module, built, tmp_path, how):
    copy = tmp_path / "bundle"
    shutil.copytree(str(built["dir"]), str(copy))
    keyring = built["keyring"]
    good = run_module({"path": str(copy), "keyring": keyring}, module="gofleet.golang.bundle")
    assert good.get("failed") is not True and good["changed"] is False, good
    assert good["version"] == "1.23.5" and good["arches"] == ["amd64", "arm64"] and good["signer"]
    if how == "signer":
        keyring = new_key(tmp_path / "other", "someone else <else@example.invalid>")
    named = _tamper(copy, how)
    result = run_module({"path": str(copy), "keyring": keyring}, module="gofleet.golang.bundle")
    assert_one_line_failure(result, named)


def test_verify_picks_the_requested_version(run_module, built):
    result = run_module({"path": str(built["dir"]), "version": "go1.22.12"}, module="gofleet.golang.bundle")
    assert result["version"] == "1.22.12" and result["versions"] == ["1.22.12", "1.23.5"]
    assert result["toolchains"]["1.22.12"]["arm64"]["sha256"] == sha256(built["dir"] / "go1.22.12.linux-arm64.tar.gz")
    missing = run_module({"path": str(built["dir"]), "version": "1.21.0"}, module="gofleet.golang.bundle")
    assert_one_line_failure(missing, "go1.21.0", str(built["dir"]))


def test_check_mode_predicts_without_writing(source, tmp_path):
    dest = tmp_path / "bundle"
    proc = build_playbook({"gofleet_bundle_dir": str(dest), "gofleet_go_source": source["url"],
                           "gofleet_go_versions": ["1.22.12"], "gofleet_go_arches": ["arm64"]}, check=True)
    assert proc.returncode == 0 and changed(proc) == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
    result = [t["hosts"]["localhost"] for t in tasks if t["task"]["name"] == "Build, check and pack the bundle"][0]
    assert result["diff"]["before"] == ""
    assert "%s  go1.22.12.linux-arm64.tar.gz\n" % sha256(source["tarballs"][("1.22.12", "arm64")]) in result["diff"]["after"]
    assert not dest.exists() and not os.path.exists(str(dest) + ".tar")


def test_release_signatures_are_checked_on_every_run(source, tmp_path):
    """gofleet_go_keyring: each tarball's .asc at the source is checked, on a build and again on a
    rerun that finds the bundle in place (a bundle first built without the keyring, or checked
    against another key, is never taken as up to date unchecked)."""
    if shutil.which("gpg") is None:
        pytest.skip("skipped: gpg unavailable on this machine")
    release = new_key(tmp_path / "release", "go release <go-release@example.invalid>")
    other = new_key(tmp_path / "other", "someone else <else@example.invalid>")
    tarball = source["tarballs"][("1.22.12", "amd64")]
    dl = tmp_path / "dl"
    bundle_fixtures.go_source(dl, [tarball], copy=True)
    name = os.path.basename(str(tarball))
    gpg(tmp_path / "release", "--armor", "--detach-sign", "--output", str(dl / (name + ".asc")), str(dl / name))
    extra = {"gofleet_bundle_dir": str(tmp_path / "fleet-bundle"), "gofleet_go_source": "file://%s" % dl,
             "gofleet_go_versions": ["1.22.12"], "gofleet_go_arches": ["amd64"]}

    unchecked = build_playbook(extra)   # no keyring: nothing about signatures is claimed
    assert unchecked.returncode == 0, unchecked.stdout[-3000:]
    checked = build_playbook(dict(extra, gofleet_go_keyring=release))
    assert checked.returncode == 0 and changed(checked) == 0, checked.stdout[-3000:]

    wrong = build_playbook(dict(extra, gofleet_go_keyring=other))
    assert wrong.returncode != 0, wrong.stdout[-3000:]
    msg = [t["hosts"]["localhost"].get("msg", "") for p in json.loads(wrong.stdout)["plays"] for t in p["tasks"]
           if t["hosts"].get("localhost", {}).get("failed")][0]
    assert name in msg and "\n" not in msg.strip(), msg

    (dl / (name + ".asc")).unlink()
    missing = build_playbook(dict(extra, gofleet_go_keyring=release))
    assert missing.returncode != 0 and name + ".asc" in missing.stdout, missing.stdout[-3000:]
