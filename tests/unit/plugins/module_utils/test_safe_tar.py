# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""safe_tar against crafted tarballs: every hostile member is refused before a byte is written."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import os
import stat
import tarfile

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import safe_tar
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


def _file(name, data=b"x", mode=0o644, mtime=1700000000):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = mtime
    return info, data


def _dir(name, mode=0o755):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = mode
    info.mtime = 1700000000
    return info, None


def _sym(name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info, None


def _hard(name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE
    info.linkname = target
    return info, None


def _special(name, kind):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.devmajor, info.devminor = 1, 3
    return info, None


def make_tar(path, members, compression="gz"):
    with tarfile.open(str(path), "w:" + compression) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


BASE = [_dir("go"), _dir("go/bin"), _file("go/VERSION", b"go1.99.1\n")]

# (id, extra members, max_unpacked, words the one-line error must contain)
REFUSED = [
    ("absolute-path", [_file("/go/evil")], None, ["absolute path", "/go/evil"]),
    ("absolute-etc", [_file("/etc/cron.d/evil")], None, ["absolute path"]),
    ("dotdot-leading", [_file("../evil")], None, ["leaves the tree", "../evil"]),
    ("dotdot-inside", [_file("go/../../evil")], None, ["leaves the tree"]),
    ("dotdot-deep", [_file("go/bin/../../../etc/passwd")], None, ["leaves the tree"]),
    ("outside-top", [_file("other/file")], None, ["outside the expected top directory"]),
    ("symlink-absolute", [_sym("go/bin/sh", "/bin/sh")], None, ["symlink", "outside"]),
    ("symlink-dotdot", [_sym("go/link", "../../etc/passwd")], None, ["symlink", "outside"]),
    ("symlink-to-parent", [_sym("go/up", "..")], None, ["symlink", "outside"]),
    ("symlink-dotdot-from-subdir", [_sym("go/bin/x", "../../x")], None, ["symlink", "outside"]),
    # Lexically go/a/b/c/up/../../../../etc stays in go/, but up -> ../../.. is go itself,
    # so the kernel resolves the second link to <dest>/../../etc: outside.
    ("symlink-chain-escape", [_sym("go/a/b/c/up", "../../.."), _sym("go/esc", "a/b/c/up/../../../../etc")],
     None, ["symlink", "go/esc", "outside"]),
    ("symlink-loop", [_sym("go/l1", "l2"), _sym("go/l2", "l1")], None, ["symlink", "outside"]),
    ("write-through-symlink", [_dir("go/lib"), _sym("go/lib/l", "."), _file("go/lib/l/x")],
     None, ["below symlink", "go/lib/l"]),
    ("hardlink-absolute", [_hard("go/bin/passwd", "/etc/passwd")], None, ["hardlink", "outside"]),
    ("hardlink-dotdot", [_hard("go/bin/passwd", "../etc/passwd")], None, ["hardlink", "outside"]),
    ("hardlink-unknown", [_hard("go/bin/x", "go/not-in-archive")], None, ["hardlink", "outside"]),
    ("char-device", [_special("go/null", tarfile.CHRTYPE)], None, ["special file", "go/null"]),
    ("block-device", [_special("go/sda", tarfile.BLKTYPE)], None, ["special file", "go/sda"]),
    ("fifo", [_special("go/pipe", tarfile.FIFOTYPE)], None, ["special file", "go/pipe"]),
    ("setuid-file", [_file("go/bin/su", mode=0o4755)], None, ["setuid/setgid", "go/bin/su"]),
    ("setgid-file", [_file("go/bin/sg", mode=0o2755)], None, ["setuid/setgid", "go/bin/sg"]),
    ("setgid-dir", [_dir("go/shared", mode=0o2775)], None, ["setuid/setgid", "go/shared"]),
    ("over-size-cap", [_file("go/a", b"a" * 600), _file("go/b", b"b" * 600)], 1000, ["more than 1000 bytes", "max_unpacked_size"]),
]


@pytest.mark.parametrize("members,max_unpacked,words", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_before_anything_is_written(tmp_path, members, max_unpacked, words):
    tar = make_tar(tmp_path / "t.tar.gz", BASE + members)
    dest = tmp_path / "dest"
    dest.mkdir()
    kwargs = {"top": "go", "label": "src " + tar}
    if max_unpacked:
        kwargs["max_unpacked"] = max_unpacked
    with pytest.raises(GofleetError) as err:
        safe_tar.extract(tar, str(dest), **kwargs)
    msg = err.value.message
    assert "\n" not in msg
    assert msg.startswith("src " + tar)
    for word in words:
        assert word in msg
    assert os.listdir(str(dest)) == []  # judged first: not even go/VERSION was written


def test_size_cap_counts_only_regular_files_and_allows_exact_fit(tmp_path):
    tar = make_tar(tmp_path / "t.tar.gz", BASE + [_file("go/a", b"a" * 991)])  # 9 + 991 = 1000
    dest = tmp_path / "dest"
    dest.mkdir()
    assert safe_tar.extract(tar, str(dest), top="go", max_unpacked=1000) == 1000


@pytest.mark.parametrize("content,words", [
    ("truncated", ["truncated or not a valid tarball"]),
    ("garbage", ["truncated or not a valid tarball"]),
    ("empty", ["is empty"]),
], ids=["truncated", "garbage", "empty"])
def test_broken_archives_fail_with_one_line(tmp_path, content, words):
    path = tmp_path / "broken.tar.gz"
    if content == "truncated":
        full = make_tar(tmp_path / "full.tar.gz", BASE + [_file("go/big", os.urandom(200000))])
        with open(full, "rb") as f:
            path.write_bytes(f.read()[:60000])
    elif content == "garbage":
        path.write_bytes(b"this is not a tarball\n" * 100)
    else:
        make_tar(path, [])
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(GofleetError) as err:
        safe_tar.extract(str(path), str(dest), top="go", label="src " + str(path))
    assert "\n" not in err.value.message
    assert ("src " + str(path)) in err.value.message
    for word in words:
        assert word in err.value.message


def test_good_tree_extracts_with_safe_modes_links_and_times(tmp_path):
    members = BASE + [
        _file("./go/bin/go", b"\x7fELF-not-really", mode=0o777),
        _file("go/bin/gofmt", b"fmt", mode=0o775),
        _dir("go/pkg", mode=0o777),
        _dir("go/pkg/tool"),
        _file("go/pkg/tool/vet", b"vet", mode=0o755),
        _sym("go/bin/vet", "../pkg/tool/vet"),
        _sym("go/current", "."),
        _hard("go/bin/gofmt2", "go/bin/gofmt"),
        _file("go/readonly", b"r", mode=0o444),
    ]
    tar = make_tar(tmp_path / "good.tar", members, compression="")
    dest = tmp_path / "dest"
    dest.mkdir()
    total = safe_tar.extract(tar, str(dest), top="go")
    root = dest / "go"
    assert total == len(b"go1.99.1\n") + len(b"\x7fELF-not-really") + 3 + 3 + 1
    assert (root / "VERSION").read_bytes() == b"go1.99.1\n"
    assert stat.S_IMODE(os.stat(str(root / "bin/go")).st_mode) == 0o755  # group/other write dropped
    assert stat.S_IMODE(os.stat(str(root / "bin/gofmt")).st_mode) == 0o755
    assert stat.S_IMODE(os.stat(str(root / "readonly")).st_mode) == 0o444
    assert stat.S_IMODE(os.stat(str(root / "pkg")).st_mode) == 0o755
    assert os.readlink(str(root / "bin/vet")) == "../pkg/tool/vet"
    assert (root / "bin/vet").read_bytes() == b"vet"
    assert os.stat(str(root / "bin/gofmt2")).st_ino == os.stat(str(root / "bin/gofmt")).st_ino
    assert int(os.stat(str(root / "VERSION")).st_mtime) == 1700000000
    assert int(os.stat(str(root / "pkg")).st_mtime) == 1700000000  # set after its files were written


def test_no_top_still_refuses_escapes(tmp_path):
    tar = make_tar(tmp_path / "t.tar.gz", [_file("a"), _sym("b", "../x")])
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(GofleetError, match="outside"):
        safe_tar.extract(tar, str(dest))


@pytest.mark.parametrize("name,expected", [
    ("go/go.env", "GOTOOLCHAIN=auto\n"),
    ("go/missing", None),
])
def test_read_member(tmp_path, name, expected):
    tar = make_tar(tmp_path / "t.tar.gz", BASE + [_file("go/go.env", b"GOTOOLCHAIN=auto\n")])
    assert safe_tar.read_member(tar, name) == expected
    assert safe_tar.read_member(str(tmp_path / "nope.tar.gz"), name) is None


# extract_fresh: one pass (each member judged as it comes, all of them again at the end) into an
# empty directory; a refusal leaves nothing and says what extract() says.
LATE_SYMLINK = [
    # The member below the link comes first: judged alone it looks fine; the link after it is
    # only known at the end, where the archive is judged whole and refused as extract() refuses it.
    ("symlink-after-member-below-it", [_dir("go/lib"), _file("go/lib/l/x"), _sym("go/lib/l", ".")],
     None, ["below symlink", "go/lib/l"]),
    ("symlink-chain-escape-reversed", [_sym("go/esc", "a/b/c/up/../../../../etc"), _sym("go/a/b/c/up", "../../..")],
     None, ["symlink", "outside"]),
]


@pytest.mark.parametrize("members,max_unpacked,words", [c[1:] for c in REFUSED + LATE_SYMLINK],
                         ids=[c[0] for c in REFUSED + LATE_SYMLINK])
def test_extract_fresh_refuses_as_extract_does_and_leaves_nothing(tmp_path, members, max_unpacked, words):
    tar = make_tar(tmp_path / "t.tar.gz", BASE + members)
    kwargs = {"top": "go", "label": "src " + tar}
    if max_unpacked:
        kwargs["max_unpacked"] = max_unpacked
    messages = []
    for extract in (safe_tar.extract, safe_tar.extract_fresh):
        dest = tmp_path / extract.__name__
        dest.mkdir()
        hashes = {}
        with pytest.raises(GofleetError) as err:
            extract(tar, str(dest), hashes=hashes, **kwargs) if extract is safe_tar.extract_fresh else extract(tar, str(dest), **kwargs)
        messages.append(err.value.message)
        assert os.listdir(str(dest)) == [] and hashes == {}
    assert messages[0] == messages[1]
    assert "\n" not in messages[1] and messages[1].startswith("src " + tar)
    for word in words:
        assert word in messages[1]


def test_extract_fresh_writes_what_extract_writes_and_hashes_each_file(tmp_path):
    members = BASE + [
        _file("./go/bin/go", b"\x7fELF-not-really", mode=0o777),
        _file("go/pkg/tool/vet", b"vet", mode=0o755),   # parents not listed before it
        _dir("go/pkg", mode=0o777),                     # listed after its contents
        _sym("go/bin/vet", "../pkg/tool/vet"),
        _hard("go/bin/go2", "go/bin/go"),
        _file("go/dup", b"first"), _sym("go/dup2", "dup"), _file("go/dup2", b"replaces the link"),
    ]
    tar = make_tar(tmp_path / "good.tar.gz", members)
    one, fresh = tmp_path / "one", tmp_path / "fresh"
    one.mkdir()
    fresh.mkdir()
    hashes = {}
    assert safe_tar.extract_fresh(tar, str(fresh), top="go", hashes=hashes) == safe_tar.extract(tar, str(one), top="go")
    root = fresh / "go"
    for tree in (root, one / "go"):  # the duplicate replaced the link, it did not write through it
        assert (tree / "dup").read_bytes() == b"first"
        assert not os.path.islink(str(tree / "dup2")) and (tree / "dup2").read_bytes() == b"replaces the link"
    assert stat.S_IMODE(os.stat(str(root / "pkg")).st_mode) == 0o755
    assert int(os.stat(str(root / "pkg")).st_mtime) == 1700000000
    assert os.stat(str(root / "bin/go2")).st_ino == os.stat(str(root / "bin/go")).st_ino
    assert os.readlink(str(root / "bin/vet")) == "../pkg/tool/vet"
    for rel in ("VERSION", "bin/go", "bin/go2", "pkg/tool/vet", "dup2"):
        assert hashes["go/" + rel] == hashlib.sha256((root / rel).read_bytes()).hexdigest(), rel
    assert "go/bin/vet" not in hashes
    assert manifest_of(root) == manifest_of(one / "go")


def manifest_of(root):
    from ansible_collections.gofleet.golang.plugins.module_utils import manifest
    return manifest.build(str(root), with_hash=True)


def test_extract_fresh_needs_an_empty_directory(tmp_path):
    tar = make_tar(tmp_path / "t.tar.gz", BASE)
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / "keep").write_text("x")
    with pytest.raises(GofleetError, match="not empty"):
        safe_tar.extract_fresh(tar, str(tmp_path / "dest"), top="go")
    assert os.listdir(str(tmp_path / "dest")) == ["keep"]
