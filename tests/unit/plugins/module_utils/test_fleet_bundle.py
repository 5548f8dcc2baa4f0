# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet bundle format: go.dev index lookup, SHA256SUMS, verification, the tarball, the SBOM."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import tarfile

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import fleet_bundle as fb
from ansible_collections.gofleet.golang.plugins.module_utils import fleet_sbom
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

SHA = "ab" * 32
INDEX = json.dumps([
    {"version": "go1.23.5", "stable": True, "files": [
        {"filename": "go1.23.5.linux-amd64.tar.gz", "os": "linux", "arch": "amd64", "version": "go1.23.5",
         "sha256": SHA, "size": 10, "kind": "archive"},
        {"filename": "go1.23.5.src.tar.gz", "os": "", "arch": "", "version": "go1.23.5",
         "sha256": "cd" * 32, "size": 3, "kind": "source"}]},
    {"version": "go1.22.12", "stable": True, "files": [
        {"filename": "go1.22.12.linux-arm64.tar.gz", "os": "linux", "arch": "arm64", "version": "go1.22.12",
         "sha256": SHA.upper(), "size": 7, "kind": "archive"}]},
])


@pytest.mark.parametrize("version,arch,expected", [
    ("1.23.5", "amd64", {"filename": "go1.23.5.linux-amd64.tar.gz", "sha256": SHA, "size": 10}),
    # go.dev's sums are lower-case, but a mirror's may not be: the nodes' parser normalises them.
    ("1.22.12", "arm64", {"filename": "go1.22.12.linux-arm64.tar.gz", "sha256": SHA, "size": 7}),
])
def test_index_entry(version, arch, expected):
    assert fb.index_entry(INDEX, version, arch) == expected


@pytest.mark.parametrize("text,version,arch,fragment", [
    (INDEX, "1.21.0", "amd64", "index.json: go1.21.0.linux-amd64.tar.gz: the source has no release go1.21.0"),
    (INDEX, "1.23.5", "arm64", "index.json: go1.23.5.linux-arm64.tar.gz: release go1.23.5 has no linux-arm64 archive"),
    ("{not json", "1.23.5", "amd64", "index.json is not valid JSON"),
    ('{"version": "go1.23.5"}', "1.23.5", "amd64", "not a go.dev download index"),
    (INDEX.replace(SHA, "12", 1), "1.23.5", "amd64", "sha256:<64 hex digits>"),
])
def test_index_entry_refusals(text, version, arch, fragment):
    with pytest.raises(GofleetError) as err:
        fb.index_entry(text, version, arch)
    assert fragment in err.value.message and "\n" not in err.value.message


@pytest.mark.parametrize("value,expected", [("1.22.12", "1.22.12"), ("go1.23.5", "1.23.5"), ("1.24rc1", "1.24rc1")])
def test_normalize_version(value, expected):
    assert fb.normalize_version(value) == expected


@pytest.mark.parametrize("value", ["", "latest", "1", "go1.22.12; rm", "1.22.12/../x"])
def test_normalize_version_refuses(value):
    with pytest.raises(GofleetError, match="versions"):
        fb.normalize_version(value)


def test_version_order():
    versions = ["1.22.12", "1.23.5", "1.22.2", "1.23rc1", "1.23.0"]
    assert sorted(versions, key=fb.version_key) == ["1.22.2", "1.22.12", "1.23rc1", "1.23.0", "1.23.5"]


@pytest.mark.parametrize("text,fragment", [
    ("%s  a\n%s  a\n" % (SHA, SHA), "line 2"),
    ("%s\n" % SHA, "line 1"),
    ("%s  /etc/passwd\n" % SHA, "line 1"),
    ("%s  ../x\n" % SHA, "line 1"),
])
def test_sums_names_refuses(text, fragment):
    with pytest.raises(GofleetError, match=fragment):
        fb.sums_names(text)


def _make_bundle(root):
    files = {"go1.22.12.linux-amd64.tar.gz": b"toolchain", "ca/corp.pem": b"pem\n"}
    entries = []
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        kind = "toolchain" if name.startswith("go") else "ca"
        entries.append(fb.manifest_entry(name, hashlib.sha256(data).hexdigest(), len(data), kind, "file:///x",
                                         "1.22.12" if kind == "toolchain" else None, "amd64" if kind == "toolchain" else None))
    manifest = fb.render_manifest("b", entries, "1970-01-01T00:00:00Z")
    (root / fb.MANIFEST).write_bytes(manifest)
    sums = dict((e["name"], e["sha256"]) for e in entries)
    sums[fb.MANIFEST] = hashlib.sha256(manifest).hexdigest()
    (root / fb.SUMS).write_text(fb.render_sums(sums))
    return root


