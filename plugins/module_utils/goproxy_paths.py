# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The GOPROXY protocol's file names, and the checks Go applies to module zips.

Module paths and versions are case-sensitive but file systems often are not, so the
proxy protocol spells every upper-case letter as '!' + lower case ("example.com/Upper"
is served as "example.com/!upper").  Module zips must hold only `module@version/...`
members, within the size limits of golang.org/x/mod/zip, with no two names that differ
only in case; `h1:` hashes are dirhash.Hash1 over the members. An `.info` is JSON naming its
version, as Go's proxy client insists.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import posixpath
import re
import zipfile

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

# Limits from golang.org/x/mod/zip.
MAX_ZIP_FILE = 500 << 20
MAX_GO_MOD = 16 << 20
MAX_LICENSE = 16 << 20
# An .info is a small JSON object ({"Version", "Time", "Origin"}); not a Go limit, ours.
MAX_INFO = 1 << 20

# <escaped module path>/@v/<escaped version>.<ext>
_FILE_RE = re.compile(r"^(?P<path>[^@]+)/@v/(?P<version>v[^/]+?)\.(?P<ext>info|mod|zip|ziphash)$")
_LIST_RE = re.compile(r"^(?P<path>[^@]+)/@v/list$")
_VERSION_RE = re.compile(r"^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+incompatible)?$")
# Temporary names Go leaves while writing (renameio "*.tmp<digits>", ".partial", ".lock").
_TEMP_HINTS = (".lock", ".partial", ".tmp")


def escape_path(path, what="module path"):
    """'example.com/Upper/Mod' -> 'example.com/!upper/!mod' (the proxy's case encoding)."""
    if not path or "!" in path:
        raise GofleetError("invalid %s %r: empty or contains '!'" % (what, path))
    out = []
    for ch in path:
        if "A" <= ch <= "Z":
            out.append("!" + ch.lower())
        else:
            out.append(ch)
    return "".join(out)


def unescape_path(escaped, what="module path"):
    """Inverse of escape_path; refuses upper case and a '!' not followed by a-z."""
    out = []
    bang = False
    for ch in escaped or "":
        if bang:
            if not ("a" <= ch <= "z"):
                raise GofleetError("invalid escaped %s %r: '!' must precede a lower-case letter" % (what, escaped))
            out.append(ch.upper())
            bang = False
        elif ch == "!":
            bang = True
        elif "A" <= ch <= "Z":
            raise GofleetError("invalid escaped %s %r: upper case must be written as '!' + lower case" % (what, escaped))
        else:
            out.append(ch)
    if bang or not out:
        raise GofleetError("invalid escaped %s %r" % (what, escaped))
    return "".join(out)


def escape_version(version):
    return escape_path(version, "version")


def check_module_path(path):
    """Just enough of module.CheckPath to keep a path from leaving the mirror tree."""
    if not path or path.startswith("/") or path.endswith("/") or "\\" in path:
        raise GofleetError("invalid module path %r" % path)
    for elem in path.split("/"):
        if elem in ("", ".", "..") or elem.startswith(".") or elem.endswith("."):
            raise GofleetError("invalid module path %r: bad element %r" % (path, elem))
        if not re.match(r"^[A-Za-z0-9._~+-]+$", elem):
            raise GofleetError("invalid module path %r: bad characters in %r" % (path, elem))
    return path


def check_version(version):
    if not _VERSION_RE.match(version or ""):
        raise GofleetError("invalid module version %r (want a canonical semver like v1.2.3)" % version)
    return version


def module_file(path, version, ext):
    """Relative file name of a module's .info/.mod/.zip/.ziphash in a proxy tree."""
    return "%s/@v/%s.%s" % (escape_path(path), escape_version(version), ext)


def list_file(path):
    return "%s/@v/list" % escape_path(path)


def parse_module_file(rel):
    """'example.com/!upper/@v/v1.0.0.zip' -> ('example.com/Upper', 'v1.0.0', 'zip'), or None."""
    match = _FILE_RE.match(rel)
    if not match or any(hint in match.group("version") for hint in _TEMP_HINTS):
        return None
    try:
        path = unescape_path(match.group("path"))
        version = unescape_path(match.group("version"), "version")
        check_module_path(path)
    except GofleetError:
        return None
    if not _VERSION_RE.match(version):
        return None
    return path, version, match.group("ext")


def is_list_file(rel):
    return bool(_LIST_RE.match(rel))


def semver_key(version):
    """Sort key giving semver precedence (pre-releases before releases)."""
    core, rest = version[1:].split("-", 1) if "-" in version else (version[1:], "")
    core = core.split("+", 1)[0]
    rest = rest.split("+", 1)[0]
    nums = []
    for part in core.split("."):
        nums.append(int(part) if part.isdigit() else 0)
    if not rest:
        pre = (1,)
    else:
        pre = (0,) + tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in rest.split("."))
    return (tuple(nums), pre, version)


def h1_hash(named_contents, sums=None):
    """dirhash.Hash1 over an iterable of (name, iterator of bytes blocks).

    sums: a dict that receives {name: sha256 hex} of every file on the way, for a caller that
    needs the files' own hashes too (one pass over a toolchain zip gives its h1 and its manifest).
    """
    lines = []
    for name, blocks in named_contents:
        digest = hashlib.sha256()
        for block in blocks:
            digest.update(block)
        lines.append((name, digest.hexdigest()))
        if sums is not None:
            sums[name] = digest.hexdigest()
    return h1_of_sums(lines)


