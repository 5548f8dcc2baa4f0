# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Extract a tarball only after every member has been judged safe.

A toolchain or mirror bundle is run as root on hundreds of hosts: a member that escapes
the tree, a device node or a setuid bit is refused before a single byte is written.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import posixpath
import shutil
import stat
import tarfile

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

DEFAULT_MAX_UNPACKED = 2 * 1024 * 1024 * 1024


def _normalize(name):
    while name.startswith("./"):
        name = name[2:]
    return posixpath.normpath(name)


def _resolve(name, symlinks, hops=40):
    """Where archive path `name` ends up once the archive's own symlinks are followed.

    None when it leaves the archive root, goes absolute or loops.  Lexical normalization
    alone is not enough: with go/a/b/up -> ../.. (which is go/), go/x -> a/b/up/../../.. looks
    like go/ on paper but the kernel resolves it to the directory above the archive root.
    """
    pending = [p for p in name.split("/") if p not in ("", ".")]
    resolved = []
    while pending:
        part = pending.pop(0)
        if part == "..":
            if not resolved:
                return None
            resolved.pop()
            continue
        candidate = "/".join(resolved + [part])
        if candidate in symlinks:
            hops -= 1
            target = symlinks[candidate]
            if hops < 0 or target.startswith("/"):
                return None
            pending = [p for p in target.split("/") if p not in ("", ".")] + pending
            continue
        resolved.append(part)
    return "/".join(resolved)


def symlink_map(members):
    """{normalized name: link target} of every symlink member: what judge() resolves links through."""
    return dict((_normalize(m.name), m.linkname) for m in members if m.issym())


def unpacked_size(judged):
    """Bytes the regular files of judge_all()'s result unpack to."""
    return sum(member.size for _name, member in judged if member.isfile())


def judge_all(members, top, label, max_unpacked, also=None):
    """[(normalized name, member)] once every member passed judge() and the total size is within
    max_unpacked; `also(member)` may refuse more (a module zip refuses every link)."""
    # All of the archive's symlinks, whatever their order: a link is judged by where it
    # resolves in the finished tree.
    symlinks = symlink_map(members)
    names = set()
    total = 0
    judged = []
    for member in members:
        name = judge(member, names, top, label, symlinks)
        if also:
            also(member)
        names.add(name)
        total += member.size if member.isfile() else 0
        if total > max_unpacked:
            raise GofleetError("%s unpacks to more than %d bytes (max_unpacked_size)" % (label, max_unpacked))
        judged.append((name, member))
    if not judged:
        raise GofleetError("%s is empty" % label)
    return judged


def judge(member, names, top, label, symlinks=None):
    """Return the member's normalized name, or raise why it is refused."""
    raw = member.name
    if raw.startswith("/") or raw.startswith("\\"):
        raise GofleetError("%s: refusing member with absolute path %r" % (label, raw))
    name = _normalize(raw)
    if name == ".." or name.startswith("../") or "/../" in "/%s/" % name:
        raise GofleetError("%s: refusing member %r that leaves the tree" % (label, raw))
    if top and name != top and not name.startswith(top + "/"):
        raise GofleetError("%s: member %r is outside the expected top directory %s/" % (label, raw, top))
    if member.ischr() or member.isblk() or member.isfifo() or not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
        raise GofleetError("%s: refusing special file %r (device, fifo or unknown type)" % (label, raw))
    if member.mode & (stat.S_ISUID | stat.S_ISGID):
        raise GofleetError("%s: refusing setuid/setgid member %r" % (label, raw))
    symlinks = symlinks or {}
    parts = name.split("/")
    for depth in range(1, len(parts)):
        if "/".join(parts[:depth]) in symlinks:
            # Writing below a symlink writes wherever the symlink points.
            raise GofleetError("%s: refusing member %r below symlink %r" % (label, raw, "/".join(parts[:depth])))
    if member.issym():
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), member.linkname))
        resolved = None if member.linkname.startswith("/") else _resolve(posixpath.join(posixpath.dirname(name), member.linkname), symlinks)
        if (member.linkname.startswith("/") or target == ".." or target.startswith("../") or resolved is None
                or (top and not (target == top or target.startswith(top + "/")))
                or (top and not (resolved == top or resolved.startswith(top + "/")))):
            raise GofleetError("%s: refusing symlink %r -> %r that points outside the tree" % (label, raw, member.linkname))
    if member.islnk():
        target = _normalize(member.linkname)
        if target not in names:
            raise GofleetError("%s: refusing hardlink %r -> %r outside the tree" % (label, raw, member.linkname))
    return name


