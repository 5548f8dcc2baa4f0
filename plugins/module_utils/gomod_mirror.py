# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An offline Go module mirror: built from `go mod download` on a connected host, shipped as
a deterministic bundle, merged into versioned releases on the offline side.

A mirror is a GOPROXY tree (`<escaped path>/@v/{list,<v>.info,.mod,.zip,.ziphash}` plus
`sumdb/`) with `gofleet-mirror.json` at its root: the modules it serves (with their h1:
hashes) and the sha256 of every file.  Everything here is a pure function of that index
plus file contents, so check mode can predict a run exactly and merges are repeatable.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile

from ansible_collections.gofleet.golang.plugins.module_utils import atomic
from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths as gp
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

MANIFEST = "gofleet-mirror.json"
BUNDLE_TOP = "mirror"
FORMAT = 1
FIXED_MTIME = 946684800  # 2000-01-01: bundles and releases never carry build times
IMMUTABLE = ("zip", "mod", "ziphash")
LOST_MANIFEST = "missing: (release manifest)"

_MODVER_RE = re.compile(r"^(?P<path>[^@\s]+)@(?P<version>[^@\s]+)$")
_SUMDB_RE = re.compile(r"^sumdb/[A-Za-z0-9.-]+/(latest|supported|(lookup|tile)/[^\s]+)$")


# ---------------------------------------------------------------- inputs --------------------

def parse_requirement(item):
    """'path/to/go.mod' -> ('gomod', path); 'example.com/m@v1.2.3' -> ('module', m, v)."""
    text = (item or "").strip()
    if not text:
        raise GofleetError("requirements: empty entry")
    if text.endswith("go.mod") or os.path.sep in text and os.path.exists(text):
        if not os.path.isabs(text):
            raise GofleetError("requirements: go.mod file %r must be an absolute path" % text)
        if not os.path.isfile(text):
            raise GofleetError("requirements: go.mod file %s does not exist" % text)
        return ("gomod", text)
    match = _MODVER_RE.match(text)
    if not match:
        raise GofleetError("requirements: %r is neither a go.mod file nor module@version" % text)
    try:
        gp.check_module_path(match.group("path"))
        gp.check_version(match.group("version"))
    except GofleetError as e:
        raise GofleetError("requirements: %s: %s (exact versions keep the mirror reproducible)" % (text, e.message))
    return ("module", match.group("path"), match.group("version"))


def parse_go_sum(text, label="go.sum"):
    """{(module, version): h1} where version is 'v1.2.3' or 'v1.2.3/go.mod'."""
    sums = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3 or not fields[2].startswith("h1:"):
            raise GofleetError("%s line %d is malformed: %r" % (label, number, line.strip()))
        key = (fields[0], fields[1])
        if key in sums and sums[key] != fields[2]:
            raise GofleetError("%s lists %s %s twice with different hashes" % (label, fields[0], fields[1]))
        sums[key] = fields[2]
    return sums


def classify(rel):
    """What an exported file is: ('module', path, version, ext), ('sumdb',), or None (skip).

    Lock files, temporary files, vcs/ checkouts and the `list` files (regenerated from the
    index) never enter a mirror.
    """
    if rel.startswith("vcs/") or rel.startswith("cache/vcs/"):
        return None
    base = rel.rsplit("/", 1)[-1]
    if base.endswith(".lock") or ".tmp" in base or base.endswith(".partial") or base.startswith("."):
        return None
    if rel.startswith("sumdb/"):
        # Manifests name the files to write and repair: '.' and '..' would lead outside the tree.
        clean = not any(part in ("", ".", "..") for part in rel.split("/"))
        return ("sumdb",) if clean and _SUMDB_RE.match(rel) else None
    parsed = gp.parse_module_file(rel)
    if parsed is None:
        return None
    return ("module",) + parsed


