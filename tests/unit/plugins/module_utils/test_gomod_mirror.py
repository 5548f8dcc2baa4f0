# -*- coding: utf-8 -*-
"""gomod_mirror: go.sum parsing, export filters, index/merge, bundles, check-mode planning.

Only run_command is mocked: a fake `go mod download` fills the staging GOMODCACHE the way
go does (with lock files, a vcs/ checkout and a temporary file that must not be exported).
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import gomod_build as gbuild
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_index as gi
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_mirror as gm
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_tree as gt
from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths as gp
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

import mirror_fixtures  # tests/mirror_fixtures.py
from mirror_fixtures import build, present


@pytest.mark.parametrize("text, expected", [
    ("", {}),
    ("example.com/a v1.0.0 h1:AAA=\nexample.com/a v1.0.0/go.mod h1:BBB=\n",
     {("example.com/a", "v1.0.0"): "h1:AAA=", ("example.com/a", "v1.0.0/go.mod"): "h1:BBB="}),
    ("\n\nexample.com/Upper/Mod v1.0.0 h1:X=\n", {("example.com/Upper/Mod", "v1.0.0"): "h1:X="}),
])
def test_parse_go_sum(text, expected):
    assert gbuild.parse_go_sum(text) == expected


@pytest.mark.parametrize("text, error", [
    ("example.com/a v1.0.0\n", "line 1 is malformed"),
    ("ok v1 h1:x\nexample.com/a v1.0.0 sha256:abc\n", "line 2 is malformed"),
    ("a v1.0.0 h1:x\na v1.0.0 h1:y\n", "twice with different hashes"),
])
def test_parse_go_sum_errors(text, error):
    with pytest.raises(GofleetError, match=error):
        gbuild.parse_go_sum(text, "app/go.sum")


@pytest.mark.parametrize("rel, kind", [
    ("example.com/a/@v/v1.0.0.zip", ("module", "example.com/a", "v1.0.0", "zip")),
    ("example.com/a/@v/v1.0.0.info", ("module", "example.com/a", "v1.0.0", "info")),
    ("example.com/a/@v/v1.0.0.lock", None),
    ("example.com/a/@v/list", None),
    ("example.com/a/@v/list.lock", None),
    ("example.com/a/@v/v1.0.0.zip.partial", None),
    ("example.com/a/@v/v1.0.0.info12345.tmp", None),
    ("vcs/0123abcd/HEAD", None),
    ("vcs/0123abcd.lock", None),
    ("sumdb/sum.golang.org/lookup/example.com/a@v1.0.0", ("sumdb",)),
    ("sumdb/sum.golang.org/tile/8/0/001", ("sumdb",)),
    ("sumdb/sum.golang.org/latest", ("sumdb",)),
    ("sumdb/sum.golang.org/lookup/x.lock", None),
    # a manifest entry names a file to write or repair: it must stay inside the tree
    ("sumdb/sum.golang.org/lookup/../../../../etc/cron.d/x", None),
    ("sumdb/../lookup/x", None),
    ("sumdb/sum.golang.org/tile/8/0/./001", None),
    ("random.txt", None),
])
def test_classify(rel, kind):
    assert gi.classify(rel) == kind


@pytest.mark.parametrize("item, parsed", [
    ("example.com/a@v1.2.3", ("module", "example.com/a", "v1.2.3")),
    ("example.com/Upper/Mod@v1.0.0", ("module", "example.com/Upper/Mod", "v1.0.0")),
])
def test_parse_requirement(item, parsed):
    assert gbuild.parse_requirement(item) == parsed


@pytest.mark.parametrize("item, error", [
    ("example.com/a", "neither a go.mod file nor module@version"),
    ("example.com/a@latest", "invalid module version"),
    ("/nonexistent/go.mod", "does not exist"),
    ("", "empty entry"),
])
def test_parse_requirement_errors(item, error):
    with pytest.raises(GofleetError, match=error):
        gbuild.parse_requirement(item)


# ------------------------------------------------------------------ fake go ----------------

@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    return mirror_fixtures.build_goproxy(tmp_path_factory.mktemp("upstream") / "proxy")


def _closure(want):
    deps = {"example.com/lib@v1.1.0": ["example.com/dep@v1.0.0"]}
    out = set()
    for m in want:
        out.add(m)
        out.update(deps.get(m, []))
    return out


class GoModDownload(object):
    """What `go mod download` does, as run_command's answer: copies from the fixture proxy into GOMODCACHE."""

    def __init__(self, upstream):
        self.upstream = Path(upstream)

    def __call__(self, args, cwd=None, environ_update=None, **kw):
        env = environ_update
        assert env["GOTOOLCHAIN"] == "local" and env["GOFLAGS"] == "-mod=mod"
        if args[-1] == "all":
            text = Path(cwd, "go.mod").read_text()
            want = set("%s@%s" % tuple(line.split()[:2]) for line in text.splitlines()
                       if line.startswith("\t") and "@" not in line)
        else:
            want = set(a for a in args[3:])
        cache = Path(env["GOMODCACHE"]) / "cache" / "download"
        for mv in sorted(_closure(want)):
            path, version = mv.split("@")
            src = self.upstream / gp.escape_path(path) / "@v"
            dst = cache / gp.escape_path(path) / "@v"
            dst.mkdir(parents=True, exist_ok=True)
            for ext in ("info", "mod", "zip"):
                shutil.copy(str(src / (version + "." + ext)), str(dst / (version + "." + ext)))
            (dst / (version + ".ziphash")).write_text(gp.check_zip(str(dst / (version + ".zip")), path, version))
            (dst / (version + ".lock")).write_text("")
            (dst / "list").write_text(version + "\n")
            (dst / "list.lock").write_text("")
            (dst / (version + ".info98765.tmp")).write_text("partial")
        (cache / "vcs" / "abc").mkdir(parents=True, exist_ok=True)
        (cache / "vcs" / "abc" / "HEAD").write_text("ref")
        return 0, "", ""


