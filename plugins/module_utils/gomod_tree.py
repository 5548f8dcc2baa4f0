# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mirror trees on disk: files placed by rename, normalized modes and mtimes, scratch space.

Releases and bundles never carry build times or umask modes: every file is 0644 with a fixed
mtime, every directory 0755, so the same mirror is the same bytes on every host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ansible_collections.gofleet.golang.plugins.module_utils import atomic

FIXED_MTIME = 946684800  # 2000-01-01: bundles and releases never carry build times


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