def walk_files(root):
    """Relative names of every regular file below root (symlinks are not followed)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            full = os.path.join(dirpath, name)
            if os.path.isfile(full) and not os.path.islink(full):
                found.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(found)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


# ---------------------------------------------------------------- index ---------------------

def empty_doc():
    return {"format": FORMAT, "modules": {}, "files": {}}


class Indexer(object):
    """Builds a mirror index one file at a time, checking every module file as Go would.

    The same checks serve a tree on disk (state=built) and a bundle's members (state=present):
    zips (prefix, clean names, case clashes, size limits from the headers), .mod size, a .mod
    equal to the zip's own go.mod, an .info that is Go's JSON, a .ziphash equal to the zip's h1.
    """

    def __init__(self):
        self.doc = empty_doc()
        self.ziphash = {}
        self.mods = {}
        self.zip_mods = {}

    def add(self, rel, sha, source, size, label=None):
        """Index file rel (sha256 `sha`): source is its path or a seekable file object."""
        kind = classify(rel)
        if kind is None:
            return False
        self.doc["files"][rel] = sha
        if kind[0] != "module":
            return True
        path, version, ext = kind[1:]
        key = "%s@%s" % (path, version)
        entry = self.doc["modules"].setdefault(key, {"module": path, "version": version, "h1": None, "h1_mod": None})
        if ext == "zip":
            entry["h1"] = gp.check_zip(source, path, version, label, size=size)
            if hasattr(source, "seek"):
                source.seek(0)
            self.zip_mods[key] = gp.zip_go_mod(source, path, version)
            return True
        limit = {"mod": gp.MAX_GO_MOD, "info": gp.MAX_INFO}.get(ext, 4096)
        if size > limit:
            raise GofleetError("%s: .%s is larger than %d bytes" % (key, ext, limit))
        data = _read(source) if not hasattr(source, "read") else source.read(limit + 1)
        if ext == "mod":
            entry["h1_mod"] = gp.h1_go_mod(data)
            self.mods[key] = data
        elif ext == "info":
            gp.check_info(data, path, version)
        elif ext == "ziphash":
            self.ziphash[key] = data.decode("utf-8", "replace").strip()
        return True

    def finish(self, go_sums=None):
        """The index, once every file is in; go_sums as for index_tree."""
        doc = self.doc
        for key, recorded in sorted(self.ziphash.items()):
            computed = doc["modules"][key]["h1"]
            if computed is not None and computed != recorded:
                raise GofleetError("%s: zip hashes to %s but its .ziphash says %s" % (key, computed, recorded))
        for key, entry in sorted(doc["modules"].items()):
            if entry["h1_mod"] is None:
                raise GofleetError("%s: the tree has files for it but no .mod file" % key)
            # Go serves a +incompatible version's .mod synthesized, whatever its zip holds.
            in_zip = self.zip_mods.get(key)
            if in_zip is not None and not entry["version"].endswith("+incompatible") and in_zip != self.mods[key]:
                raise GofleetError("%s: its .mod differs from the go.mod in its zip" % key)
            for label, sums in go_sums or ():
                for suffix, field in (("", "h1"), ("/go.mod", "h1_mod")):
                    want = sums.get((entry["module"], entry["version"] + suffix))
                    if want and entry[field] and want != entry[field]:
                        raise GofleetError(
                            "checksum mismatch for %s%s: %s says %s, the download hashes to %s"
                            % (key, suffix, label, want, entry[field])
                        )
        return doc


def index_tree(root, go_sums=None):
    """Index the mirror files under root: validates every zip and checks hashes.

    go_sums: list of (label, {(module, version): h1}) from go.sum files; any entry that
    lists a module of the tree must match what the tree holds.
    """
    index = Indexer()
    for rel in walk_files(root):
        full = os.path.join(root, rel)
        if classify(rel) is not None:
            index.add(rel, sha256_file(full), full, os.path.getsize(full))
    return index.finish(go_sums)


def derive_lists(doc):
    """The `@v/list` files (versions that have a .mod), as {rel: bytes}."""
    versions = {}
    for entry in doc["modules"].values():
        versions.setdefault(entry["module"], []).append(entry["version"])
    return dict(
        (gp.list_file(path), "".join(v + "\n" for v in sorted(vs, key=gp.semver_key)).encode("utf-8"))
        for path, vs in versions.items()
    )


def tree_size(latest):
    """Tree size of a sumdb signed note ('go.sum database tree\\n<size>\\n...'), 0 if unreadable."""
    lines = (latest or b"").decode("utf-8", "replace").splitlines()
    return int(lines[1]) if len(lines) > 1 and lines[1].isdigit() else 0


def merge(base, new, read_base, read_new):
    """Union of two indexes.

    Returns (doc, sources) where sources maps each file to 'base', 'new' or bytes (derived).
    A module version is immutable: a .zip/.mod/.ziphash that differs is refused.
    """
    doc = empty_doc()
    sources = {}
    for rel, sha in sorted(base.get("files", {}).items()):
        if not gp.is_list_file(rel):
            doc["files"][rel] = sha
            sources[rel] = "base"
    for rel, sha in sorted(new.get("files", {}).items()):
        if gp.is_list_file(rel):
            continue
        have = doc["files"].get(rel)
        if have is None:
            doc["files"][rel] = sha
            sources[rel] = "new"
        elif have != sha:
            kind = classify(rel)
            if kind and kind[0] == "module" and kind[3] in IMMUTABLE:
                raise GofleetError(
                    "%s@%s: %s differs from the copy already in the mirror; module versions are "
                    "immutable, refusing to replace it" % (kind[1], kind[2], rel)
                )
            if rel.startswith("sumdb/") and rel.endswith("/latest") and tree_size(read_new(rel)) > tree_size(read_base(rel)):
                doc["files"][rel] = sha
                sources[rel] = "new"
    for source in (base, new):
        for key, entry in source.get("modules", {}).items():
            merged = doc["modules"].setdefault(key, dict(entry))
            # A side that had only the .mod has h1=None; the other side's .zip fills it in.
            for field, value in entry.items():
                if merged.get(field) is None:
                    merged[field] = value
    for rel, data in derive_lists(doc).items():
        doc["files"][rel] = hashlib.sha256(data).hexdigest()
        sources[rel] = data
    return doc, sources


def doc_id(doc):
    return hashlib.sha256(json.dumps(doc["files"], sort_keys=True).encode("utf-8")).hexdigest()


def dump_doc(doc):
    out = {
        "format": FORMAT,
        "modules": [doc["modules"][k] for k in sorted(doc["modules"])],
        "files": doc["files"],
    }
    return (json.dumps(out, sort_keys=True, indent=1) + "\n").encode("utf-8")


def load_doc(data, label):
    try:
        raw = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
        if raw.get("format") != FORMAT:
            raise ValueError("unknown format %r" % raw.get("format"))
        modules = dict(("%s@%s" % (m["module"], m["version"]), m) for m in raw["modules"])
        files = dict(raw["files"])
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise GofleetError("%s is not a gofleet mirror manifest: %s" % (label, e))
    for rel in files:
        if classify(rel) is None and not gp.is_list_file(rel):
            raise GofleetError("%s lists %r, which does not belong in a mirror" % (label, rel))
    return {"format": FORMAT, "modules": modules, "files": files}


def load_doc_file(path):
    data = None
    try:
        data = _read(path)
    except (IOError, OSError):
        return None
    return load_doc(data, path)


def module_keys(doc):
    return sorted((doc or empty_doc())["modules"])


def diff_text(doc):
    return "".join(k + "\n" for k in module_keys(doc))


# ---------------------------------------------------------------- bundles -------------------

def _dirs_of(rels):
    dirs = set()
    for rel in rels:
        parts = rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    return dirs


def write_bundle(dest, root, doc):
    """A deterministic tar.gz of the mirror under `mirror/`: same mirror, same bytes."""
    files = dict((rel, os.path.join(root, rel)) for rel in doc["files"])
    manifest = dump_doc(doc)
    names = sorted(set(files) | _dirs_of(files) | {MANIFEST})

    def info(name, size=0, is_dir=False):
        ti = tarfile.TarInfo(BUNDLE_TOP + ("/" + name if name else ""))
        ti.mtime = FIXED_MTIME
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = ""
        if is_dir:
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
        else:
            ti.size = size
            ti.mode = 0o644
        return ti

    with open(dest, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                tar.addfile(info("", is_dir=True))
                for name in names:
                    if name == MANIFEST:
                        tar.addfile(info(name, len(manifest)), io.BytesIO(manifest))
                    elif name in files:
                        if sha256_file(files[name]) != doc["files"][name]:
                            raise GofleetError(
                                "mirror file %s does not match the sha256 in %s; rebuild the mirror"
                                % (files[name], MANIFEST))
                        size = os.path.getsize(files[name])
                        with open(files[name], "rb") as f:
                            tar.addfile(info(name, size), f)
                    else:
                        tar.addfile(info(name, is_dir=True))
    return sha256_file(dest)


class Bundle(object):
    """Read access to a (checksum-verified) bundle without extracting it."""

    def __init__(self, path):
        self.path = path
        try:
            self._tar = tarfile.open(path, "r:*")
            member = self._tar.getmember(BUNDLE_TOP + "/" + MANIFEST)
            data = self._tar.extractfile(member).read()
        except KeyError:
            raise GofleetError("bundle %s has no %s/%s: not a gofleet mirror bundle" % (path, BUNDLE_TOP, MANIFEST))
        except (tarfile.TarError, IOError, OSError, EOFError) as e:
            raise GofleetError("bundle %s is truncated or not a valid tarball: %s" % (path, e))
        self.doc = load_doc(data, "bundle %s" % path)

    def read(self, rel):
        try:
            return self._tar.extractfile(self._tar.getmember(BUNDLE_TOP + "/" + rel)).read()
        except (KeyError, AttributeError):
            raise GofleetError("bundle %s does not contain %s listed in its manifest" % (self.path, rel))

    def close(self):
        self._tar.close()


# ---------------------------------------------------------------- trees on disk -------------

def normalize(path, is_dir=False):
    os.chmod(path, 0o755 if is_dir else 0o644)
    os.utime(path, (FIXED_MTIME, FIXED_MTIME))


def place_file(dest, data=None, source=None, link=False):
    """Put bytes (or a copy/hardlink of source) at dest via a temporary name + rename."""
    parent = os.path.dirname(dest)
    atomic.makedirs(parent, 0o755)
    tmp = os.path.join(parent, ".%s.gofleet-%d" % (os.path.basename(dest), os.getpid()))
    if os.path.lexists(tmp):
        os.unlink(tmp)
    if data is not None:
        with open(tmp, "wb") as f:
            f.write(data)
    elif link:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
    else:
        shutil.copyfile(source, tmp)
    if not link:
        normalize(tmp)
    os.rename(tmp, dest)


def normalize_tree(root):
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames:
            normalize(os.path.join(dirpath, name))
        normalize(dirpath, is_dir=True)


def prune_empty_dirs(root):
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        if dirpath != root and not os.listdir(dirpath):
            os.rmdir(dirpath)


def temp_dir(check_mode, parent, name):
    """Scratch space: beside the target normally, in the system tmp in check mode."""
    if check_mode or not os.path.isdir(parent):
        return tempfile.mkdtemp(prefix="gofleet-%s-" % name)
    return atomic.make_staging_dir(parent, name)


def remove_scratch(path):
    """Remove a scratch tree that holds a go module cache.

    go leaves extracted modules read-only (0555 directories); only root can delete in them,
    so everyone else would leave the whole cache behind on every run.
    """
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames:
            full = os.path.join(dirpath, name)
            try:
                if not os.path.islink(full):
                    os.chmod(full, 0o700)
            except OSError:
                pass  # cleanup in a finally clause must not hide the run's own error
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------- state: built --------------

def go_environment(work, upstream, gosumdb=None, extra=None):
    """A hermetic go environment: staging module cache, throwaway HOME/GOPATH, no user go.env."""
    env = {
        "HOME": os.path.join(work, "home"),
        "GOPATH": os.path.join(work, "gopath"),
        "GOMODCACHE": os.path.join(work, "modcache"),
        "GOCACHE": os.path.join(work, "gocache"),
        "GOENV": "off",
        "GOPROXY": upstream,
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GONOPROXY": "",
        "GOPRIVATE": "",
        "GONOSUMDB": "",
        "GOINSECURE": "",
        "GOWORK": "off",
    }
    if gosumdb:
        env["GOSUMDB"] = gosumdb
    env.update(extra or {})
    for key in ("HOME", "GOPATH", "GOMODCACHE", "GOCACHE"):
        atomic.makedirs(env[key], 0o700)
    return env


def go_error(err, out=""):
    """The line of go's output that says what went wrong (progress lines dropped)."""
    lines = [ln.strip() for ln in ((err or "") + "\n" + (out or "")).splitlines() if ln.strip()]
    useful = [ln for ln in lines if not ln.startswith(("go: downloading", "go: finding", "go: extracting"))]
    return (useful or lines or ["no output"])[0]


