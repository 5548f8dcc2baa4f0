# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manifests of real trees on disk and the drift found against them (fast vs full)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import drift, manifest, safe_tar
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

from tar_fixtures import write_tar_gz  # tests/tar_fixtures.py


def make_tree(root):
    (root / "bin").mkdir(parents=True)
    (root / "src/fmt").mkdir(parents=True)
    (root / "bin/go").write_bytes(b"\x7fELF go")
    os.chmod(str(root / "bin/go"), 0o755)
    (root / "src/fmt/print.go").write_text("package fmt\n")
    (root / "go.env").write_text("GOTOOLCHAIN=local\n")
    os.symlink("go", str(root / "bin/go-link"))
    for p in ("bin/go", "src/fmt/print.go"):
        os.utime(str(root / p), (1700000000, 1700000000))
    return root


def _same_size_edit(path):
    st = os.stat(str(path))
    data = path.read_bytes()
    path.write_bytes(data.replace(b"fmt", b"FMT"))
    os.utime(str(path), ns=(st.st_atime_ns, st.st_mtime_ns))


# (id, how to change the tree, expected fast drift, expected full drift)
DRIFT = [
    ("untouched", lambda r: None, [], []),
    ("deleted", lambda r: os.unlink(str(r / "bin/go")), ["missing: bin/go"], ["missing: bin/go"]),
    ("appended", lambda r: (r / "src/fmt/print.go").write_text("package fmt\n// x\n"),
     ["changed: src/fmt/print.go"], ["changed: src/fmt/print.go"]),
    ("touched", lambda r: os.utime(str(r / "bin/go"), (1, 1)), ["changed: bin/go"], ["changed: bin/go"]),
    ("chmod", lambda r: os.chmod(str(r / "bin/go"), 0o775), ["changed: bin/go"], ["changed: bin/go"]),
    ("dir-chmod", lambda r: os.chmod(str(r / "src"), 0o777), ["changed: src"], ["changed: src"]),
    ("added", lambda r: (r / "src/fmt/evil.go").write_text("x"), ["added: src/fmt/evil.go"], ["added: src/fmt/evil.go"]),
    ("relinked", lambda r: (os.unlink(str(r / "bin/go-link")), os.symlink("/bin/sh", str(r / "bin/go-link"))),
     ["changed: bin/go-link"], ["changed: bin/go-link"]),
    ("file-became-dir", lambda r: (os.unlink(str(r / "bin/go")), os.mkdir(str(r / "bin/go"))), ["changed: bin/go"], ["changed: bin/go"]),
    ("same-size-same-mtime", lambda r: _same_size_edit(r / "src/fmt/print.go"), [], ["changed: src/fmt/print.go"]),
    ("excluded-go-env", lambda r: (r / "go.env").write_text("GOPROXY=off\n"), [], []),
]


@pytest.mark.parametrize("change,fast,full", [c[1:] for c in DRIFT], ids=[c[0] for c in DRIFT])
def test_drift(tmp_path, change, fast, full):
    root = make_tree(tmp_path / "go")
    recorded = manifest.build(str(root), exclude=("go.env",), with_hash=True)
    change(root)
    assert manifest.drift(str(root), recorded, "fast", exclude=("go.env",)) == fast
    assert manifest.drift(str(root), recorded, "full", exclude=("go.env",)) == full
    assert manifest.drift(str(root), recorded, "none", exclude=("go.env",)) == []


def test_build_records_types_and_hashes(tmp_path):
    root = make_tree(tmp_path / "go")
    m = manifest.build(str(root), exclude=("go.env",), with_hash=True)
    assert sorted(m) == ["bin", "bin/go", "bin/go-link", "src", "src/fmt", "src/fmt/print.go"]
    assert m["bin/go"]["t"] == "f" and m["bin/go"]["mode"] == 0o755 and m["bin/go"]["mtime"] == 1700000000
    assert m["bin/go"]["sha256"] == "%s" % __import__("hashlib").sha256(b"\x7fELF go").hexdigest()
    assert m["bin/go-link"] == {"t": "l", "target": "go"}
    assert m["src"]["t"] == "d"
    assert "sha256" not in manifest.build(str(root), with_hash=False)["bin/go"]