@pytest.fixture
def go(upstream, run_command):
    """go(answer=None) -> run_command fake for `go mod download` (strict: nothing else may run);
    by default it downloads from the fixture proxy."""
    return lambda answer=None: run_command([(["go", "mod", "download"], answer or GoModDownload(upstream))], strict=True)


@pytest.fixture
def no_run(run_command):
    """run_command for code that must run nothing (present without a signature)."""
    return run_command(strict=True)


@pytest.fixture
def app(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "go.mod").write_text(
        "module example.com/app\n\ngo 1.21\n\nrequire (\n\texample.com/Upper/Mod v1.0.0\n"
        "\texample.com/lib v1.1.0\n\texample.com/lib/v2 v2.0.0\n)\n")
    return app


def _tree(root):
    return sorted(gi.walk_files(str(root))) if os.path.isdir(str(root)) else []


def test_build_check_mode_predicts_and_writes_nothing(go, tmp_path, upstream, app):
    fake = go()
    mirror = tmp_path / "mirror"
    bundle = tmp_path / "out" / "m.tar.gz"
    planned = build(fake, True, "go", str(mirror), [str(app / "go.mod")], "file:///up", "off", str(bundle))
    assert planned["changed"] is True
    assert planned["added"] == ["example.com/Upper/Mod@v1.0.0", "example.com/dep@v1.0.0",
                                "example.com/lib/v2@v2.0.0", "example.com/lib@v1.1.0"]
    assert not mirror.exists() and not bundle.parent.exists()
    done = build(fake, False, "go", str(mirror), [str(app / "go.mod")], "file:///up", "off", str(bundle))
    assert done["changed"] is True and done["added"] == planned["added"]
    files = _tree(mirror)
    assert not [f for f in files if f.endswith((".lock", ".tmp")) or "vcs/" in f], files
    assert "example.com/!upper/!mod/@v/v1.0.0.zip" in files
    assert (mirror / "example.com/lib/@v/list").read_text() == "v1.1.0\n"
    doc = json.loads((mirror / gi.MANIFEST).read_text())
    assert [m["module"] + "@" + m["version"] for m in doc["modules"]] == done["modules"]
    assert all(m["h1"].startswith("h1:") and m["h1_mod"].startswith("h1:") for m in doc["modules"])
    assert Path(str(bundle) + ".sha256").read_text() == "%s  m.tar.gz\n" % done["bundle_sha256"]
    # Second run: nothing to do, same bundle bytes; the existing mirror is the first proxy.
    again = build(fake, False, "go", str(mirror), [str(app / "go.mod")], "file:///up", "off", str(bundle))
    assert again["changed"] is False and again["bundle_sha256"] == done["bundle_sha256"]
    assert fake.kwargs[-1]["environ_update"]["GOPROXY"] == "file://%s,file:///up" % mirror
    assert build(fake, True, "go", str(mirror), [str(app / "go.mod")], "file:///up", "off", str(bundle))["changed"] is False