def extract(tar_path, dest, top=None, max_unpacked=DEFAULT_MAX_UNPACKED, label=None, only=None):
    """Validate every member of `tar_path`, then extract into `dest` (which must exist).

    Modes lose group/other write; setuid/setgid never pass validation.  Returns the
    number of bytes unpacked.  Truncated archives and a full disk fail with one line.

    With `only` (a set of member names below `top`), just those members are written, with
    `top/` stripped, into an existing tree at `dest`, each one renamed over what is there:
    a drift repair that never leaves a half-written file.
    """
    label = label or tar_path
    try:
        with tarfile.open(tar_path, "r:*") as archive:
            judged = judge_all(archive.getmembers(), top, label, max_unpacked)
            total = unpacked_size(judged)
            if only is None:
                write_members(archive, judged, dest)
            else:
                replace_members(archive, [(n, m) for n, m in judged if n in only], dest, top)
    except GofleetError:
        raise
    except (tarfile.TarError, EOFError, OSError, IOError) as e:
        raise _read_error(e, label, dest)
    return total


def _read_error(e, label, dest):
    if getattr(e, "errno", None) == errno.ENOSPC:
        return GofleetError("no space left on device while extracting %s into %s" % (label, dest))
    return GofleetError("%s is truncated or not a valid tarball: %s" % (label, e))


def extract_fresh(tar_path, dest, top=None, max_unpacked=DEFAULT_MAX_UNPACKED, label=None, hashes=None):
    """extract() into an empty directory `dest`, reading (and decompressing) the archive once.

    Each member is judged as it comes, against the members and symlinks before it, and written
    only then; no write goes below a symlink or through an existing path. When the archive has
    been read, every member is judged again against all of its symlinks, as extract() judges them.
    Any refusal or error empties `dest` again and raises what extract() raises for the archive,
    so, as with extract(), nothing is left of a refused archive.

    With `hashes` (a dict), the sha256 of every regular file is recorded as it is written, under
    its member name: the caller need not read the files back to hash them.
    """
    label = label or tar_path
    if os.listdir(dest):
        raise GofleetError("%s: extracting into %s, which is not empty" % (label, dest))
    try:
        # Iterated, not getmembers(): every header is read as its member is reached, so the
        # compressed stream is decompressed once and only ever read forward.
        with tarfile.open(tar_path, "r:*") as archive:
            total = _stream_members(archive, dest, top, max_unpacked, label, hashes)
    except (GofleetError, tarfile.TarError, EOFError, OSError, IOError) as e:
        _empty(dest)
        if hashes is not None:
            hashes.clear()
        if getattr(e, "errno", None) == errno.ENOSPC:
            raise _read_error(e, label, dest)
        # The canonical refusal: the one extract() gives, judging with all symlinks known.
        try:
            with tarfile.open(tar_path, "r:*") as archive:
                judge_all(archive.getmembers(), top, label, max_unpacked)
        except GofleetError:
            raise
        except (tarfile.TarError, EOFError, OSError, IOError) as again:
            raise _read_error(again, label, dest)
        raise e if isinstance(e, GofleetError) else _read_error(e, label, dest)
    return total


_BUFSIZE = 1024 * 1024


def _stream_members(archive, dest, top, max_unpacked, label, hashes):
    symlinks = {}
    names = set()
    judged = []
    directories = []
    total = 0
    known_dirs = set([dest])  # directories that exist: no lstat per member for its parent
    for member in archive:
        name = judge(member, names, top, label, symlinks)
        if member.issym():
            symlinks[name] = member.linkname
        duplicate = name in names
        names.add(name)
        total += member.size if member.isfile() else 0
        if total > max_unpacked:
            raise GofleetError("%s unpacks to more than %d bytes (max_unpacked_size)" % (label, max_unpacked))
        judged.append(member)
        path = os.path.join(dest, name)
        parent = os.path.dirname(path)
        if parent not in known_dirs:
            if not os.path.isdir(parent):
                os.makedirs(parent, 0o755)
            known_dirs.add(parent)
        if member.isdir():
            if path not in known_dirs and not os.path.isdir(path):  # maybe made as a parent already
                os.mkdir(path, 0o755)
            known_dirs.add(path)
            directories.append((path, (member.mode & 0o755) | 0o700, member.mtime))
            continue
        if duplicate and os.path.lexists(path):
            os.unlink(path)  # a duplicate member: replaced, never written through
        if member.issym():
            os.symlink(member.linkname, path)
        elif member.islnk():
            target = _normalize(member.linkname)
            os.link(os.path.join(dest, target), path, follow_symlinks=False)
            if hashes is not None and target in hashes:
                hashes[name] = hashes[target]
        else:
            digest = _write_file(archive, member, path, hashed=hashes is not None)
            if hashes is not None:
                hashes[name] = digest
    if not judged:
        raise GofleetError("%s is empty" % label)
    judge_all(judged, top, label, max_unpacked)
    for path, mode, mtime in reversed(directories):
        os.chmod(path, mode)
        os.utime(path, (mtime, mtime))
    return total


