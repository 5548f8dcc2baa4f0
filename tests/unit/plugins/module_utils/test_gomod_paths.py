# -*- coding: utf-8 -*-
"""goproxy_paths: case escaping, file names, zip validation as Go's modzip does it, h1 hashes."""

import zipfile

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths as gp
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


@pytest.mark.parametrize("path, escaped", [
    ("example.com/lib", "example.com/lib"),
    ("example.com/lib/v2", "example.com/lib/v2"),
    ("example.com/Upper/Mod", "example.com/!upper/!mod"),
    ("github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml"),
    ("gopkg.in/yaml.v3", "gopkg.in/yaml.v3"),
    ("example.com/ABC", "example.com/!a!b!c"),
])
def test_escape_round_trip(path, escaped):
    assert gp.escape_path(path) == escaped
    assert gp.unescape_path(escaped) == path


@pytest.mark.parametrize("bad", ["example.com/!Upper", "example.com/!", "example.com/!1", "Example.com", ""])
def test_unescape_refuses(bad):
    with pytest.raises(GofleetError):
        gp.unescape_path(bad)


def test_escape_refuses_bang():
    with pytest.raises(GofleetError):
        gp.escape_path("example.com/a!b")


@pytest.mark.parametrize("rel, parsed", [
    ("example.com/!upper/!mod/@v/v1.0.0.zip", ("example.com/Upper/Mod", "v1.0.0", "zip")),
    ("example.com/lib/v2/@v/v2.0.0.mod", ("example.com/lib/v2", "v2.0.0", "mod")),
    ("example.com/lib/@v/v1.0.0-!r!c1.info", ("example.com/lib", "v1.0.0-RC1", "info")),
    ("example.com/lib/@v/v2.0.0+incompatible.ziphash", ("example.com/lib", "v2.0.0+incompatible", "ziphash")),
    ("example.com/lib/@v/v1.0.0.lock", None),
    ("example.com/lib/@v/v1.0.0.zip.tmp123", None),
    ("example.com/lib/@v/v1.0.0.mod123456.tmp", None),
    ("example.com/lib/@v/list", None),
    ("example.com/../x/@v/v1.0.0.zip", None),
    ("example.com/lib/@v/latest.zip", None),
])
def test_parse_module_file(rel, parsed):
    assert gp.parse_module_file(rel) == parsed


@pytest.mark.parametrize("path, version, ext, rel", [
    ("example.com/Upper/Mod", "v1.0.0", "zip", "example.com/!upper/!mod/@v/v1.0.0.zip"),
    ("example.com/lib/v2", "v2.0.0", "mod", "example.com/lib/v2/@v/v2.0.0.mod"),
])
def test_module_file(path, version, ext, rel):
    assert gp.module_file(path, version, ext) == rel


@pytest.mark.parametrize("versions, ordered", [
    (["v1.10.0", "v1.2.0", "v1.2.0-rc.1", "v0.9.0"], ["v0.9.0", "v1.2.0-rc.1", "v1.2.0", "v1.10.0"]),
    (["v2.0.0+incompatible", "v1.0.0"], ["v1.0.0", "v2.0.0+incompatible"]),
    (["v1.0.0-beta.2", "v1.0.0-beta.10", "v1.0.0-alpha"], ["v1.0.0-alpha", "v1.0.0-beta.2", "v1.0.0-beta.10"]),
])
def test_semver_order(versions, ordered):
    assert sorted(versions, key=gp.semver_key) == ordered


@pytest.mark.parametrize("bad", ["../x", "/abs", "example.com/.hidden", "example.com//x", "exa mple.com/x"])
def test_check_module_path_refuses(bad):
    with pytest.raises(GofleetError):
        gp.check_module_path(bad)


def _zip(tmp_path, members, name="m.zip"):
    path = tmp_path / name
    with zipfile.ZipFile(str(path), "w") as z:
        for member, data in members:
            z.writestr(member, data)
    return str(path)


def test_h1_matches_go(tmp_path):
    # Values computed by go1.22 for tests/fixtures/gomod_upstream (see go.sum of the app).
    assert gp.h1_go_mod(b"module example.com/Upper/Mod\n\ngo 1.21\n") == "h1:Wz81o5uWI40QXOkub97QvSwZIZT+pRlB+DxGtMTk39A="


@pytest.mark.parametrize("members, error", [
    ([("example.com/m@v1.0.0/go.mod", b"module example.com/m\n")], None),
    ([("example.com/m@v1.0.0/go.mod", b"x"), ("example.com/m@v1.0.0/sub/", b"")], None),
    ([("example.com/other@v1.0.0/go.mod", b"x")], "does not start with example.com/m@v1.0.0/"),
    ([("example.com/m@v1.0.1/go.mod", b"x")], "does not start with"),
    ([("go.mod", b"x")], "does not start with"),
    ([("example.com/m@v1.0.0/A.go", b"x"), ("example.com/m@v1.0.0/a.go", b"y")], "differ only in case"),
    ([("example.com/m@v1.0.0/Dir/x.go", b"x"), ("example.com/m@v1.0.0/dir/x.go", b"y")], "differ only in case"),
    ([("example.com/m@v1.0.0/../evil", b"x")], "not a clean relative path"),
    ([("example.com/m@v1.0.0/a//b", b"x")], "not a clean relative path"),
    # Go checks every parent directory too: these cannot be extracted on a case-insensitive disk.
    ([("example.com/m@v1.0.0/Dir/x.go", b"x"), ("example.com/m@v1.0.0/dir/y.go", b"y")], "differ only in case"),
    ([("example.com/m@v1.0.0/a", b"x"), ("example.com/m@v1.0.0/a/b.go", b"y")], "both a file and a directory"),
    ([("example.com/m@v1.0.0/a.go", b"x"), ("example.com/m@v1.0.0/a.go", b"y")], "more than once"),
    ([("example.com/m@v1.0.0/sub/", b""), ("example.com/m@v1.0.0/sub/x.go", b"y")], None),
])
@pytest.mark.filterwarnings("ignore:Duplicate name")  # the zip with one member twice is meant
def test_check_zip(tmp_path, members, error):
    path = _zip(tmp_path, members)
    if error is None:
        assert gp.check_zip(path, "example.com/m", "v1.0.0").startswith("h1:")
    else:
        with pytest.raises(GofleetError, match=error):
            gp.check_zip(path, "example.com/m", "v1.0.0")


@pytest.mark.parametrize("limit, member, size, error", [
    ("MAX_GO_MOD", "go.mod", 65, "go.mod is 65 bytes"),
    ("MAX_LICENSE", "LICENSE", 65, "LICENSE is 65 bytes"),
    ("MAX_ZIP_FILE", "big.go", 10 ** 5, "bytes"),
])
def test_check_zip_size_limits(tmp_path, monkeypatch, limit, member, size, error):
    monkeypatch.setattr(gp, limit, 64)
    path = _zip(tmp_path, [("example.com/m@v1.0.0/" + member, b"x" * size)])
    with pytest.raises(GofleetError, match=error):
        gp.check_zip(path, "example.com/m", "v1.0.0")


def test_check_zip_not_a_zip(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(GofleetError, match="not a valid zip"):
        gp.check_zip(str(bad), "example.com/m", "v1.0.0")
