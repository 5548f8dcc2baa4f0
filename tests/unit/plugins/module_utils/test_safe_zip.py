# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Toolchain module zips: judged by the tarball rules before a byte is written, hashed as Go does."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import os
import stat
import zipfile

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths, manifest, safe_zip
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

from tar_fixtures import MTIME, write_zip  # tests/tar_fixtures.py

MODULE, ZVERSION = "golang.org/toolchain", "v0.0.1-go1.99.1.linux-amd64"
P = "%s@%s/" % (MODULE, ZVERSION)
GOOD = [(P + "VERSION", b"go1.99.1\n", 0o644), (P + "bin/go", b"\x7fELF go", 0o755),
        (P + "src/fmt/print.go", b"package fmt\n", 0o644), (P + "go.env", b"GOTOOLCHAIN=auto\n", 0o644)]


def reference_h1(path):
    """dirhash.Hash1 written out again, independently of goproxy_paths: the spec, not the code."""
    with zipfile.ZipFile(path) as z:
        # Go sorts the file names, then writes "<sha256 hex>  <name>\n" for each.
        lines = ["%s  %s\n" % (hashlib.sha256(z.read(name)).hexdigest(), name) for name in sorted(z.namelist())]
    return "h1:" + base64.b64encode(hashlib.sha256("".join(lines).encode()).digest()).decode()


def test_extract_writes_the_tree_below_top_with_modes_dirs_and_times(tmp_path):
    path = write_zip(tmp_path / "t.zip", GOOD)
    dest = tmp_path / "out"
    dest.mkdir()
    assert safe_zip.extract(path, str(dest), P, label="src t.zip") == sum(len(d) for _n, d, _m in GOOD)
    go = dest / "go"
    assert (go / "VERSION").read_bytes() == b"go1.99.1\n"
    assert stat.S_IMODE(os.stat(str(go / "bin" / "go")).st_mode) == 0o755
    assert stat.S_IMODE(os.stat(str(go / "src" / "fmt" / "print.go")).st_mode) == 0o644
    for d in (go, go / "bin", go / "src", go / "src" / "fmt"):
        assert stat.S_IMODE(os.stat(str(d)).st_mode) == 0o755, d
    assert int(os.stat(str(go / "VERSION")).st_mtime) == MTIME


def test_without_unix_attributes_bin_and_pkg_tool_are_executable_as_go_makes_them(tmp_path):
    members = GOOD + [(P + "pkg/tool/linux_amd64/compile", b"\x7fELF", None)]
    path = write_zip(tmp_path / "t.zip", [(n, d, None) for n, d, _m in members], unix=False)
    dest = tmp_path / "out"
    dest.mkdir()
    safe_zip.extract(path, str(dest), P)
    modes = dict((rel, stat.S_IMODE(os.stat(str(dest / "go" / rel)).st_mode))
                 for rel in ("bin/go", "pkg/tool/linux_amd64/compile", "VERSION", "src/fmt/print.go"))
    assert modes == {"bin/go": 0o755, "pkg/tool/linux_amd64/compile": 0o755, "VERSION": 0o644, "src/fmt/print.go": 0o644}