def test_missing_root_is_drift(tmp_path):
    assert manifest.drift(str(tmp_path / "gone"), {"bin/go": {"t": "f"}}) == ["missing: %s" % (tmp_path / "gone")]


def test_drift_is_sorted_by_path(tmp_path):
    root = make_tree(tmp_path / "go")
    recorded = manifest.build(str(root), exclude=("go.env",))
    os.unlink(str(root / "src/fmt/print.go"))
    (root / "a.txt").write_text("x")
    (root / "bin/go").write_text("y")
    assert manifest.drift(str(root), recorded, exclude=("go.env",)) == [
        "added: a.txt", "changed: bin/go", "missing: src/fmt/print.go"]


# ---------------------------------------------------------------- drift items: expected and found values

def item(name, aspect, expected=None, found=None):
    return drift.item(name, aspect, expected, found)


# (id, how to change the tree, expected fast items, expected full items); r is the root, t the recorded mtime text
ITEMS = [
    ("untouched", lambda r: None, [], []),
    ("chmod-is-a-mode-item", lambda r: os.chmod(str(r / "bin/go"), 0o757),
     [item("bin/go", "mode", "0755", "0757")], [item("bin/go", "mode", "0755", "0757")]),
    ("chown-is-an-owner-item", lambda r: os.lchown(str(r / "bin/go"), 65534, 65534),
     [item("bin/go", "owner", "0:0", "65534:65534")], [item("bin/go", "owner", "0:0", "65534:65534")]),
    ("relinked", lambda r: (os.unlink(str(r / "bin/go-link")), os.symlink("/bin/sh", str(r / "bin/go-link"))),
     [item("bin/go-link", "link", "go", "/bin/sh")], [item("bin/go-link", "link", "go", "/bin/sh")]),
    ("file-became-dir", lambda r: (os.unlink(str(r / "bin/go")), os.mkdir(str(r / "bin/go"))),
     [item("bin/go", "type", "file", "directory")], [item("bin/go", "type", "file", "directory")]),
    ("deleted", lambda r: os.unlink(str(r / "bin/go")), [item("bin/go", "missing", "file")], [item("bin/go", "missing", "file")]),
    ("added", lambda r: (r / "src/fmt/evil.go").write_text("x"),
     [item("src/fmt/evil.go", "added", None, "file")], [item("src/fmt/evil.go", "added", None, "file")]),
    ("same-size-same-mtime", lambda r: _same_size_edit(r / "src/fmt/print.go"), [],
     [item("src/fmt/print.go", "content", "sha256=" + hashlib.sha256(b"package fmt\n").hexdigest(),
           "sha256=" + hashlib.sha256(b"package FMT\n").hexdigest())]),
]


@pytest.mark.parametrize("change,fast,full", [c[1:] for c in ITEMS], ids=[c[0] for c in ITEMS])
def test_compare_gives_one_item_per_aspect_with_values(tmp_path, change, fast, full):
    root = make_tree(tmp_path / "go")
    for _rel, path, _st in manifest.walk(str(root)):
        os.lchown(path, 0, 0)
    recorded = manifest.build(str(root), exclude=("go.env",), with_hash=True, with_owner=True)
    change(root)
    assert manifest.compare(str(root), recorded, "fast", exclude=("go.env",)) == fast
    assert manifest.compare(str(root), recorded, "full", exclude=("go.env",)) == full
    assert manifest.compare(str(root), recorded, "none", exclude=("go.env",)) == []


def test_content_item_names_size_and_mtime_under_fast(tmp_path):
    root = make_tree(tmp_path / "go")
    recorded = manifest.build(str(root), exclude=("go.env",))
    (root / "src/fmt/print.go").write_text("package fmt\n// x\n")
    os.utime(str(root / "src/fmt/print.go"), (1700000100, 1700000100))
    (found,) = manifest.compare(str(root), recorded, "fast", exclude=("go.env",))
    assert found == item("src/fmt/print.go", "content", "size=12 mtime=2023-11-14T22:13:20Z",
                         "size=17 mtime=2023-11-14T22:15:00Z")
    # The one-line form the module's `drift` list carries.
    assert drift.line(found) == "content: src/fmt/print.go (size=12 mtime=2023-11-14T22:13:20Z -> size=17 mtime=2023-11-14T22:15:00Z)"