def _empty(dest):
    for name in os.listdir(dest):
        path = os.path.join(dest, name)
        if os.path.isdir(path) and not os.path.islink(path):
            for root, dirs, _files in os.walk(path):
                for d in dirs:
                    os.chmod(os.path.join(root, d), 0o700)  # read-only directories from the archive
            shutil.rmtree(path)
        else:
            os.unlink(path)


def write_members(archive, judged, dest):
    directories = []
    written = set()
    for name, member in judged:
        path = os.path.join(dest, name)
        if name in written and not member.isdir() and os.path.lexists(path) and not os.path.isdir(path):
            os.unlink(path)  # a duplicate member replaces the earlier one, never writes through its link
        written.add(name)
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent, 0o755)
        mode = member.mode & 0o755
        if member.isdir():
            if not os.path.isdir(path):
                os.mkdir(path, 0o755)
            directories.append((path, mode | 0o700, member.mtime))
        elif member.issym():
            os.symlink(member.linkname, path)
        elif member.islnk():
            os.link(os.path.join(dest, _normalize(member.linkname)), path)
        else:
            _write_file(archive, member, path)
    # Directory modes and times last: writing files into them changes their mtime.
    for path, mode, mtime in reversed(directories):
        os.chmod(path, mode)
        os.utime(path, (mtime, mtime))


def replace_members(archive, judged, dest, top):
    directories = []
    for name, member in judged:
        path = os.path.join(dest, name[len(top) + 1:]) if top else os.path.join(dest, name)
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent, 0o755)
        if member.isdir():
            if os.path.lexists(path) and not os.path.isdir(path):
                os.unlink(path)
            if not os.path.isdir(path):
                os.mkdir(path, 0o755)
            directories.append((path, (member.mode & 0o755) | 0o700, member.mtime))
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        tmp = os.path.join(parent, ".%s.gofleet-repair" % os.path.basename(path))
        if os.path.lexists(tmp):
            os.unlink(tmp)
        if member.issym():
            os.symlink(member.linkname, tmp)
        else:
            _write_file(archive, member, tmp)
        os.rename(tmp, path)
    for path, mode, mtime in reversed(directories):
        os.chmod(path, mode)
        os.utime(path, (mtime, mtime))


def _write_file(archive, member, path, hashed=False):
    """Write one regular member; with `hashed`, return the sha256 of what was written."""
    source = archive.extractfile(member)
    digest = hashlib.sha256() if hashed else None
    with open(path, "wb") as out:
        while True:
            block = source.read(_BUFSIZE)
            if not block:
                break
            out.write(block)
            if digest is not None:
                digest.update(block)
    if out_size(path) != member.size:
        raise GofleetError("%s: member %r is truncated" % (archive.name, member.name))
    os.chmod(path, member.mode & 0o755)
    os.utime(path, (member.mtime, member.mtime))
    return digest.hexdigest() if digest is not None else None


def out_size(path):
    return os.lstat(path).st_size


def read_member(tar_path, name, limit=1024 * 1024):
    """The text of one regular member (e.g. go/go.env), or None if absent or unreadable."""
    try:
        with tarfile.open(tar_path, "r:*") as archive:
            for member in archive:
                if _normalize(member.name) == name and member.isfile() and member.size <= limit:
                    return archive.extractfile(member).read().decode("utf-8", "replace")
    except (tarfile.TarError, EOFError, OSError, IOError):
        return None
    return None