def h1_of_sums(lines):
    """dirhash.Hash1 from (name, sha256 hex) pairs: sha256 over the sorted "<hex>  <name>\\n" lines."""
    for name, _hexsum in lines:
        if "\n" in name:
            raise GofleetError("file name %r contains a newline" % name)
    lines = sorted(lines)
    summary = "".join("%s  %s\n" % (hexsum, name) for name, hexsum in lines)
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode("utf-8")).digest()).decode("ascii")


def h1_go_mod(data):
    """The `mod ver/go.mod h1:` hash: Hash1 over the single file named go.mod."""
    return h1_hash([("go.mod", [data])])


def _zip_blocks(archive, info):
    with archive.open(info) as f:
        while True:
            block = f.read(1024 * 1024)
            if not block:
                break
            yield block


def check_collision(folded, rel, is_dir, label):
    """Go's collisionChecker: a name and each of its parent directories, folded to lower case,
    may name one thing only (no case twins, no file that is also a directory, no duplicates)."""
    while rel:
        seen = folded.get(rel.lower())
        if seen is None:
            folded[rel.lower()] = (rel, is_dir)
        elif seen[0] != rel:
            raise GofleetError("module zip %s: members %r and %r differ only in case" % (label, seen[0], rel))
        elif seen[1] != is_dir:
            raise GofleetError("module zip %s: %r is both a file and a directory" % (label, rel))
        elif not is_dir:
            raise GofleetError("module zip %s: %r is in the zip more than once" % (label, rel))
        rel, is_dir = posixpath.dirname(rel), True


def check_zip(zip_path, path, version, label=None, size=None, sums=None):
    """Validate a module zip as Go would, and return its h1: hash.

    zip_path may be a seekable file object of `size` bytes (a bundle member being read).
    Sizes are judged from the headers before anything is inflated; hashing then inflates at
    most what the headers declare (zipfile stops a member at its declared size).
    Raises GofleetError naming the zip and the first offending member.
    """
    import os

    label = label or "%s@%s (%s)" % (path, version, zip_path)
    size = os.path.getsize(zip_path) if size is None else size
    if size > MAX_ZIP_FILE:
        raise GofleetError("module zip %s is %d bytes, more than Go's limit of %d" % (label, size, MAX_ZIP_FILE))
    prefix = "%s@%s/" % (path, version)
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipfile, IOError, OSError) as e:
        raise GofleetError("module zip %s is not a valid zip: %s" % (label, e))
    with archive:
        infos = archive.infolist()
        total = 0
        folded = {}
        for info in infos:
            name = info.filename
            if not name.startswith(prefix):
                raise GofleetError("module zip %s: member %r does not start with %s" % (label, name, prefix))
            rel = name[len(prefix):]
            if rel == "":
                continue
            is_dir = rel.endswith("/")
            rel_clean = rel.rstrip("/")
            if posixpath.normpath(rel_clean) != rel_clean or rel_clean.startswith("/") or rel_clean.split("/")[0] == "..":
                raise GofleetError("module zip %s: member %r is not a clean relative path" % (label, name))
            check_collision(folded, rel_clean, is_dir, label)
            if is_dir:
                continue
            total += info.file_size
            if total > MAX_ZIP_FILE:
                raise GofleetError("module zip %s unpacks to more than %d bytes" % (label, MAX_ZIP_FILE))
            base = posixpath.basename(rel_clean)
            if base.lower() == "go.mod" and rel_clean == "go.mod" and info.file_size > MAX_GO_MOD:
                raise GofleetError("module zip %s: go.mod is %d bytes, more than %d" % (label, info.file_size, MAX_GO_MOD))
            if rel_clean == "LICENSE" and info.file_size > MAX_LICENSE:
                raise GofleetError("module zip %s: LICENSE is %d bytes, more than %d" % (label, info.file_size, MAX_LICENSE))
        try:
            return h1_hash(((info.filename, _zip_blocks(archive, info)) for info in infos), sums)
        except (zipfile.BadZipfile, IOError, OSError, RuntimeError) as e:
            raise GofleetError("module zip %s cannot be read: %s" % (label, e))


def zip_go_mod(zip_path, path, version):
    """The bytes of `module@version/go.mod` in a zip that check_zip accepted, or None."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            return archive.read("%s@%s/go.mod" % (path, version))
    except KeyError:
        return None
    except (zipfile.BadZipfile, IOError, OSError, RuntimeError) as e:
        raise GofleetError("module zip %s@%s cannot be read: %s" % (path, version, e))


def check_info(data, path, version):
    """An .info as Go's proxy client reads it: a JSON object whose Version is this version."""
    key = "%s@%s" % (path, version)
    if len(data) > MAX_INFO:
        raise GofleetError("%s: .info is larger than %d bytes" % (key, MAX_INFO))
    try:
        info = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        info = None
    if not isinstance(info, dict):
        raise GofleetError("%s: .info is not JSON (a JSON object with Version and Time)" % key)
    if info.get("Version") != version:
        raise GofleetError("%s: .info says Version %r" % (key, info.get("Version")))