def test_build_adds_and_keeps(go, tmp_path, upstream, app):
    fake = go()
    mirror = tmp_path / "mirror"
    build(fake, False, "go", str(mirror), [str(app / "go.mod")], "file:///up", "off")
    more = build(fake, False, "go", str(mirror), ["example.com/lib@v1.0.0"], "file:///up", "off")
    assert more["added"] == ["example.com/lib@v1.0.0"]
    assert "example.com/Upper/Mod@v1.0.0" in more["modules"]
    assert (mirror / "example.com/lib/@v/list").read_text() == "v1.0.0\nv1.1.0\n"


def test_build_go_sum_mismatch_names_module(go, tmp_path, upstream, app):
    (app / "go.sum").write_text("example.com/lib v1.1.0 h1:ttXDTWbsvovhq4P/gFOIVX+A/SCs8PtLHPtT9cBVxu0=\n"
                                "example.com/dep v1.0.0 h1:WRONGWRONGWRONGWRONGWRONGWRONGWRONGWRONG=\n")
    with pytest.raises(GofleetError, match=r"checksum mismatch for example.com/dep@v1.0.0: .*go.sum says"):
        build(go(), False, "go", str(tmp_path / "m"), [str(app / "go.mod")], "file:///up", "off")
    assert not (tmp_path / "m").exists()


def test_build_go_failure_is_one_line(go, tmp_path, upstream, app):
    fake = go((1, "", "go: downloading example.com/x v1.0.0\ngo: example.com/x@v1.0.0: not found\n"))
    with pytest.raises(GofleetError) as e:
        build(fake, False, "go", str(tmp_path / "m"), ["example.com/x@v1.0.0"], "file:///up", "off")
    assert e.value.message == ("go mod download for requirements example.com/x@v1.0.0 failed: "
                               "go: example.com/x@v1.0.0: not found")


# ------------------------------------------------------------------ merge ------------------

def _doc(files, modules=()):
    doc = gi.empty_doc()
    doc["files"] = dict(files)
    for mv in modules:
        path, version = mv.split("@")
        doc["modules"][mv] = {"module": path, "version": version, "h1": "h1:z", "h1_mod": "h1:m"}
    return doc


@pytest.mark.parametrize("base, new, expect_files, error", [
    # union keeps both sides, regenerates the list
    ({"a/@v/v1.0.0.mod": "1"}, {"a/@v/v1.1.0.mod": "2"},
     {"a/@v/v1.0.0.mod": "base", "a/@v/v1.1.0.mod": "new", "a/@v/list": "derived"}, None),
    # same content: base is kept, nothing new
    ({"a/@v/v1.0.0.mod": "1"}, {"a/@v/v1.0.0.mod": "1"}, {"a/@v/v1.0.0.mod": "base", "a/@v/list": "derived"}, None),
    # .info may differ (proxies re-encode it): the mirror's copy stays
    ({"a/@v/v1.0.0.info": "1", "a/@v/v1.0.0.mod": "m"}, {"a/@v/v1.0.0.info": "2", "a/@v/v1.0.0.mod": "m"},
     {"a/@v/v1.0.0.info": "base", "a/@v/v1.0.0.mod": "base", "a/@v/list": "derived"}, None),
    # an immutable file that differs is refused
    ({"a/@v/v1.0.0.zip": "1"}, {"a/@v/v1.0.0.zip": "2"}, None, "a@v1.0.0: a/@v/v1.0.0.zip differs"),
    ({"a/@v/v1.0.0.mod": "1"}, {"a/@v/v1.0.0.mod": "2"}, None, "immutable"),
])
def test_merge(base, new, expect_files, error):
    def mods(files):
        return sorted(set("%s@%s" % gp.parse_module_file(f)[:2] for f in files if gp.parse_module_file(f)))

    b, n = _doc(base, mods(base)), _doc(new, mods(new))
    if error:
        with pytest.raises(GofleetError, match=error):
            gi.merge(b, n, lambda r: b"", lambda r: b"")
        return
    merged, sources = gi.merge(b, n, lambda r: b"", lambda r: b"")
    kinds = dict((rel, "derived" if isinstance(s, bytes) else s) for rel, s in sources.items())
    assert kinds == expect_files
    assert set(merged["modules"]) == set(mods(base)) | set(mods(new))