def download(run_command, go, requirements, work, env):
    """Run `go mod download` for every requirement into the staging module cache.

    Returns [(label, go.sum dict)] for the go.sum files read beside go.mod requirements.
    """
    sums = []
    modules = []
    for index, item in enumerate(requirements):
        req = parse_requirement(item)
        if req[0] == "module":
            modules.append("%s@%s" % (req[1], req[2]))
            continue
        gomod = req[1]
        gosum = os.path.join(os.path.dirname(gomod) or ".", "go.sum")
        moddir = os.path.join(work, "req%d" % index)
        atomic.makedirs(moddir, 0o700)
        shutil.copyfile(gomod, os.path.join(moddir, "go.mod"))
        if os.path.isfile(gosum):
            shutil.copyfile(gosum, os.path.join(moddir, "go.sum"))
            sums.append((gosum, parse_go_sum(_read(gosum).decode("utf-8", "replace"), gosum)))
        rc, out, err = run_command([go, "mod", "download", "all"], cwd=moddir, environ_update=env)
        if rc != 0:
            raise GofleetError("go mod download for requirement %s failed: %s" % (gomod, go_error(err, out)))
    if modules:
        moddir = os.path.join(work, "modules")
        atomic.makedirs(moddir, 0o700)
        rc, out, err = run_command([go, "mod", "download"] + modules, cwd=moddir, environ_update=env)
        if rc != 0:
            raise GofleetError("go mod download for requirements %s failed: %s" % (" ".join(modules), go_error(err, out)))
    return sums


