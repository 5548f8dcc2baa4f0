# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filesystem steps that can be interrupted at any moment without leaving a broken state.

Every change goes through a temporary name in the same directory followed by rename(2),
which is atomic on POSIX filesystems: a reader sees the old thing or the new thing, never
half of one.  A host-wide lock keeps two runs from interleaving.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import os
import shutil
import stat
import tempfile
import time

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


def read_link(path):
    """Return the target of symlink `path`, or None if it is absent or not a link."""
    try:
        return os.readlink(path)
    except OSError:
        return None


def identity(path):
    """Which file is at `path` and whether it was written since: a later identity() that differs
    means another file or new content (ctime cannot be set back), so a hash taken in between is stale."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def path_kind(path):
    """What is at `path` by lstat, never following a link: missing, symlink, directory, file or other."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "missing"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "directory"
    return "file" if stat.S_ISREG(mode) else "other"


def check_link_slot(path, kind=None, replace_file=True):
    """Refuse to put a link where a directory is, or a file unless `replace_file`; one line naming `path`."""
    kind = kind or path_kind(path)
    if kind == "directory":
        raise GofleetError("%s is a real directory, not a link; move it away so gofleet can manage it" % path)
    if kind in ("file", "other") and not replace_file:
        raise GofleetError("%s is a %s, not a link; move it away, or set force: true to replace it"
                           % (path, "regular file" if kind == "file" else "special file"))


def describe(path):
    """A one-line account of what is at `path` where a link was expected, for a diff."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    what = "regular file" if stat.S_ISREG(st.st_mode) else "special file"
    return "(%s, %d bytes, mode %04o)" % (what, st.st_size, stat.S_IMODE(st.st_mode))


def replace_symlink(target, link, replace_file=True):
    """Point `link` at `target` by renaming a fresh link over the old one (never unlinks first).

    A directory at `link` is always refused; a regular file only when `replace_file` is false.
    """
    parent = os.path.dirname(link) or "."
    check_link_slot(link, replace_file=replace_file)
    makedirs(parent, 0o755)
    tmp = os.path.join(parent, ".%s.gofleet-%d" % (os.path.basename(link), os.getpid()))
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.rename(tmp, link)
    fsync_dir(parent)


def write_file(path, data, mode=0o644):
    """Write bytes or text to `path` atomically with `mode` set before the content lands.

    The mode is applied to the temporary file first, so a secret is never readable by
    others, not even for a moment.
    """
    if not isinstance(data, bytes):
        data = data.encode("utf-8")
    parent = os.path.dirname(path) or "."
    makedirs(parent, 0o755)
    fd, tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    fsync_dir(parent)


def read_file(path):
    """Return the text of `path`, or None when it does not exist."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    except IOError as e:
        if e.errno == errno.ENOENT:
            return None
        raise


def file_differs(path, data, mode):
    """True when `path` does not hold exactly `data` (bytes) with permission bits `mode`."""
    before = read_file(path)
    if before is None or before.encode("utf-8") != data:
        return True
    return (os.stat(path).st_mode & 0o7777) != mode


def makedirs(path, mode=0o755):
    # exist_ok: two runs starting at once on a fresh root both try to create it (before the lock).
    if not os.path.isdir(path):
        os.makedirs(path, mode, exist_ok=True)


def fsync_dir(path):
    """Persist a rename: without it a power cut can forget the new directory entry."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_tree(path):
    """Remove a tree by first renaming it aside, so a half-deleted tree is never at `path`."""
    if not os.path.lexists(path):
        return
    if os.path.islink(path) or not os.path.isdir(path):
        os.unlink(path)
        return
    trash = "%s.gofleet-trash-%d" % (path, os.getpid())
    os.rename(path, trash)
    shutil.rmtree(trash, ignore_errors=True)


def make_staging_dir(parent, name):
    """A fresh, private directory beside the final location (same filesystem, so rename works)."""
    makedirs(parent, 0o755)
    return tempfile.mkdtemp(prefix=".%s.staging-" % name, dir=parent)


def leftover_staging_dirs(parent):
    """Staging and trash directories left behind by an interrupted run."""
    try:
        names = os.listdir(parent)
    except OSError:
        return []
    return sorted(
        os.path.join(parent, n) for n in names
        if (n.startswith(".") and ".staging-" in n) or ".gofleet-trash-" in n or ".gofleet-old-" in n
    )


class HostLock(object):
    """An exclusive flock on a lock file: two runs on one host never interleave.

    The kernel drops the lock when the process dies, so a killed run never wedges the next.
    """

    def __init__(self, path, timeout=600):
        self.path = path
        self.timeout = timeout
        self._fd = None

    def __enter__(self):
        makedirs(os.path.dirname(self.path) or ".", 0o755)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.time() + self.timeout
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except (IOError, OSError) as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.time() >= deadline:
                    os.close(self._fd)
                    raise GofleetError(
                        "another gofleet run holds %s for more than %ds" % (self.path, self.timeout)
                    )
                time.sleep(0.2)

    def __exit__(self, *exc):
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
        return False


def swap_trees(new, current):
    """Put directory `new` at `current`'s path; the old tree ends up at `new`'s path.

    renameat2(RENAME_EXCHANGE) swaps both names in one step, so `current` never
    disappears, not even for a moment.  Where the kernel or libc lacks it, two renames
    leave a short window in which `current` is missing, never one in which it is partial.
    """
    if _exchange(new, current):
        fsync_dir(os.path.dirname(current) or ".")
        return
    aside = "%s.gofleet-old-%d" % (current, os.getpid())
    os.rename(current, aside)
    os.rename(new, current)
    os.rename(aside, new)
    fsync_dir(os.path.dirname(current) or ".")


def _exchange(a, b):
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is None:
            return False
        at_fdcwd, rename_exchange = -100, 2
        rc = renameat2(at_fdcwd, a.encode(), at_fdcwd, b.encode(), rename_exchange)
        return rc == 0
    except (OSError, AttributeError, ImportError):
        return False
