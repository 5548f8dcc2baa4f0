# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""File manifests of installed trees, and drift found by comparing a tree against one.

`fast` compares what lstat gives (type, size, mtime, mode, owner, link target): cheap enough
for every scheduled run.  `full` also hashes every file, to catch an edit that kept size and
mtime.  A manifest comes from a tree (build) or from the tarball or module zip the tree was
unpacked from (of_tarball, of_zip), so a tree can be judged against something its own receipt cannot forge.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import posixpath
import stat
import tarfile
import time
import zipfile

from ansible_collections.gofleet.golang.plugins.module_utils import drift as drift_shape
from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths, safe_zip
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

VERIFY_MODES = ("fast", "full", "none")


KINDS = {"f": "file", "d": "directory", "l": "symlink"}
_CHUNK = 1024 * 1024


def _kind(st):
    if stat.S_ISLNK(st.st_mode):
        return "l"
    if stat.S_ISDIR(st.st_mode):
        return "d"
    if stat.S_ISREG(st.st_mode):
        return "f"
    return "other"


def _entry(path, st, with_hash, with_owner=False):
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        entry = {"t": "l", "target": os.readlink(path)}
    elif stat.S_ISDIR(st.st_mode):
        entry = {"t": "d", "mode": mode}
    else:
        entry = {"t": "f", "size": st.st_size, "mtime": int(st.st_mtime), "mode": mode}
        if with_hash:
            entry["sha256"] = sha256_file(path)
    if with_owner:
        entry["uid"], entry["gid"] = st.st_uid, st.st_gid
    return entry


def entry_of(path, with_hash=True, with_owner=False):
    """The manifest entry of one path as it is now."""
    return _entry(path, os.lstat(path), with_hash, with_owner)


def walk(root, exclude=()):
    """Yield (relative path, absolute path, lstat) for everything below `root`."""
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        abs_dir = os.path.join(root, rel_dir) if rel_dir else root
        try:
            entries = list(os.scandir(abs_dir))
        except OSError:
            continue
        for entry in entries:
            rel = entry.name if not rel_dir else rel_dir + "/" + entry.name
            if rel in exclude:
                continue
            st = entry.stat(follow_symlinks=False)
            yield rel, entry.path, st
            if stat.S_ISDIR(st.st_mode):
                stack.append(rel)


def build(root, exclude=(), with_hash=True, with_owner=False, hashes=None):
    """The manifest of `root`: {relative path: entry}; with_owner also records uid and gid.

    `hashes` ({relative path: sha256} of files just written, e.g. by safe_tar.extract_fresh) saves
    reading those files back; any other file is hashed from disk.
    """
    if not (with_hash and hashes):
        return dict((rel, _entry(path, st, with_hash, with_owner)) for rel, path, st in walk(root, exclude))
    found = {}
    for rel, path, st in walk(root, exclude):
        known = hashes.get(rel) if stat.S_ISREG(st.st_mode) else None
        found[rel] = _entry(path, st, known is None, with_owner)
        if known is not None:
            found[rel]["sha256"] = known
    return found


def compare(root, reference, mode="fast", exclude=(), owner=None):
    """Drift items (see drift.py) of the tree at `root` against the manifest `reference`.

    One item per differing aspect of a path: a chmod is a `mode` item with both octal modes,
    not a bare 'changed'.  Owners are compared where an entry records them, else against
    `owner` (uid, gid) when given.
    """
    if mode == "none":
        return []
    if not os.path.isdir(root):
        return [drift_shape.item(root, "missing", "directory")]
    found = []
    seen = set()
    for rel, path, st in walk(root, exclude):
        seen.add(rel)
        expected = reference.get(rel)
        if expected is None:
            found.append(drift_shape.item(rel, "added", None, KINDS.get(_kind(st), "other")))
        else:
            found.extend(_differences(rel, path, st, expected, mode == "full", owner))
    found.extend(drift_shape.item(rel, "missing", KINDS.get(reference[rel].get("t"), "file"))
                 for rel in reference if rel not in seen)
    order = dict((aspect, i) for i, aspect in enumerate(drift_shape.ASPECTS))
    return sorted(found, key=lambda i: (i["item"], order[i["aspect"]]))


def drift(root, manifest, mode="fast", exclude=(), owner=None):
    """Paths under `root` that differ from `manifest`, as 'changed: p', 'missing: p', 'added: p'."""
    lines = {}
    for entry in compare(root, manifest, mode, exclude, owner):
        word = entry["aspect"] if entry["aspect"] in ("missing", "added") else "changed"
        lines.setdefault(entry["item"], "%s: %s" % (word, entry["item"]))
    return [lines[rel] for rel in sorted(lines)]


