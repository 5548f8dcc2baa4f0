# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""File manifests of installed trees, and drift found by comparing a tree against one.

`fast` compares what lstat gives (type, size, mtime, mode, link target): cheap enough for
every scheduled run.  `full` also hashes every file, to catch an edit that kept size and
mtime.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file

VERIFY_MODES = ("fast", "full", "none")


def _entry(path, st, with_hash):
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        return {"t": "l", "target": os.readlink(path)}
    if stat.S_ISDIR(st.st_mode):
        return {"t": "d", "mode": mode}
    entry = {"t": "f", "size": st.st_size, "mtime": int(st.st_mtime), "mode": mode}
    if with_hash:
        entry["sha256"] = sha256_file(path)
    return entry


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


def build(root, exclude=(), with_hash=True):
    """The manifest of `root`: {relative path: entry}."""
    return dict((rel, _entry(path, st, with_hash)) for rel, path, st in walk(root, exclude))


def drift(root, manifest, mode="fast", exclude=()):
    """Paths under `root` that differ from `manifest`, as 'changed: p', 'missing: p', 'added: p'."""
    if mode == "none":
        return []
    if not os.path.isdir(root):
        return ["missing: %s" % root]
    found = []
    seen = set()
    for rel, path, st in walk(root, exclude):
        seen.add(rel)
        expected = manifest.get(rel)
        if expected is None:
            found.append("added: %s" % rel)
        elif not _same(path, st, expected, mode == "full"):
            found.append("changed: %s" % rel)
    found.extend("missing: %s" % rel for rel in manifest if rel not in seen)
    return sorted(found, key=lambda item: item.split(": ", 1)[1])


def _same(path, st, expected, full):
    kind = expected["t"]
    if kind == "l":
        return stat.S_ISLNK(st.st_mode) and os.readlink(path) == expected["target"]
    if kind == "d":
        return stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == expected["mode"]
    if not stat.S_ISREG(st.st_mode):
        return False
    if (st.st_size, int(st.st_mtime), stat.S_IMODE(st.st_mode)) != (expected["size"], expected["mtime"], expected["mode"]):
        return False
    return not full or sha256_file(path) == expected.get("sha256")
