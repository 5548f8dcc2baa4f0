# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mirror bundles: written deterministically by state=built, read and judged by state=present.

write_bundle packs a mirror as a tar.gz under `mirror/` (same mirror, same bytes). Bundle reads
one without extracting it. What state=present trusts in a bundle is nothing but the bytes of
its files: a bundle's manifest says which modules it serves and their h1 hashes. The files decide: one
pass over the members judges each one (only directories and regular files below `mirror/`,
each file listed in the manifest with its sha256), indexes the module files with the checks
`built` applies (gomod_index.Indexer), and compares the module list and hashes that result
with the manifest's. A disagreement is refused in one line naming module@version. The pass
reads the bundle without extracting it, so check mode gives exactly the real run's verdict.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import hashlib
import io
import os
import stat
import tarfile
import tempfile
import zlib

from ansible_collections.gofleet.golang.plugins.module_utils import gomod_index as gi
from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths as gp
from ansible_collections.gofleet.golang.plugins.module_utils import safe_tar
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.gomod_tree import FIXED_MTIME

BUNDLE_TOP = "mirror"

# Zips up to this size are read in memory; bigger ones spill to an anonymous temporary file.
SPOOL_IN_MEMORY = 16 << 20


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
    manifest = gi.dump_doc(doc)
    names = sorted(set(files) | _dirs_of(files) | {gi.MANIFEST})

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
                    if name == gi.MANIFEST:
                        tar.addfile(info(name, len(manifest)), io.BytesIO(manifest))
                    elif name in files:
                        if sha256_file(files[name]) != doc["files"][name]:
                            raise GofleetError(
                                "mirror file %s does not match the sha256 in %s; rebuild the mirror"
                                % (files[name], gi.MANIFEST))
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
            member = self._tar.getmember(BUNDLE_TOP + "/" + gi.MANIFEST)
            data = self._tar.extractfile(member).read()
        except KeyError:
            raise GofleetError("bundle %s has no %s/%s: not a gofleet mirror bundle" % (path, BUNDLE_TOP, gi.MANIFEST))
        except (tarfile.TarError, IOError, OSError, EOFError) as e:
            raise GofleetError("bundle %s is truncated or not a valid tarball: %s" % (path, e))
        self.doc = gi.load_doc(data, "bundle %s" % path)

    def read(self, rel):
        try:
            return self._tar.extractfile(self._tar.getmember(BUNDLE_TOP + "/" + rel)).read()
        except (KeyError, AttributeError):
            raise GofleetError("bundle %s does not contain %s listed in its manifest" % (self.path, rel))

    def close(self):
        self._tar.close()


def judge(member, label):
    """The member's name below mirror/ ('' for mirror/ itself), or raise why it is refused.

    Stricter than safe_tar (which extracts it later): a mirror is directories and regular
    files, so every refusal of the real run is made here first, in check mode too.
    """
    raw = member.name
    if raw.startswith(("/", "\\")):
        raise GofleetError("%s: refusing member with absolute path %r" % (label, raw))
    parts = raw.rstrip("/").split("/") if member.isdir() else raw.split("/")
    if ".." in parts:
        raise GofleetError("%s: refusing member %r that leaves the tree" % (label, raw))
    if parts[0] != BUNDLE_TOP or "" in parts or "." in parts or (len(parts) == 1 and not member.isdir()):
        raise GofleetError("%s: member %r is outside the expected top directory %s/" % (label, raw, BUNDLE_TOP))
    if member.issym():
        raise GofleetError("%s contains the symlink %s; a mirror holds regular files only" % (label, raw))
    if member.islnk():
        raise GofleetError("%s contains the hard link %s; a mirror holds regular files only" % (label, raw))
    if not (member.isfile() or member.isdir()):
        raise GofleetError("%s: refusing special file %r (device, fifo or unknown type)" % (label, raw))
    if member.mode & (stat.S_ISUID | stat.S_ISGID):
        raise GofleetError("%s: refusing setuid/setgid member %r" % (label, raw))
    return "/".join(parts[1:])


