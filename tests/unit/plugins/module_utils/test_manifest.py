# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manifests of real trees on disk and the drift found against them (fast vs full)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import manifest


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