def test_verify_accepts_a_whole_bundle(tmp_path):
    doc = fb.verify(str(_make_bundle(tmp_path)))
    assert fb.toolchains(doc)["1.22.12"]["amd64"]["name"] == "go1.22.12.linux-amd64.tar.gz"
    assert fb.newest_version(doc) == "1.22.12" and doc["signer"] is None


def _flip(root):
    (root / "ca" / "corp.pem").write_bytes(b"peM\n")


def _drop(root):
    (root / "go1.22.12.linux-amd64.tar.gz").unlink()


def _extra(root):
    (root / "ca" / "evil.pem").write_bytes(b"x")


def _manifest_lies(root):
    # Listed with a right sum in SHA256SUMS, but MANIFEST.json says another sum.
    doc = json.loads((root / fb.MANIFEST).read_text())
    doc["files"][0]["sha256"] = "00" * 32
    data = (json.dumps(doc) + "\n").encode()
    (root / fb.MANIFEST).write_bytes(data)
    text = (root / fb.SUMS).read_text().splitlines()
    text = [("%s  %s" % (hashlib.sha256(data).hexdigest(), fb.MANIFEST)) if line.endswith(fb.MANIFEST) else line
            for line in text]
    (root / fb.SUMS).write_text("\n".join(text) + "\n")


def _symlink(root):
    (root / "ca" / "link.pem").symlink_to("/etc/hostname")


@pytest.mark.parametrize("tamper,fragment", [
    (_flip, "checksum mismatch for bundle %s: ca/corp.pem"),
    (_drop, "go1.22.12.linux-amd64.tar.gz is listed in SHA256SUMS but missing"),
    (_extra, "ca/evil.pem is not listed in SHA256SUMS"),
    (_manifest_lies, "MANIFEST.json disagrees with SHA256SUMS about ca/corp.pem"),
    (_symlink, "ca/link.pem is not a regular file"),
])
def test_verify_refuses(tmp_path, tamper, fragment):
    root = _make_bundle(tmp_path)
    tamper(root)
    with pytest.raises(GofleetError) as err:
        fb.verify(str(root))
    assert (fragment % root if "%s" in fragment else fragment) in err.value.message
    assert "\n" not in err.value.message


def test_verify_wants_the_signature_when_a_keyring_is_given(tmp_path):
    root = _make_bundle(tmp_path)
    with pytest.raises(GofleetError, match="SHA256SUMS.asc is missing and keyring /k was given"):
        fb.verify(str(root), keyring="/k", run_command=None, gpg="/usr/bin/gpg")


def test_tarball_is_deterministic_and_root_owned(tmp_path):
    root = _make_bundle(tmp_path / "b")
    (root / "go1.22.12.linux-amd64.tar.gz").chmod(0o600)
    fb.write_tarball(str(root), str(tmp_path / "1.tar"), "b", 1700000000)
    # Same content, other times: same bytes.
    (root / "ca" / "corp.pem").touch()
    fb.write_tarball(str(root), str(tmp_path / "2.tar"), "b", 1700000000)
    assert (tmp_path / "1.tar").read_bytes() == (tmp_path / "2.tar").read_bytes()
    with tarfile.open(str(tmp_path / "1.tar")) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["b", "b/MANIFEST.json", "b/SHA256SUMS", "b/ca", "b/ca/corp.pem",
                                         "b/go1.22.12.linux-amd64.tar.gz"]
    assert set((m.uid, m.gid, m.mtime) for m in members) == {(0, 0, 1700000000)}
    assert [m.mode for m in members if m.isfile()] == [0o644] * 4


def test_sbom_is_stable_and_names_every_package():
    entries = [fb.manifest_entry("go1.22.12.linux-arm64.tar.gz", SHA, 1, "toolchain",
                                 "https://dl.example.com/go1.22.12.linux-arm64.tar.gz", "1.22.12", "arm64"),
               fb.manifest_entry("ca/c.pem", SHA, 1, "ca", "file:///c.pem")]
    modules = [{"module": "example.com/Upper/Mod", "version": "v1.0.0", "h1": "h1:abc=", "h1_mod": "h1:def=",
                "sha256": SHA}]
    one = fleet_sbom.render("b", entries, modules, 0)
    assert one == fleet_sbom.render("b", list(reversed(entries)), modules, 0)
    doc = json.loads(one.decode())
    purls = [r["referenceLocator"] for p in doc["packages"] for r in p.get("externalRefs", [])]
    assert purls == ["pkg:golang/stdlib@1.22.12?arch=arm64", "pkg:golang/example.com/Upper/Mod@v1.0.0"]
    by_name = dict((p["name"], p) for p in doc["packages"])
    assert by_name["go"]["downloadLocation"] == "https://dl.example.com/go1.22.12.linux-arm64.tar.gz"
    assert by_name["ca/c.pem"]["downloadLocation"] == "NOASSERTION"
    assert "go.sum h1:abc=, go.mod h1:def=" in by_name["example.com/Upper/Mod"]["comment"]
    assert len(doc["relationships"]) == 3