def _spool(source, size, name):
    """A seekable copy of a member stream and its sha256 (one read of the bundle)."""
    # Not SpooledTemporaryFile: before Python 3.11 it has no seekable(), which zipfile (3.7) reads.
    spool = io.BytesIO() if size <= SPOOL_IN_MEMORY else tempfile.TemporaryFile()
    digest = hashlib.sha256()
    copied = 0
    while True:
        block = source.read(1024 * 1024)
        if not block:
            break
        digest.update(block)
        spool.write(block)
        copied += len(block)
    if copied != size:
        spool.close()
        raise GofleetError("member %s is truncated (%d of %d bytes)" % (name, copied, size))
    spool.seek(0)
    return spool, digest.hexdigest()


def _members(bundle_path, label):
    """Yield (rel, member, stream) for every file member, after judging every member."""
    with tarfile.open(bundle_path, "r:*") as archive:
        members = archive.getmembers()
        seen = set()
        total = 0
        for member in members:
            rel = judge(member, label)
            if rel in seen:
                raise GofleetError("%s: member %r is in the bundle more than once" % (label, member.name))
            seen.add(rel)
            total += member.size if member.isfile() else 0
            if total > safe_tar.DEFAULT_MAX_UNPACKED:
                raise GofleetError("%s unpacks to more than %d bytes (max_unpacked_size)"
                                   % (label, safe_tar.DEFAULT_MAX_UNPACKED))
        for member in members:
            if member.isfile():
                yield member.name.split("/", 1)[1], member, archive.extractfile(member)


def verify(bundle_path, doc):
    """Check bundle_path's members and files against its loaded manifest `doc`; return doc."""
    label = "bundle %s" % bundle_path
    index = gi.Indexer()
    present = set()
    try:
        for rel, member, stream in _members(bundle_path, label):
            if rel == gi.MANIFEST:
                continue
            if rel not in doc["files"]:
                raise GofleetError("%s contains %s, which its manifest does not list" % (label, rel))
            spool, sha = _spool(stream, member.size, member.name)
            with spool:
                if sha != doc["files"][rel]:
                    raise GofleetError("%s: %s does not match the sha256 in its manifest" % (label, rel))
                if not gp.is_list_file(rel):  # list files are regenerated, never served as shipped
                    index.add(rel, sha, spool, member.size, "%s (%s)" % (_key(rel), rel))
            present.add(rel)
        derived = index.finish()
    except GofleetError as e:
        if e.message.startswith(label):
            raise
        raise GofleetError("%s: %s" % (label, e.message))
    except (tarfile.TarError, EOFError, IOError, OSError, zlib.error) as e:
        raise GofleetError("%s is truncated or not a valid tarball: %s" % (label, e))
    for rel in sorted(doc["files"]):
        if rel not in present:
            raise GofleetError("%s lists %s but does not contain it" % (label, rel))
    _compare_modules(label, doc["modules"], derived["modules"])
    return doc


def _key(rel):
    kind = gi.classify(rel)
    return "%s@%s" % kind[1:3] if kind and kind[0] == "module" else rel


def _compare_modules(label, listed, derived):
    for key in sorted(set(listed) | set(derived)):
        if key not in derived:
            raise GofleetError("%s: its manifest lists %s but the bundle has no files for it" % (label, key))
        if key not in listed:
            raise GofleetError("%s: it has files for %s, which its manifest's module list leaves out" % (label, key))
        for field, what in (("h1", "zip"), ("h1_mod", "go.mod")):
            if listed[key].get(field) != derived[key][field]:
                raise GofleetError("%s: its manifest says %s %s is %s, its %s hashes to %s"
                                   % (label, key, field, listed[key].get(field), what, derived[key][field]))
        for field in ("module", "version"):
            if listed[key].get(field) != derived[key][field]:
                raise GofleetError("%s: its manifest's entry for %s names %s %r"
                                   % (label, key, field, listed[key].get(field)))