def export(work, dest):
    """Copy the staging cache/download tree (filtered) into dest; add sumdb heads if any."""
    source = os.path.join(work, "modcache", "cache", "download")
    for rel in walk_files(source) if os.path.isdir(source) else []:
        if classify(rel) is not None:
            place_file(os.path.join(dest, rel), source=os.path.join(source, rel))
    sumdb_config = os.path.join(work, "gopath", "pkg", "sumdb")
    if os.path.isdir(os.path.join(dest, "sumdb")):
        for name in sorted(os.listdir(os.path.join(dest, "sumdb"))):
            latest = os.path.join(sumdb_config, name, "latest")
            if os.path.isfile(latest):
                place_file(os.path.join(dest, "sumdb", name, "latest"), source=latest)
            # GOPROXY's "<proxy>/sumdb/<name>/supported" says the proxy serves that sumdb.
            place_file(os.path.join(dest, "sumdb", name, "supported"), data=b"")


PROTECTED_ENV = ("GOMODCACHE", "GOPATH", "HOME", "GOCACHE", "GOENV", "GOPROXY", "GOSUMDB", "GOFLAGS", "GOTOOLCHAIN")


def build(run_command, check_mode, go, path, requirements, upstream, gosumdb=None, bundle=None, go_env=None):
    """state=built. Returns a result dict (changed, modules, added, bundle_sha256, diff)."""
    for key in sorted(go_env or {}):
        if key in PROTECTED_ENV:
            raise GofleetError("go_env: %s is set by the module (use upstream/gosumdb for GOPROXY/GOSUMDB)" % key)
    if not requirements:
        raise GofleetError("requirements: at least one go.mod file or module@version is needed for state=built")
    for item in requirements:
        parse_requirement(item)
    current = load_doc_file(os.path.join(path, MANIFEST))
    if current is None and os.path.isdir(path) and walk_files(path):
        if any(classify(rel) for rel in walk_files(path)):
            current = index_tree(path)
    current = current or empty_doc()
    proxy = upstream
    if current["files"]:
        # What the mirror already holds is served from it: nothing is fetched twice.
        proxy = "file://%s,%s" % (os.path.abspath(path), upstream)
    work = temp_dir(check_mode, os.path.dirname(os.path.abspath(path)), "gomirror")
    try:
        env = go_environment(work, proxy, gosumdb, dict((k, str(v)) for k, v in (go_env or {}).items()))
        sums = download(run_command, go, requirements, work, env)
        staged = os.path.join(work, "export")
        atomic.makedirs(staged, 0o755)
        export(work, staged)
        new = index_tree(staged, sums)
        merged, sources = merge(current, new, lambda rel: _read(os.path.join(path, rel)),
                                lambda rel: _read(os.path.join(staged, rel)))
        missing = [rel for rel in merged["files"] if not os.path.isfile(os.path.join(path, rel))]
        manifest_path = os.path.join(path, MANIFEST)
        manifest = dump_doc(merged)
        mirror_changed = bool(missing) or merged["files"] != current["files"] or atomic.read_file(manifest_path) != manifest.decode("utf-8")
        result = {
            "changed": mirror_changed,
            "modules": module_keys(merged),
            "added": sorted(set(merged["modules"]) - set(current["modules"])),
            "diff": {"before": diff_text(current), "after": diff_text(merged)},
            "mirror_id": doc_id(merged),
        }
        if mirror_changed and not check_mode:
            # Derived list files last: an interrupted run must not advertise a version whose
            # .mod/.zip it has not placed yet (the manifest, written last of all, repairs the rest).
            for rel in sorted(merged["files"], key=lambda rel: (isinstance(sources[rel], bytes), rel)):
                src = sources[rel]
                target = os.path.join(path, rel)
                if isinstance(src, bytes):
                    if not os.path.isfile(target) or sha256_file(target) != merged["files"][rel]:
                        place_file(target, data=src)
                elif src == "new" or not os.path.isfile(target):
                    if not os.path.isfile(os.path.join(staged, rel)):
                        raise GofleetError(
                            "mirror file %s is missing and these requirements do not bring it back; "
                            "add its module to requirements" % target)
                    place_file(target, source=os.path.join(staged, rel))
            atomic.write_file(manifest_path, manifest, 0o644)
        if bundle:
            result.update(_bundle(check_mode, mirror_changed, bundle, path, merged, work))
            result["changed"] = result["changed"] or result["bundle_changed"]
        return result
    finally:
        remove_scratch(work)


