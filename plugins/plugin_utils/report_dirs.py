# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Timestamped report directories under one parent, the newest N kept (controller side).

A report directory is named <UTC time>-<mode>[-<n>], e.g. 20261206T031500Z-check, so names sort by
time. Pruning only ever removes directories of that shape: anything else in the parent is left alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import tempfile
import time

NAME_RE = re.compile(r"^\d{8}T\d{6}Z-(check|real)(-\d+)?$")


def create(parent, mode, now=None):
    """Make and return a new report directory (0750) for `mode` under `parent` (created 0750)."""
    if not os.path.isdir(parent):
        os.makedirs(parent, 0o750)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    base = os.path.join(parent, "%s-%s" % (stamp, mode))
    path, n = base, 0
    while True:
        try:
            os.mkdir(path, 0o750)
            return path
        except FileExistsError:
            n += 1
            path = "%s-%d" % (base, n)


def write(path, text, mode=0o640):
    """Write `text` to `path` atomically (temp file in the same directory, then rename)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _key(name):
    m = re.match(r"^(\d{8}T\d{6}Z)-(?:check|real)(?:-(\d+))?$", name)
    return (m.group(1), int(m.group(2) or 0))


def prune(parent, keep):
    """Remove all but the newest `keep` report directories; returns the removed paths. keep < 1 keeps all."""
    if keep < 1 or not os.path.isdir(parent):
        return []
    names = sorted((n for n in os.listdir(parent)
                    if NAME_RE.match(n) and os.path.isdir(os.path.join(parent, n))
                    and not os.path.islink(os.path.join(parent, n))), key=_key)
    removed = []
    for name in names[:-keep]:
        path = os.path.join(parent, name)
        shutil.rmtree(path)
        removed.append(path)
    return removed
