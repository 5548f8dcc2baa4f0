# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crafted .tar.gz files for the go_toolchain tests (unit and integration).

    write_tar_gz(path, [("go", None, 0o755), ("go/VERSION", b"go1.23.5\n", 0o644)], owner=(1000, 1000))
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import io
import tarfile

MTIME = 1700000000


def write_tar_gz(path, members, owner=(0, 0)):
    """Write `members`, (name, bytes or None for a directory, mode) in order, owned by `owner`
    (uid, gid) with one fixed mtime; a trailing / on a name is dropped. Returns str(path)."""
    with tarfile.open(str(path), "w:gz") as archive:
        for name, data, mode in members:
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mode, info.mtime = mode, MTIME
            info.uid, info.gid = owner
            if data is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return str(path)


def sha256_of(path):
    with open(str(path), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_zip(path, members, unix=True):
    """Write a zip of `members`, (name, bytes, mode) in order (mode may carry S_IFLNK, S_IFCHR, ...;
    None for no unix attributes), all dated MTIME. Names are written as given, duplicates too.
    Returns str(path)."""
    import time
    import warnings
    import zipfile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on a duplicate name: some tests want one
        with zipfile.ZipFile(str(path), "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data, mode in members:
                info = zipfile.ZipInfo(name, time.gmtime(MTIME)[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                if unix and mode is not None:
                    info.create_system = 3
                    info.external_attr = (mode if mode > 0o7777 else (0o100000 | mode)) << 16
                else:
                    info.create_system = 0
                archive.writestr(info, data)
    return str(path)