def _differences(rel, path, st, expected, full, owner):
    kind, found_kind = expected.get("t"), _kind(st)
    if kind != found_kind:
        return [drift_shape.item(rel, "type", KINDS.get(kind, kind), KINDS.get(found_kind, found_kind))]
    items = []
    if kind == "l":
        target = os.readlink(path)
        if target != expected.get("target"):
            items.append(drift_shape.item(rel, "link", expected.get("target"), target))
    if kind == "f":
        items.extend(_content(rel, path, st, expected, full))
    if kind != "l" and stat.S_IMODE(st.st_mode) != expected.get("mode"):
        items.append(drift_shape.item(rel, "mode", _octal(expected.get("mode")), drift_shape.octal(stat.S_IMODE(st.st_mode))))
    want = (expected["uid"], expected["gid"]) if "uid" in expected and "gid" in expected else owner
    if want is not None and (st.st_uid, st.st_gid) != tuple(want):
        items.append(drift_shape.item(rel, "owner", "%d:%d" % tuple(want), "%d:%d" % (st.st_uid, st.st_gid)))
    return items


def _content(rel, path, st, expected, full):
    want, got = [], []
    if st.st_size != expected.get("size"):
        want.append("size=%s" % expected.get("size"))
        got.append("size=%d" % st.st_size)
    if int(st.st_mtime) != expected.get("mtime"):
        want.append("mtime=%s" % _when(expected.get("mtime")))
        got.append("mtime=%s" % _when(int(st.st_mtime)))
    if full:
        digest = sha256_file(path)
        if digest != expected.get("sha256"):
            want.append("sha256=%s" % expected.get("sha256"))
            got.append("sha256=%s" % digest)
    return [drift_shape.item(rel, "content", " ".join(want), " ".join(got))] if want else []


def _octal(mode):
    return drift_shape.octal(mode) if isinstance(mode, int) else str(mode)


def _when(mtime):
    if not isinstance(mtime, int):
        return str(mtime)
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))


# ---------------------------------------------------------------- the tarball's own manifest


class _HashingReader(object):
    """A read-only stream that hashes every byte tarfile reads through it."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _member_name(name):
    while name.startswith("./"):
        name = name[2:]
    return posixpath.normpath(name)


def of_tarball(stream, top, exclude=(), label=None):
    """(manifest, sha256 of the stream): what safe_tar.extract writes below `top`, in one pass.

    Modes are the ones extract gives (no group/other write, directories owner-writable);
    mtimes and link targets are the members'; every file's content is hashed on the way.
    The caller compares the stream's sha256 with the checksum it trusts before using the
    manifest: only then is it the tarball's word, not an attacker's.
    """
    reader = _HashingReader(stream)
    entries = {}
    prefix = top + "/"
    try:
        with tarfile.open(fileobj=reader, mode="r|*") as archive:
            for member in archive:
                name = _member_name(member.name)
                if not name.startswith(prefix):
                    continue
                rel = name[len(prefix):]
                parts = rel.split("/")
                for depth in range(1, len(parts)):
                    entries.setdefault("/".join(parts[:depth]), {"t": "d", "mode": 0o755})
                if rel in exclude:
                    continue
                entries[rel] = _member_entry(archive, member, entries, prefix)
        while reader.read(_CHUNK):
            pass  # the trailing padding is part of what the checksum covers
    except (tarfile.TarError, EOFError, OSError, IOError, ValueError) as e:
        raise GofleetError("%s is truncated or not a valid tarball: %s" % (label or "the tarball", e))
    return entries, reader.digest.hexdigest()


def of_zip(path, module_path, module_version, top, exclude=(), label=None):
    """(manifest, sha256, h1) of a module zip: what safe_zip.extract writes below `top`.

    The files' sha256 come from the same inflating pass that computes the zip's h1; the caller
    trusts the manifest only once the h1 (or the sha256) is the one it was given.
    """
    label = label or path
    sha = sha256_file(path)
    sums = {}
    h1 = goproxy_paths.check_zip(path, module_path, module_version, label=label, sums=sums)
    prefix = "%s@%s/" % (module_path, module_version)
    entries = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for name, member in safe_zip.judged_members(archive, prefix, top, label, goproxy_paths.MAX_ZIP_FILE):
                rel = name[len(top) + 1:]
                if rel in exclude:
                    continue
                if member.isdir():
                    entries[rel] = {"t": "d", "mode": (member.mode & 0o755) | 0o700}
                else:
                    entries[rel] = {"t": "f", "size": member.size, "mtime": int(member.mtime), "mode": member.mode & 0o755,
                                    "sha256": sums[member.info.filename]}
    except (zipfile.BadZipfile, OSError, IOError) as e:
        raise GofleetError("%s is truncated or not a valid zip: %s" % (label, e))
    return entries, sha, h1


def _member_entry(archive, member, entries, prefix):
    if member.isdir():
        return {"t": "d", "mode": (member.mode & 0o755) | 0o700}
    if member.issym():
        return {"t": "l", "target": member.linkname}
    if member.islnk():
        target = _member_name(member.linkname)
        return dict(entries.get(target[len(prefix):], {"t": "f"}))
    digest = hashlib.sha256()
    source = archive.extractfile(member)
    for block in iter(lambda: source.read(_CHUNK), b""):
        digest.update(block)
    return {"t": "f", "size": member.size, "mtime": int(member.mtime), "mode": member.mode & 0o755,
            "sha256": digest.hexdigest()}
