# -*- coding: utf-8 -*-
"""gomod_bundle: what state=present trusts in a bundle. The module list and hashes come from the
files, every module file gets the checks `built` gives it, and check mode judges every member the
way the real run does. Bundles are rebuilt from an honest one with one thing changed."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import zipfile

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import gomod_bundle as gb
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_index as gi
from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths as gp
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

from ansible_collections.gofleet.golang.tests.unit.conftest import RunCommand
from ansible_collections.gofleet.golang.tests.unit.plugins.module_utils.test_gomod_mirror import GoModDownload
from ansible_collections.gofleet.golang.tests import mirror_fixtures
from ansible_collections.gofleet.golang.tests.mirror_fixtures import build, present

LIB = "example.com/lib/@v/v1.1.0"


def fake_go(upstream):
    """run_command for a module-scoped fixture: `go mod download` from `upstream`, nothing else."""
    return RunCommand([(["go", "mod", "download"], GoModDownload(upstream))], strict=True)


def build_honest(base):
    """(bundle path, checksum) of a bundle built the normal way for example.com/lib@v1.1.0 (+ dep)."""
    upstream = mirror_fixtures.build_goproxy(base / "proxy")
    res = build(fake_go(upstream), False, "go", str(base / "m"), ["example.com/lib@v1.1.0"],
                "file:///up", "off", str(base / "one.tar.gz"))
    return str(base / "one.tar.gz"), res["bundle_checksum"]


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return build_honest(tmp_path_factory.mktemp("honest"))


# present must not run commands without a signature
no_run = RunCommand(strict=True)


def repack(src, dest, manifest=None, replace=None, extra=()):
    """Copy bundle src to dest: manifest(doc) edits the manifest, replace={rel: bytes} swaps file
    contents (their sha256 in the manifest follows, so only the planted fault is wrong), extra
    members (TarInfo, bytes or None) are appended. Returns (dest, checksum)."""
    replace = replace or {}
    with tarfile.open(src) as old:
        members = [(m, old.extractfile(m).read() if m.isfile() else None) for m in old.getmembers()]
    top = gb.BUNDLE_TOP + "/"
    doc = json.loads(dict((m.name, d) for m, d in members)[top + gi.MANIFEST])
    for rel, data in replace.items():
        doc["files"][rel] = hashlib.sha256(data).hexdigest()
    if manifest:
        manifest(doc)
    with tarfile.open(str(dest), "w:gz") as new:
        for member, data in members:
            rel = member.name[len(top):]
            if rel == gi.MANIFEST:
                data = json.dumps(doc).encode()
            elif rel in replace:
                data = replace[rel]
            if data is not None:
                member.size = len(data)
            new.addfile(member, io.BytesIO(data) if data is not None else None)
        for member, data in extra:
            new.addfile(member, io.BytesIO(data) if data is not None else None)
    return str(dest), "sha256:" + hashlib.sha256(dest.read_bytes()).hexdigest()


def module_entry(doc, key):
    return [m for m in doc["modules"] if "%s@%s" % (m["module"], m["version"]) == key][0]


def refused_in_both_modes(tmp_path, bundle, checksum):
    """The check-mode verdict and the real run's: the same one-line error, nothing written."""
    target = tmp_path / "srv"
    errors = []
    for check_mode in (True, False):
        with pytest.raises(GofleetError) as e:
            present(no_run, check_mode, str(target), bundle, checksum)
        errors.append(e.value.message)
    assert errors[0] == errors[1], errors
    assert "\n" not in errors[0]
    assert not target.exists(), "a refused bundle wrote %s" % target
    return errors[0]


# Module code runs on Python 3.7 nodes. This controller's ansible.module_utils needs a newer Python, so
# the two names artifact imports from it are stubbed: everything else is the real module_utils.
def python37():
    """A Python 3.7 that runs (a pyenv shim on PATH may not), or None."""
    for candidate in (os.environ.get("GOFLEET_PYTHON37"), "/root/.pyenv/versions/3.7.16/bin/python3",
                      shutil.which("python3.7")):
        if candidate and subprocess.run([candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 7)"],
                                        capture_output=True, check=False).returncode == 0:
            return candidate
    return None


