# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift of an installed mirror release, as drift items with expected and found values.

manifest.drift says which paths differ ('changed: p', 'missing: p', 'added: p'); this says how,
from the release manifest recorded at install time and an lstat (plus one sha256) of each
drifted path: content as size and sha256 (mtime only when it is all that differs), mode,
type. Only drifted paths are hashed, so `fast` stays one lstat walk for a clean tree.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import time

from ansible_collections.gofleet.golang.plugins.module_utils import drift
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file

LOST = "(release manifest)"
KINDS = {"f": "file", "d": "directory", "l": "symlink"}


def _recorded(manifest_file):
    try:
        with open(manifest_file, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except (IOError, OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _found(full):
    """The manifest entry a path would get now (sha256 included), or None if it is gone."""
    try:
        st = os.lstat(full)
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return {"t": "l", "target": os.readlink(full)}
    if stat.S_ISDIR(st.st_mode):
        return {"t": "d", "mode": stat.S_IMODE(st.st_mode)}
    if not stat.S_ISREG(st.st_mode):
        return {"t": "other"}
    return {"t": "f", "size": st.st_size, "mtime": int(st.st_mtime), "mode": stat.S_IMODE(st.st_mode),
            "sha256": sha256_file(full)}


def _stamp(mtime):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))


def _content(entry, with_mtime=False):
    text = "size %s, sha256 %s" % (entry.get("size"), entry.get("sha256"))
    return text + (", mtime %s" % _stamp(entry.get("mtime", 0)) if with_mtime else "")


def describe(entry):
    """One value for a whole entry: a file's content, a directory, a link and its target."""
    kind = entry.get("t")
    if kind == "f":
        return _content(entry)
    if kind == "l":
        return "symlink -> %s" % entry.get("target")
    return KINDS.get(kind, "special file")


def compare(rel, want, have):
    """Items for one path recorded as `want` and found as `have` (manifest entries)."""
    if want.get("t") != have.get("t"):
        return [drift.item(rel, "type", KINDS.get(want.get("t"), want.get("t")), KINDS.get(have.get("t"), "special file"))]
    if want["t"] == "l":
        return [drift.item(rel, "link", want.get("target"), have.get("target"))]
    out = []
    if want["t"] == "f":
        same = (want.get("size"), want.get("sha256")) == (have["size"], have["sha256"])
        if not same or want.get("mtime") != have["mtime"]:
            # With size and sha256 equal, the mtime is what fast verification saw change.
            out.append(drift.item(rel, "content", _content(want, same), _content(have, same)))
    if want.get("mode") != have.get("mode"):
        out.append(drift.item(rel, "mode", drift.octal(want.get("mode", 0)), drift.octal(have.get("mode", 0))))
    return out


def items(release_dir, manifest_file, lines, lost_line):
    """Drift items for manifest.drift's `lines` about release_dir (lost_line: no manifest)."""
    recorded = _recorded(manifest_file) or {}
    out = []
    for text in lines:
        if text == lost_line:
            out.append(drift.item(LOST, "missing", manifest_file, None))
            continue
        how, rel = text.split(": ", 1)
        want = recorded.get(rel)
        have = _found(os.path.join(release_dir, rel))
        if how == "missing" or have is None:
            out.append(drift.item(rel, "missing", describe(want or {}), None))
        elif how == "added" or want is None:
            out.append(drift.item(rel, "added", None, describe(have)))
        else:
            # A path that changed back between the walk and now still gets its line.
            out.extend(compare(rel, want, have) or [drift.item(rel, "content", describe(want), describe(have))])
    return out
