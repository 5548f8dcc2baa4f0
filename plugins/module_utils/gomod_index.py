# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mirror index: which files a GOPROXY tree serves and which module versions they make.

A mirror is a GOPROXY tree (`<escaped path>/@v/{list,<v>.info,.mod,.zip,.ziphash}` plus
`sumdb/`) with `gofleet-mirror.json` at its root: the modules it serves (with their h1:
hashes) and the sha256 of every file. Everything here is a pure function of that index plus
file contents, so check mode can predict a run exactly and merges are repeatable.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re

from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths as gp
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

MANIFEST = "gofleet-mirror.json"
FORMAT = 1
IMMUTABLE = ("zip", "mod", "ziphash")

_SUMDB_RE = re.compile(r"^sumdb/[A-Za-z0-9.-]+/(latest|supported|(lookup|tile)/[^\s]+)$")


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


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


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
        data = read_bytes(source) if not hasattr(source, "read") else source.read(limit + 1)
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
        data = read_bytes(path)
    except (IOError, OSError):
        return None
    return load_doc(data, path)


def module_keys(doc):
    return sorted((doc or empty_doc())["modules"])


def diff_text(doc):
    return "".join(k + "\n" for k in module_keys(doc))