def _bundle(check_mode, mirror_changed, bundle, path, doc, work):
    sha_path = bundle + ".sha256"
    old = sha256_file(bundle) if os.path.isfile(bundle) else None
    old_line = atomic.read_file(sha_path)
    if check_mode and mirror_changed:
        # A different mirror always gives a different bundle; nothing to build to know that.
        return {"bundle_changed": True, "bundle_sha256": None}
    if check_mode:
        tmp = os.path.join(work, "bundle.tar.gz")
    else:
        atomic.makedirs(os.path.dirname(os.path.abspath(bundle)), 0o755)
        tmp = os.path.join(os.path.dirname(os.path.abspath(bundle)), ".%s.gofleet-%d" % (os.path.basename(bundle), os.getpid()))
    try:
        sha = write_bundle(tmp, path, doc)
        line = "%s  %s\n" % (sha, os.path.basename(bundle))
        changed = sha != old or old_line != line
        if changed and not check_mode:
            os.chmod(tmp, 0o644)
            os.rename(tmp, bundle)
            atomic.write_file(sha_path, line, 0o644)
        return {"bundle_changed": changed, "bundle_sha256": sha, "bundle_checksum": "sha256:" + sha}
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# ---------------------------------------------------------------- state: present ------------

def release_manifest_path(path, release):
    return os.path.join(path, "releases", release + ".manifest.json")