PY37_VERIFY = """
import json, sys, types
from urllib.parse import urlparse
for name in ("ansible", "ansible.module_utils", "ansible.module_utils.urls", "ansible.module_utils.six",
             "ansible.module_utils.six.moves", "ansible.module_utils.six.moves.urllib",
             "ansible.module_utils.six.moves.urllib.parse"):
    sys.modules[name] = types.ModuleType(name)
sys.modules["ansible.module_utils.urls"].open_url = None
sys.modules["ansible.module_utils.six.moves.urllib.parse"].urlparse = urlparse
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_bundle
doc = gomod_bundle.verify(sys.argv[1], gomod_bundle.Bundle(sys.argv[1]).doc)
print(json.dumps(sorted(doc["modules"])))
"""


def test_bundle_verify_runs_on_python37(honest):
    """zipfile 3.7 reads file.seekable, which SpooledTemporaryFile only has from 3.11 on."""
    py37 = python37()
    if py37 is None:
        pytest.skip("skipped: no Python 3.7 interpreter (set GOFLEET_PYTHON37)")
    build = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", ".build")
    proc = subprocess.run([py37, "-c", PY37_VERIFY, honest[0]], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=build), check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout) == ["example.com/dep@v1.0.0", "example.com/lib@v1.1.0"]


def test_honest_bundle_installs(tmp_path, honest):
    res = present(no_run, False, str(tmp_path / "srv"), *honest)
    assert res["modules"] == ["example.com/dep@v1.0.0", "example.com/lib@v1.1.0"]


# ---------------------------------------------------------------- 14.10: the module list ------

def test_present_refuses_a_listed_version_without_files(tmp_path, honest):
    def ghost(doc):
        doc["modules"].append({"module": "example.com/lib", "version": "v9.9.9", "h1": "h1:x=", "h1_mod": "h1:y="})

    bundle = repack(honest[0], tmp_path / "ghost.tar.gz", manifest=ghost)
    msg = refused_in_both_modes(tmp_path, *bundle)
    assert "example.com/lib@v9.9.9" in msg and "no files" in msg, msg


@pytest.mark.parametrize("field", ["h1", "h1_mod"])
def test_present_refuses_a_false_h1(tmp_path, honest, field):
    false = "h1:" + "A" * 43 + "="

    def lie(doc):
        module_entry(doc, "example.com/lib@v1.1.0")[field] = false

    bundle = repack(honest[0], tmp_path / "lie.tar.gz", manifest=lie)
    msg = refused_in_both_modes(tmp_path, *bundle)
    assert "example.com/lib@v1.1.0" in msg and false in msg, msg


def test_present_refuses_files_of_an_unlisted_module(tmp_path, honest):
    def drop(doc):
        doc["modules"] = [m for m in doc["modules"] if m["module"] != "example.com/dep"]

    bundle = repack(honest[0], tmp_path / "unlisted.tar.gz", manifest=drop)
    msg = refused_in_both_modes(tmp_path, *bundle)
    assert "example.com/dep@v1.0.0" in msg and "module list" in msg, msg


# ---------------------------------------------------------------- 14.11: zip checks -----------