HOSTILE = [
    ("traversal", [(P + "../../../etc/evil", b"x", 0o644)], {}, ["leaves the tree"]),
    ("absolute", [("/etc/evil", b"x", 0o644)], {}, ["absolute path", "/etc/evil"]),
    ("outside-prefix", [("golang.org/toolchain@v0.0.1-go1.22.1.linux-amd64/VERSION", b"x", 0o644)], {},
     ["outside the expected top directory", P]),
    ("symlink-out", [(P + "bin/gofmt", b"../../../../etc/passwd", stat.S_IFLNK | 0o777)], {},
     ["symlink", "points outside the tree"]),
    ("symlink-in", [(P + "bin/gofmt", b"go", stat.S_IFLNK | 0o777)], {}, ["regular files only", "bin/gofmt"]),
    ("duplicate", [(P + "bin/go", b"other", 0o755)], {}, ["more than once", "bin/go"]),
    ("case-twins", [(P + "src/FMT/print.go", b"x", 0o644)], {}, ["differ only in case"]),
    ("device", [(P + "dev/null", b"", stat.S_IFCHR | 0o666)], {}, ["special file"]),
    # Hashed as a file (no trailing '/'), so it must never be written as a directory instead.
    ("dir-attrs-on-a-file", [(P + "bin/vet", b"\x7fELF", stat.S_IFDIR | 0o755)], {}, ["bin/vet"]),
    ("setuid", [(P + "bin/su", b"\x7fELF", 0o4755)], {}, ["setuid"]),
    ("bomb", [(P + "src/zeros", b"\0" * (3 << 20), 0o644)], {"max_unpacked": 1 << 20},
     ["unpacks to more than %d bytes" % (1 << 20)]),
]


@pytest.mark.parametrize("extra,kwargs,words", [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_zip_is_refused_in_one_line_before_anything_is_written(tmp_path, extra, kwargs, words):
    path = write_zip(tmp_path / "evil.zip", GOOD + extra)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(GofleetError) as err:
        safe_zip.extract(path, str(dest), P, label="src evil.zip", **kwargs)
    msg = err.value.message
    assert "\n" not in msg and msg.startswith("src evil.zip") or "module zip src evil.zip" in msg, msg
    for word in words:
        assert word in msg
    assert os.listdir(str(dest)) == []
    assert not (tmp_path / "etc").exists()


def test_a_truncated_zip_fails_naming_it(tmp_path):
    path = write_zip(tmp_path / "t.zip", GOOD)
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) // 2])
    with pytest.raises(GofleetError, match="src t.zip is truncated or not a valid zip"):
        safe_zip.extract(path, str(tmp_path), P, label="src t.zip")


def test_a_member_whose_data_was_altered_fails_its_crc(tmp_path):
    path = write_zip(tmp_path / "t.zip", [(P + "VERSION", b"go1.99.1\n" * 50, 0o644)])
    data = bytearray(open(path, "rb").read())
    data[40] ^= 0xFF  # inside the deflated stream of the only member
    open(path, "wb").write(bytes(data))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(GofleetError, match="src t.zip"):
        safe_zip.extract(path, str(dest), P, label="src t.zip")


def test_h1_is_dirhash_hash1_and_of_zip_is_the_extracted_tree(tmp_path):
    path = write_zip(tmp_path / "t.zip", GOOD)
    assert goproxy_paths.check_zip(path, MODULE, ZVERSION) == reference_h1(path)
    dest = tmp_path / "out"
    dest.mkdir()
    safe_zip.extract(path, str(dest), P)
    entries, sha, h1 = manifest.of_zip(path, MODULE, ZVERSION, "go", exclude=("go.env",))
    assert h1 == reference_h1(path)
    assert sha == hashlib.sha256(open(path, "rb").read()).hexdigest()
    assert "go.env" not in entries and entries["bin/go"]["sha256"] == hashlib.sha256(b"\x7fELF go").hexdigest()
    assert manifest.compare(str(dest / "go"), entries, "full", exclude=("go.env",)) == []


def test_repair_rewrites_only_the_named_members(tmp_path):
    path = write_zip(tmp_path / "t.zip", GOOD)
    dest = tmp_path / "out"
    dest.mkdir()
    safe_zip.extract(path, str(dest), P)
    go = dest / "go"
    (go / "src" / "fmt" / "print.go").write_text("package evil\n")
    os.unlink(str(go / "bin" / "go"))
    inode = os.stat(str(go / "VERSION")).st_ino
    safe_zip.extract(path, str(go), P, only={"go/bin/go", "go/src/fmt/print.go"})
    assert (go / "src" / "fmt" / "print.go").read_text() == "package fmt\n"
    assert (go / "bin" / "go").read_bytes() == b"\x7fELF go"
    assert os.stat(str(go / "VERSION")).st_ino == inode