def test_owner_of_an_entry_without_one_is_compared_against_the_given_owner(tmp_path):
    """Receipts written before owners were recorded: the install's owner is what is expected."""
    root = make_tree(tmp_path / "go")
    recorded = manifest.build(str(root), exclude=("go.env",))
    assert "uid" not in recorded["bin/go"]
    os.lchown(str(root / "bin/go"), 65534, 0)
    assert manifest.compare(str(root), recorded, "fast", exclude=("go.env",)) == []
    assert manifest.compare(str(root), recorded, "fast", exclude=("go.env",), owner=(0, 0)) == [
        item("bin/go", "owner", "0:0", "65534:0")]


def test_legacy_drift_lines_stay_one_per_path(tmp_path):
    root = make_tree(tmp_path / "go")
    recorded = manifest.build(str(root), exclude=("go.env",), with_owner=True)
    os.chmod(str(root / "bin/go"), 0o700)
    os.lchown(str(root / "bin/go"), 65534, 65534)
    assert manifest.drift(str(root), recorded, exclude=("go.env",)) == ["changed: bin/go"]


# ---------------------------------------------------------------- the tarball as the reference

def _tarball_of(tmp_path):
    members = [("go/", None, 0o755), ("go/bin/", None, 0o755), ("go/bin/go", b"\x7fELF go", 0o755),
               ("go/bin/gofmt", b"\x7fELF gofmt", 0o775), ("go/go.env", b"GOTOOLCHAIN=auto\n", 0o644),
               ("go/src/fmt/print.go", b"package fmt\n", 0o664)]
    path = write_tar_gz(tmp_path / "go.tar.gz", members, owner=(1000, 1000))
    return path


def test_of_tarball_is_what_extract_writes_and_hashes_the_stream_once(tmp_path):
    path = _tarball_of(tmp_path)
    dest = tmp_path / "tree"
    dest.mkdir()
    safe_tar.extract(path, str(dest), top="go")
    with open(path, "rb") as f:
        reference, digest = manifest.of_tarball(f, "go", exclude=("go.env",))
    assert digest == hashlib.sha256(open(path, "rb").read()).hexdigest()
    assert sorted(reference) == ["bin", "bin/go", "bin/gofmt", "src", "src/fmt", "src/fmt/print.go"]
    assert reference["bin/gofmt"]["mode"] == 0o755  # extract drops group/other write
    assert reference["bin/go"]["sha256"] == hashlib.sha256(b"\x7fELF go").hexdigest()
    tree = str(dest / "go")
    assert manifest.compare(tree, reference, "full", exclude=("go.env",)) == []


def test_of_tarball_sees_an_edit_that_a_forged_manifest_hides(tmp_path):
    path = _tarball_of(tmp_path)
    dest = tmp_path / "tree"
    dest.mkdir()
    safe_tar.extract(path, str(dest), top="go")
    tree = str(dest / "go")
    gofmt = os.path.join(tree, "bin", "gofmt")
    with open(gofmt, "wb") as f:
        f.write(b"#!/bin/sh\nevil\n")
    os.chmod(gofmt, 0o755)
    forged = manifest.build(tree, exclude=("go.env",), with_hash=True)  # the attacker rewrites the record
    assert manifest.compare(tree, forged, "full", exclude=("go.env",)) == []
    with open(path, "rb") as f:
        reference = manifest.of_tarball(f, "go", exclude=("go.env",))[0]
    aspects = [(i["item"], i["aspect"]) for i in manifest.compare(tree, reference, "full", exclude=("go.env",))]
    assert ("bin/gofmt", "content") in aspects


def test_of_tarball_refuses_a_stream_that_is_no_tarball(tmp_path):
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with open(str(bad), "rb") as f:
        with pytest.raises(GofleetError, match="truncated or not a valid tarball"):
            manifest.of_tarball(f, "go", label=str(bad))