def zip_bytes(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return out.getvalue()


def with_zip(data):
    """A manifest edit that makes the module entry and the .ziphash agree with a planted zip,
    so that only the zip's own fault is left to find."""
    def names(archive):
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            return [(i.filename, [z.read(i)]) for i in z.infolist()]

    h1 = gp.h1_hash(names(data))

    def edit(doc):
        module_entry(doc, "example.com/lib@v1.1.0")["h1"] = h1
    return edit, h1


@pytest.mark.parametrize("members, fragment", [
    ([("example.com/lib@v1.1.0/go.mod", b"module example.com/lib\n"), ("example.com/other@v1.0.0/x.go", b"x")],
     "does not start with example.com/lib@v1.1.0/"),
    ([("example.com/lib@v1.1.0/go.mod", b"module example.com/lib\n"), ("example.com/lib@v1.1.0/../../evil", b"x")],
     "not a clean relative path"),
    ([("example.com/lib@v1.1.0/A.go", b"x"), ("example.com/lib@v1.1.0/a.go", b"y")], "differ only in case"),
])
def test_present_runs_the_zip_checks(tmp_path, honest, members, fragment):
    data = zip_bytes(members)
    edit, h1 = with_zip(data)
    bundle = repack(honest[0], tmp_path / "zip.tar.gz", manifest=edit,
                    replace={LIB + ".zip": data, LIB + ".ziphash": h1.encode()})
    msg = refused_in_both_modes(tmp_path, *bundle)
    assert "example.com/lib@v1.1.0" in msg and fragment in msg, msg


def test_present_refuses_a_zip_bomb_by_its_headers(tmp_path, honest, monkeypatch):
    data = zip_bytes([("example.com/lib@v1.1.0/go.mod", b"module example.com/lib\n"),
                      ("example.com/lib@v1.1.0/zeros.go", b"\0" * 200000)])
    assert len(data) < 2000  # what a bomb is: tiny packed, large unpacked
    edit, h1 = with_zip(data)
    bundle = repack(honest[0], tmp_path / "bomb.tar.gz", manifest=edit,
                    replace={LIB + ".zip": data, LIB + ".ziphash": h1.encode()})
    monkeypatch.setattr(gp, "MAX_ZIP_FILE", 100000)
    msg = refused_in_both_modes(tmp_path, *bundle)
    assert "example.com/lib@v1.1.0" in msg and "unpacks to more than 100000 bytes" in msg, msg


def test_present_refuses_a_mod_that_differs_from_the_zips_go_mod(tmp_path, honest):
    mod = b"module example.com/lib\n\ngo 1.21\n\nrequire example.com/evil v1.0.0\n"

    def edit(doc):
        module_entry(doc, "example.com/lib@v1.1.0")["h1_mod"] = gp.h1_go_mod(mod)

    bundle = repack(honest[0], tmp_path / "mod.tar.gz", manifest=edit, replace={LIB + ".mod": mod})
    msg = refused_in_both_modes(tmp_path, *bundle)
    assert "example.com/lib@v1.1.0" in msg and "differs from the go.mod in its zip" in msg, msg


@pytest.mark.parametrize("info, fragment", [
    (b"<html>not found</html>", "is not JSON"),
    (b"[1, 2]", "is not JSON"),
    (b'{"Version": "v1.0.0", "Time": "2024-01-02T03:04:05Z"}', "says Version 'v1.0.0'"),
])
def test_present_refuses_a_bad_info(tmp_path, honest, info, fragment):
    bundle = repack(honest[0], tmp_path / "info.tar.gz", replace={LIB + ".info": info})
    msg = refused_in_both_modes(tmp_path, *bundle)
    assert "example.com/lib@v1.1.0" in msg and fragment in msg, msg


def test_built_runs_the_same_checks(tmp_path):
    upstream = mirror_fixtures.build_goproxy(tmp_path / "proxy")
    (upstream / "example.com/lib/@v/v1.1.0.info").write_bytes(b"<html>")
    with pytest.raises(GofleetError, match=r"example.com/lib@v1.1.0: .*\.info is not JSON"):
        build(fake_go(upstream), False, "go", str(tmp_path / "m"), ["example.com/lib@v1.1.0"], "file:///up", "off")


# ---------------------------------------------------------------- 14.12: members in check mode -

def member(name, kind=tarfile.REGTYPE, data=b"x", mode=0o644, linkname=""):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname = kind, mode, linkname
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data if kind == tarfile.REGTYPE else None


@pytest.mark.parametrize("extra, fragment", [
    (member("mirror/../evil"), "mirror/../evil"),
    (member("mirror/example.com/../../evil"), "leaves the tree"),
    (member("/etc/cron.d/evil"), "absolute path"),
    (member("other/file"), "outside the expected top directory mirror/"),
    (member("mirror"), "outside the expected top directory mirror/"),
    (member("./mirror/x"), "outside the expected top directory mirror/"),
    (member("mirror/example.com/lib/@v/fifo", kind=tarfile.FIFOTYPE), "special file"),
    (member("mirror/example.com/lib/@v/v1.1.0.info", mode=0o4755), "setuid"),
    (member("mirror/example.com/x", kind=tarfile.SYMTYPE, linkname="lib"), "symlink"),
    (member("mirror/example.com/y", kind=tarfile.LNKTYPE, linkname="mirror/gofleet-mirror.json"), "link"),
    (member("mirror/evil.sh"), "which its manifest does not list"),
])
def test_check_mode_judges_the_members_like_the_real_run(tmp_path, honest, extra, fragment):
    bundle = repack(honest[0], tmp_path / "evil.tar.gz", extra=[extra])
    msg = refused_in_both_modes(tmp_path, *bundle)
    assert fragment in msg and bundle[0] in msg, msg