@pytest.mark.parametrize("base_h1, new_h1, merged_h1", [
    (None, "h1:zip", "h1:zip"),     # the base had only the .mod; the new side brings the .zip
    ("h1:zip", None, "h1:zip"),
    ("h1:zip", "h1:zip", "h1:zip"),
    (None, None, None),
])
def test_merge_module_entry_takes_known_hashes(base_h1, new_h1, merged_h1):
    def side(h1):
        doc = _doc({"a/@v/v1.0.0.mod": "m"}, ["a@v1.0.0"])
        doc["modules"]["a@v1.0.0"]["h1"] = h1
        if h1:
            doc["files"]["a/@v/v1.0.0.zip"] = "z"
        return doc

    merged = gi.merge(side(base_h1), side(new_h1), lambda r: b"", lambda r: b"")[0]
    assert merged["modules"]["a@v1.0.0"]["h1"] == merged_h1


@pytest.mark.parametrize("base_size, new_size, winner", [(10, 20, "new"), (20, 10, "base"), (10, 10, "base")])
def test_merge_sumdb_latest_keeps_larger_tree(base_size, new_size, winner):
    rel = "sumdb/sum.golang.org/latest"

    def note(size):
        return ("go.sum database tree\n%d\nhash\n" % size).encode()

    merged, sources = gi.merge(_doc({rel: "b"}), _doc({rel: "n"}), lambda r: note(base_size), lambda r: note(new_size))
    assert sources[rel] == winner


def test_doc_round_trip_and_id():
    doc = _doc({"a/@v/v1.0.0.mod": "1", "a/@v/list": "2"}, ["a@v1.0.0"])
    again = gi.load_doc(gi.dump_doc(doc), "x")
    assert again["files"] == doc["files"] and again["modules"] == doc["modules"]
    assert gi.doc_id(again) == gi.doc_id(doc)


@pytest.mark.parametrize("data, error", [
    (b"{", "not a gofleet mirror manifest"),
    (b'{"format": 9, "modules": [], "files": {}}', "unknown format"),
    (b'{"format": 1, "modules": [], "files": {"../../etc/passwd": "x"}}', "does not belong in a mirror"),
    (b'{"format": 1, "modules": [], "files": {"sumdb/s/lookup/../../../../etc/passwd": "x"}}',
     "does not belong in a mirror"),
])
def test_load_doc_errors(data, error):
    with pytest.raises(GofleetError, match=error):
        gi.load_doc(data, "bundle b.tar.gz")


# ------------------------------------------------------------------ present ----------------

@pytest.fixture
def bundles(go, tmp_path, upstream, app):
    fake = go()
    out = {}
    for name, reqs in (("one", [str(app / "go.mod")]), ("two", ["example.com/extra@v1.0.0"])):
        res = build(fake, False, "go", str(tmp_path / ("m-" + name)), reqs, "file:///up", "off",
                    str(tmp_path / (name + ".tar.gz")))
        out[name] = (str(tmp_path / (name + ".tar.gz")), res["bundle_checksum"])
    return out


