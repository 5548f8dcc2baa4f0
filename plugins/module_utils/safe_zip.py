# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Extract a module zip (an official Go toolchain's) under the rules tarballs obey.

Each entry is seen as a tar member: its `module@version/` prefix replaced by `top`, its type
and mode from the zip's unix attributes. safe_tar.judge decides whether it may be written and
safe_tar's writers write it, so a zip is held to exactly what a tarball is (no absolute paths,
no `..`, no links out, no device files, no setuid, the size limit). What a zip adds: every
entry must carry the prefix, and no name may appear twice (Go's own collision rule).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import errno
import stat
import zipfile

from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths, safe_tar
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

# A symlink's target is its entry's content: more than this is not a link target.
_MAX_LINK = 4096
# Without unix attributes (a zip written elsewhere), the files `go` itself makes executable
# when it unpacks a toolchain module (cmd/go/internal/toolchain: bin/ and pkg/tool/).
_EXECUTABLE_DIRS = ("bin/", "pkg/tool/")


class ZipMember(object):
    """A zip entry with the tarfile.TarInfo interface safe_tar judges and writes."""

    def __init__(self, info, name, rel):
        self.info = info
        self.name = name
        self.size = info.file_size
        self.mtime = calendar.timegm(tuple(info.date_time) + (0, 0, 0))
        self.linkname = ""
        attrs = (info.external_attr >> 16) & 0xFFFF if info.create_system == 3 else 0
        self._type = stat.S_IFMT(attrs)
        # By the name alone, as Go's zip hash sees it: an entry without a trailing '/' was hashed
        # as a file, so directory attributes on it make it a member of no type safe_tar writes.
        self._dir = info.filename.endswith("/")
        perm = attrs & 0o7777
        if not attrs:
            perm = 0o755 if self._dir or rel.startswith(_EXECUTABLE_DIRS) else 0o644
        self.mode = perm

    def isdir(self):
        return self._dir

    def issym(self):
        return self._type == stat.S_IFLNK

    def isfile(self):
        return not self._dir and self._type in (0, stat.S_IFREG)

    def islnk(self):
        return False

    def ischr(self):
        return self._type == stat.S_IFCHR

    def isblk(self):
        return self._type == stat.S_IFBLK

    def isfifo(self):
        return self._type == stat.S_IFIFO


class _DirMember(object):
    """A directory the zip implies (module zips list files only): 0755, like a tarball's."""

    mode = 0o755
    mtime = 0
    size = 0
    linkname = ""

    def __init__(self, name):
        self.name = name

    def isdir(self):
        return True

    def isfile(self):
        return False

    def issym(self):
        return False

    def islnk(self):
        return False


class _Reader(object):
    """What safe_tar's writers need from an archive: a name and extractfile()."""

    def __init__(self, archive, label):
        self.archive = archive
        self.name = label

    def extractfile(self, member):
        return self.archive.open(member.info)


def members(archive, prefix, top, label):
    """[ZipMember] of `archive`, named `top/...`; an entry without `prefix` or seen twice is refused."""
    found = []
    folded = {}
    for info in archive.infolist():
        raw = info.filename
        if not raw.startswith(prefix):
            if raw.startswith("/") or raw.startswith("\\"):
                raise GofleetError("%s: refusing member with absolute path %r" % (label, raw))
            raise GofleetError("%s: member %r is outside the expected top directory %s" % (label, raw, prefix))
        rel = raw[len(prefix):]
        if not rel.rstrip("/"):
            continue
        goproxy_paths.check_collision(folded, rel.rstrip("/"), raw.endswith("/"), label)
        member = ZipMember(info, "%s/%s" % (top, rel.rstrip("/")), rel)
        if member.issym():
            member.linkname = archive.read(info)[:_MAX_LINK].decode("utf-8", "replace")
        found.append(member)
    return found


def judged_members(archive, prefix, top, label, max_unpacked):
    """[(name, member)] with the directories the files imply, every one judged by safe_tar's rules."""
    def no_links(member):
        if member.issym():
            # Go writes a module zip's entries as regular files; a link inside one is not a toolchain's.
            raise GofleetError("%s: refusing symlink %r: a module zip holds regular files only" % (label, member.info.filename))

    judged = safe_tar.judge_all(members(archive, prefix, top, label), top, label, max_unpacked, also=no_links)
    names = set(name for name, _member in judged)
    implied = set()
    for name, _member in judged:
        parts = name.split("/")
        implied.update("/".join(parts[:depth]) for depth in range(2, len(parts)))
    implied -= names
    return [(d, _DirMember(d)) for d in sorted(implied)] + judged


def extract(zip_path, dest, prefix, top="go", max_unpacked=safe_tar.DEFAULT_MAX_UNPACKED, label=None, only=None):
    """Judge every entry of the zip at `zip_path`, then write them below `dest/top` (or, with
    `only`, just those names, over an existing tree at `dest`, as safe_tar.extract repairs).
    Returns the number of bytes unpacked."""
    label = label or zip_path
    try:
        with zipfile.ZipFile(zip_path) as archive:
            judged = judged_members(archive, prefix, top, label, max_unpacked)
            reader = _Reader(archive, label)
            if only is None:
                safe_tar.write_members(reader, judged, dest)
            else:
                safe_tar.replace_members(reader, [(n, m) for n, m in judged if n in only], dest, top)
            return safe_tar.unpacked_size(judged)
    except GofleetError:
        raise
    except (zipfile.BadZipfile, zipfile.LargeZipFile, EOFError, OSError, IOError, RuntimeError) as e:
        if getattr(e, "errno", None) == errno.ENOSPC:
            raise GofleetError("no space left on device while extracting %s into %s" % (label, dest))
        raise GofleetError("%s is truncated or not a valid zip: %s" % (label, e))


def read_member(zip_path, name, limit=1024 * 1024):
    """The text of one entry (e.g. `<prefix>go.env`), or None if absent or unreadable."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            info = archive.getinfo(name)
            if info.file_size > limit:
                return None
            return archive.read(info).decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipfile, OSError, IOError, RuntimeError):
        return None