def _current_release(path):
    target = atomic.read_link(os.path.join(path, "current"))
    if not target:
        if os.path.lexists(os.path.join(path, "current")):
            raise GofleetError("%s/current is not a symlink; move it away so gofleet can manage the mirror" % path)
        return None, None
    release = os.path.basename(target.rstrip("/"))
    directory = os.path.join(path, "releases", release)
    return release, directory if os.path.isdir(directory) else None


def _drift(release_dir, manifest_file, mode):
    from ansible_collections.gofleet.golang.plugins.module_utils import manifest as mf

    if mode == "none":
        return []
    recorded = None
    try:
        recorded = json.loads(_read(manifest_file).decode("utf-8"))
    except (IOError, OSError, ValueError):
        pass
    if not isinstance(recorded, dict):
        return [LOST_MANIFEST]
    return mf.drift(release_dir, recorded, mode)


def present(run_command, check_mode, path, bundle, checksum, verify="fast", signature=None, keyring=None, gpg=None):
    """state=present: verify the bundle, merge it with the current release, switch, repair."""
    from ansible_collections.gofleet.golang.plugins.module_utils import artifact, gomod_bundle, gomod_drift, manifest as mf, safe_tar
    from ansible_collections.gofleet.golang.plugins.module_utils import drift as ddrift

    if not bundle or not checksum:
        raise GofleetError("state=present needs bundle and checksum (sha256:<hex>)")
    if not os.path.isfile(bundle):
        raise GofleetError("bundle %s does not exist" % bundle)
    expected = artifact.parse_checksum(checksum, "checksum")
    artifact.require_sha256(bundle, expected, "bundle %s" % bundle)
    if signature or keyring:
        if not (signature and keyring):
            raise GofleetError("signature and keyring must be given together (bundle %s)" % bundle)
        artifact.verify_signature(run_command, gpg, bundle, signature, keyring, "bundle %s" % bundle)
    source = Bundle(bundle)
    try:
        # The files, not the manifest, say what the bundle serves; judged the same in check mode.
        gomod_bundle.verify(bundle, source.doc)
        release, current_dir = _current_release(path)
        current = load_doc_file(os.path.join(current_dir, MANIFEST)) if current_dir else None
        if current_dir and current is None:
            raise GofleetError("%s has no readable %s; remove %s/current to start over" % (current_dir, MANIFEST, path))
        base = current or empty_doc()
        merged, sources = merge(base, source.doc, lambda rel: _read(os.path.join(current_dir, rel)), source.read)
        new_id = doc_id(merged)[:12]
        drift = _drift(current_dir, release_manifest_path(path, release), verify) if current_dir else []
        # How each path drifted (expected vs found), read before any repair touches it.
        drift_items = gomod_drift.items(current_dir, release_manifest_path(path, release), drift,
                                        LOST_MANIFEST) if drift else []
        diff = {"before": diff_text(current), "after": diff_text(merged)}
        result = {
            "release": new_id,
            "current": os.path.join(path, "current"),
            "modules": module_keys(merged),
            "added": sorted(set(merged["modules"]) - set(base["modules"])),
            "drift": drift,
            "drift_items": drift_items,
            "bundle_sha256": expected,
            "diff": [diff, ddrift.diff(drift_items, os.path.join(path, "current"))] if drift_items else diff,
        }
        if new_id == release and not drift:
            result["changed"] = False
            return result
        result["changed"] = True
        # What the real run would refuse, check mode refuses too: both judge before acting.
        if new_id == release:
            repairs = _repair_plan(path, current_dir, merged, sources, source, drift)
        else:
            _check_base_files(current_dir, merged, sources, source.doc, bundle)
        if check_mode:
            return result
        releases = os.path.join(path, "releases")
        atomic.makedirs(releases, 0o755)
        if new_id == release:
            _repair(path, current_dir, release, merged, sources, source, repairs, LOST_MANIFEST in drift, verify)
            return result
        staging = atomic.make_staging_dir(releases, new_id)
        try:
            safe_tar.extract(bundle, staging, top=BUNDLE_TOP, label="bundle %s" % bundle)
            tree = os.path.join(staging, BUNDLE_TOP)
            _assemble(tree, current_dir, merged, sources, source.doc, bundle)
            final = os.path.join(releases, new_id)
            atomic.remove_tree(final)
            os.rename(tree, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        atomic.write_file(release_manifest_path(path, new_id),
                          json.dumps(mf.build(final), sort_keys=True), 0o644)
        atomic.replace_symlink(os.path.join("releases", new_id), os.path.join(path, "current"))
        _prune(releases, keep=(new_id, release))
        return result
    finally:
        source.close()


def _assemble(tree, current_dir, merged, sources, bundle_doc, bundle):
    """Turn an extracted bundle into the merged release: checks, base files, derived files."""
    for dirpath, dirnames, filenames in os.walk(tree):
        for name in dirnames + filenames:
            if os.path.islink(os.path.join(dirpath, name)):
                # walk_files skips links, so one would reach the release without any check.
                raise GofleetError("bundle %s contains the symlink %s; a mirror holds regular files only"
                                   % (bundle, os.path.relpath(os.path.join(dirpath, name), tree)))
    for rel in walk_files(tree):
        if rel == MANIFEST:
            continue
        if rel not in bundle_doc["files"]:
            raise GofleetError("bundle %s contains %s, which its manifest does not list" % (bundle, rel))
        if sha256_file(os.path.join(tree, rel)) != bundle_doc["files"][rel]:
            raise GofleetError("bundle %s: %s does not match the sha256 in its manifest" % (bundle, rel))
        # The bundle's copy serves whenever it is the merged content (fresher than a base copy).
        if isinstance(sources.get(rel), bytes) or merged["files"].get(rel) != bundle_doc["files"][rel]:
            os.unlink(os.path.join(tree, rel))
    for rel, src in sorted(sources.items()):
        target = os.path.join(tree, rel)
        if isinstance(src, bytes):
            place_file(target, data=src)
        elif src == "base" and not os.path.isfile(target):
            origin = os.path.join(current_dir, rel)
            if not os.path.isfile(origin) or sha256_file(origin) != merged["files"][rel]:
                raise GofleetError(
                    "%s in the current release is missing or altered and the bundle %s does not carry it; "
                    "ship a bundle that contains it" % (rel, bundle))
            place_file(target, source=origin, link=True)
        elif not os.path.isfile(target):
            raise GofleetError("bundle %s lists %s but does not contain it" % (bundle, rel))
    place_file(os.path.join(tree, MANIFEST), data=dump_doc(merged))
    prune_empty_dirs(tree)
    normalize_tree(tree)


def _base_missing_or_altered(current_dir, rel, merged):
    origin = os.path.join(current_dir, rel)
    return not os.path.isfile(origin) or sha256_file(origin) != merged["files"][rel]


def _check_base_files(current_dir, merged, sources, bundle_doc, bundle):
    """Every file a new release takes from the current one (the bundle lacks it) is intact."""
    for rel, src in sorted(sources.items()):
        if src == "base" and bundle_doc["files"].get(rel) != merged["files"][rel]:
            if _base_missing_or_altered(current_dir, rel, merged):
                raise GofleetError(
                    "%s in the current release is missing or altered and the bundle %s does not carry it; "
                    "ship a bundle that contains it" % (rel, bundle))


def _repair_plan(path, current_dir, merged, sources, source, drift):
    """[(rel, fix)] for each drifted path of the current release; refuses one nothing can fix."""
    if LOST_MANIFEST in drift:
        # Without the recorded manifest, the merged index's sha256 are the reference.
        drift = ["changed: %s" % rel for rel in sorted(merged["files"])
                 if _base_missing_or_altered(current_dir, rel, merged)]
        drift += ["added: %s" % rel for rel in walk_files(current_dir)
                  if rel not in merged["files"] and rel != MANIFEST]
        drift.append("changed: %s" % MANIFEST)
    plan = []
    for item in drift:
        how, rel = item.split(": ", 1)
        if how == "added":
            fix = "remove"
        elif rel == MANIFEST:
            fix = "manifest"
        elif isinstance(sources.get(rel), bytes):
            fix = "derived"
        elif rel in merged["files"] and source.doc["files"].get(rel) == merged["files"][rel]:
            fix = "bundle"
        elif rel not in merged["files"]:
            fix = "directory"  # a directory of the tree: recreate it or put its mode back
        else:
            raise GofleetError("%s/current/%s has drifted (%s) and bundle %s does not carry it to repair it"
                               % (path, rel, how, source.path))
        plan.append((rel, fix))
    return plan


def _repair(path, current_dir, release, merged, sources, source, plan, lost_manifest, verify):
    """Put drifted files of the current release back from the bundle (or regenerate them)."""
    from ansible_collections.gofleet.golang.plugins.module_utils import manifest as mf

    manifest_file = release_manifest_path(path, release)
    for rel, fix in plan:
        target = os.path.join(current_dir, rel)
        if fix == "remove":
            atomic.remove_tree(target)
            continue
        if fix == "directory":
            atomic.makedirs(target, 0o755)
            normalize(target, is_dir=True)
            continue
        if fix == "manifest":
            data = dump_doc(merged)
        elif fix == "derived":
            data = sources[rel]
        else:
            data = source.read(rel)
        if os.path.isdir(target) and not os.path.islink(target):
            atomic.remove_tree(target)
        place_file(target, data=data)
    if lost_manifest:
        prune_empty_dirs(current_dir)
        normalize_tree(current_dir)
        atomic.write_file(manifest_file, json.dumps(mf.build(current_dir), sort_keys=True), 0o644)
    left = _drift(current_dir, manifest_file, verify)
    if left:
        raise GofleetError("repair of %s/current left drift: %s" % (path, ", ".join(left[:5])))


def _prune(releases, keep):
    """Keep the current and the previous release (for a manual rollback); drop older ones."""
    # Under the host lock, staging trees of runs that were interrupted are only garbage.
    for leftover in atomic.leftover_staging_dirs(releases):
        atomic.remove_tree(leftover)
    for name in sorted(os.listdir(releases)):
        stem = name[:-len(".manifest.json")] if name.endswith(".manifest.json") else name
        if name.startswith(".") or stem in keep:
            continue
        full = os.path.join(releases, name)
        if os.path.isdir(full) and not os.path.islink(full):
            atomic.remove_tree(full)
        elif name.endswith(".manifest.json"):
            os.unlink(full)