def test_bundle_is_deterministic(tmp_path, bundles):
    import tarfile
    path, checksum = bundles["one"]
    with tarfile.open(path) as t:
        members = t.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names) and names[0] == "mirror"
    assert set((m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members) == {(gt.FIXED_MTIME, 0, 0, "", "")}


def test_present_check_merge_idempotent(no_run, tmp_path, bundles):
    target = tmp_path / "srv"
    one, two = bundles["one"], bundles["two"]
    plan = present(no_run, True, str(target), one[0], one[1])
    assert plan["changed"] and not target.exists()
    first = present(no_run, False, str(target), one[0], one[1])
    assert first["release"] == plan["release"] and first["modules"] == plan["modules"]
    assert os.readlink(str(target / "current")) == "releases/" + first["release"]
    assert present(no_run, False, str(target), one[0], one[1])["changed"] is False
    plan2 = present(no_run, True, str(target), two[0], two[1])
    assert plan2["changed"] and plan2["added"] == ["example.com/extra@v1.0.0"]
    assert os.readlink(str(target / "current")) == "releases/" + first["release"]
    second = present(no_run, False, str(target), two[0], two[1])
    assert second["release"] == plan2["release"]
    assert set(first["modules"]) < set(second["modules"])
    assert present(no_run, False, str(target), one[0], one[1])["changed"] is False
    # previous release kept for rollback, nothing older
    assert sorted(p.name for p in (target / "releases").iterdir() if p.is_dir()) == sorted([first["release"], second["release"]])


@pytest.mark.parametrize("verify, tamper, detected", [
    ("fast", "append", True),
    ("fast", "same_size_same_mtime", False),
    ("full", "same_size_same_mtime", True),
    ("fast", "delete", True),
    ("fast", "extra_file", True),
    ("fast", "chmod", True),
    ("none", "append", False),
])
def test_present_drift_repair(no_run, tmp_path, bundles, verify, tamper, detected):
    target = tmp_path / "srv"
    path, checksum = bundles["one"]
    present(no_run, False, str(target), path, checksum)
    z = target / "current" / "example.com/lib/@v/v1.1.0.zip"
    good = z.read_bytes()
    if tamper == "append":
        with open(str(z), "ab") as f:
            f.write(b"x")
    elif tamper == "same_size_same_mtime":
        z.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
        os.utime(str(z), (gt.FIXED_MTIME, gt.FIXED_MTIME))
    elif tamper == "delete":
        z.unlink()
    elif tamper == "extra_file":
        (target / "current" / "evil.sh").write_text("x")
    elif tamper == "chmod":
        z.chmod(0o666)
    plan = present(no_run, True, str(target), path, checksum, verify=verify)
    assert plan["changed"] is detected and bool(plan["drift"]) is detected
    res = present(no_run, False, str(target), path, checksum, verify=verify)
    assert res["changed"] is detected
    if detected:
        assert z.read_bytes() == good and not (target / "current" / "evil.sh").exists()
        assert present(no_run, False, str(target), path, checksum, verify="full")["changed"] is False


@pytest.mark.parametrize("checksum, error", [
    ("sha256:" + "0" * 64, "checksum mismatch for bundle"),
    ("md5:abc", "checksum must look like sha256"),
])
def test_present_refuses_bad_checksum(no_run, tmp_path, bundles, checksum, error):
    with pytest.raises(GofleetError, match=error):
        present(no_run, False, str(tmp_path / "srv"), bundles["one"][0], checksum)
    assert not (tmp_path / "srv").exists()


def test_present_merge_refuses_corrupt_base_it_cannot_repair(no_run, tmp_path, bundles):
    target = tmp_path / "srv"
    present(no_run, False, str(target), *bundles["one"])
    with open(str(target / "current" / "example.com/lib/@v/v1.1.0.zip"), "ab") as f:
        f.write(b"x")
    with pytest.raises(GofleetError, match="example.com/lib/@v/v1.1.0.zip in the current release is missing or altered"):
        present(no_run, False, str(target), *bundles["two"])


@pytest.mark.parametrize("key", ["GOMODCACHE", "GOPROXY", "GOFLAGS", "HOME"])
def test_build_go_env_cannot_override_the_module(go, tmp_path, upstream, key):
    with pytest.raises(GofleetError, match="go_env: %s is set by the module" % key):
        build(go(), False, "go", str(tmp_path / "m"), ["example.com/lib@v1.0.0"], "file:///up",
              "off", go_env={key: "x"})


def test_build_go_env_reaches_go(go, tmp_path, upstream):
    fake = go()
    build(fake, False, "go", str(tmp_path / "m"), ["example.com/lib@v1.0.0"], "file:///up", "off",
          go_env={"GONOSUMDB": "corp.example.com"})
    assert fake.kwargs[-1]["environ_update"]["GONOSUMDB"] == "corp.example.com"


def test_bundle_refuses_a_tampered_mirror_file(go, tmp_path, upstream, app):
    mirror = tmp_path / "m"
    build(go(), False, "go", str(mirror), [str(app / "go.mod")], "file:///up", "off")
    with open(str(mirror / "example.com/dep/@v/v1.0.0.info"), "a") as f:
        f.write(" ")
    with pytest.raises(GofleetError, match=r"example.com/dep/@v/v1.0.0.info does not match the sha256"):
        build(go(), False, "go", str(mirror), [str(app / "go.mod")], "file:///up", "off",
              str(tmp_path / "b.tar.gz"))
    assert not (tmp_path / "b.tar.gz").exists()


class ReadOnlyCacheGo(GoModDownload):
    """Like go, leaves extracted module directories read-only (0555) in GOMODCACHE."""

    def __call__(self, args, cwd=None, environ_update=None, **kw):
        result = super(ReadOnlyCacheGo, self).__call__(args, cwd, environ_update)
        extracted = Path(environ_update["GOMODCACHE"]) / "example.com" / "lib@v1.0.0"
        extracted.mkdir(parents=True, exist_ok=True)
        (extracted / "lib.go").write_text("package lib\n")
        extracted.chmod(0o555)
        return result


@pytest.mark.parametrize("check_mode", [False, True])
def test_build_removes_its_scratch_space_even_when_go_made_it_read_only(go, tmp_path, upstream, check_mode):
    # As root rmtree ignores the mode; as any other user the read-only directories stayed behind.
    parent = tmp_path / "srv"
    parent.mkdir()
    seen = []

    def track(args, cwd=None, environ_update=None, **kw):
        seen.append(Path(environ_update["GOMODCACHE"]).parent)
        return ReadOnlyCacheGo(upstream)(args, cwd, environ_update)

    build(go(track), check_mode, "go", str(parent / "m"), ["example.com/lib@v1.0.0"], "file:///up", "off")
    assert seen and not [p for p in seen if p.exists()]
    assert sorted(p.name for p in parent.iterdir()) == ([] if check_mode else ["m"])


def test_build_interrupted_never_lists_a_version_it_has_not_placed(go, tmp_path, upstream, app):
    mirror = tmp_path / "mirror"
    blocker = mirror / "example.com/lib/@v/v1.1.0.zip"
    blocker.mkdir(parents=True)  # placing the zip fails half-way through the run
    with pytest.raises(OSError):
        build(go(), False, "go", str(mirror), [str(app / "go.mod")], "file:///up", "off")
    listed = mirror / "example.com/lib/@v/list"
    assert not listed.exists() or "v1.1.0" not in listed.read_text()
    assert not (mirror / gi.MANIFEST).exists()
    blocker.rmdir()
    again = build(go(), False, "go", str(mirror), [str(app / "go.mod")], "file:///up", "off")
    assert again["changed"] is True and listed.read_text() == "v1.1.0\n"


def test_present_removes_what_an_interrupted_run_left_in_releases(no_run, tmp_path, bundles):
    target = tmp_path / "srv"
    first = present(no_run, False, str(target), *bundles["one"])
    left = target / "releases" / (".%s.staging-abc123" % first["release"])
    (left / "mirror" / "example.com").mkdir(parents=True)
    (left / "mirror" / "example.com" / "half.zip").write_bytes(b"x")
    trash = target / "releases" / ("%s.gofleet-trash-42" % first["release"])
    trash.mkdir()
    second = present(no_run, False, str(target), *bundles["two"])
    assert sorted(p.name for p in (target / "releases").iterdir()) == sorted(
        [first["release"], first["release"] + ".manifest.json", second["release"], second["release"] + ".manifest.json"])


@pytest.mark.parametrize("name, target", [
    ("mirror/evil", "example.com"),                                   # not in the manifest
    ("mirror/example.com/lib/@v/v9.9.9.zip", "v1.1.0.zip"),           # stands in for content
])
def test_present_refuses_symlinks_in_a_bundle(no_run, tmp_path, bundles, name, target):
    import hashlib
    import tarfile
    src = bundles["one"][0]
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(src) as old, tarfile.open(str(evil), "w:gz") as new:
        for member in old.getmembers():
            new.addfile(member, old.extractfile(member) if member.isfile() else None)
        link = tarfile.TarInfo(name)
        link.type, link.linkname = tarfile.SYMTYPE, target
        new.addfile(link)
    checksum = "sha256:" + hashlib.sha256(evil.read_bytes()).hexdigest()
    with pytest.raises(GofleetError, match="symlink"):
        present(no_run, False, str(tmp_path / "srv"), str(evil), checksum)
    assert not (tmp_path / "srv" / "current").exists()


# ------------------------------------------------------------------ relative paths ---------

@pytest.mark.parametrize("option, value", [
    ("path", "rel/mirror"),
    ("bundle", "out/m.tar.gz"),
    ("signature", "m.tar.gz.asc"),
    ("keyring", "./keys.gpg"),
    ("go", "bin/go"),
])
def test_module_refuses_relative_paths(option, value):
    params = {"path": "/srv/gomirror", "bundle": "/tmp/m.tar.gz", "signature": None, "keyring": None, "go": "go",
              "state": "present", "checksum": "sha256:" + "0" * 64}
    gm.Request(params)  # absolute paths and a go found on PATH pass
    params[option] = value
    with pytest.raises(GofleetError) as e:
        gm.Request(params)
    assert e.value.message == "%s must be an absolute path, got %r" % (option, value)


def test_requirements_refuse_a_relative_go_mod(tmp_path, monkeypatch):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "go.mod").write_text("module example.com/app\n")
    monkeypatch.chdir(str(tmp_path))
    with pytest.raises(GofleetError, match=r"^requirements: go.mod file 'app/go.mod' must be an absolute path$"):
        gbuild.parse_requirement("app/go.mod")


def refusals(target, bundle, checksum):
    """The check-mode and the real run's error for one present run: check mode predicts it."""
    messages = []
    for check_mode in (True, False):
        with pytest.raises(GofleetError) as e:
            present(no_run, check_mode, str(target), bundle, checksum)
        messages.append(e.value.message)
    assert messages[0] == messages[1]
    return messages[0]


def test_check_mode_predicts_a_base_file_the_merge_cannot_use(no_run, tmp_path, bundles):
    target = tmp_path / "srv"
    first = present(no_run, False, str(target), *bundles["one"])
    with open(str(target / "current" / "example.com/lib/@v/v1.1.0.zip"), "ab") as f:
        f.write(b"x")
    msg = refusals(target, *bundles["two"])
    assert "example.com/lib/@v/v1.1.0.zip in the current release is missing or altered" in msg
    assert os.readlink(str(target / "current")) == "releases/" + first["release"]


def test_check_mode_predicts_a_repair_the_bundle_cannot_make(no_run, tmp_path, bundles):
    target = tmp_path / "srv"
    present(no_run, False, str(target), *bundles["one"])
    merged = present(no_run, False, str(target), *bundles["two"])
    # bundle two alone brings nothing new (same release), and does not carry example.com/lib
    (target / "current" / "example.com/lib/@v/v1.1.0.zip").unlink()
    msg = refusals(target, *bundles["two"])
    assert "current/example.com/lib/@v/v1.1.0.zip has drifted (missing)" in msg
    assert os.readlink(str(target / "current")) == "releases/" + merged["release"]
