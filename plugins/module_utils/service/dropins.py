# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drop-ins: what systemd merges into the unit from `<unit>.d/*.conf`, whoever wrote it.

A drop-in with `ProtectSystem=false` undoes the hardening the unit file declares, and the
unit file itself never changes. So the unit is judged the way systemd sees it: the
`DropInPaths` it loaded, plus the `.conf` files waiting in the admin drop-in directories
(planted without a daemon-reload, they apply at the next one). go_service writes no
drop-ins, so each one is foreign unless the user allowed it by name.

Only drop-ins in this unit's own directory under /etc or /run can be removed: the others
belong to a package (/usr/lib) or apply to other units too (`service.d/`, `hello-.service.d/`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.gofleet.golang.plugins.module_utils import drift

# Keys whose values may be secrets: the drift report names them, never shows their values.
_SECRET_KEY_RE = re.compile(r"^(Environment|PassEnvironment|SetCredential\w*|LoadCredential\w*)$")
_LINE_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$")


def found(drop_in_paths, unit, dirs):
    """Sorted drop-in paths: systemctl's DropInPaths and the .conf files in <dir>/<unit>.d."""
    paths = set((drop_in_paths or "").split())
    for base in dirs:
        directory = os.path.join(base, unit + ".d")
        try:
            names = os.listdir(directory)
        except (IOError, OSError):
            continue
        paths.update(os.path.join(directory, n) for n in names if n.endswith(".conf"))
    return sorted(paths)


def is_allowed(path, allowed):
    """allowed_dropins names a drop-in by its file name (override.conf) or its full path."""
    return os.path.basename(path) in allowed or path in allowed


def removable(path, unit, dirs):
    """Only this unit's own drop-in directory in /etc or /run is ours to clean."""
    return any(os.path.dirname(path) == os.path.join(base, unit + ".d") for base in dirs)


def summary(path):
    """'ProtectSystem=false Environment=********': what a drop-in sets, secrets masked."""
    try:
        with open(path, "rb") as f:
            text = f.read(65536).decode("utf-8", "replace")
    except (IOError, OSError):
        return "(unreadable)" if os.path.lexists(path) else "(gone)"
    settings = []
    for line in text.splitlines():
        m = _LINE_RE.match(line)
        if m and not line.lstrip().startswith(("#", ";")):
            key, value = m.groups()
            settings.append("%s=%s" % (key, "********" if _SECRET_KEY_RE.match(key) and value else value))
    if not settings:
        return "(masks the unit)" if os.path.realpath(path) == "/dev/null" else "(no settings)"
    return " ".join(settings)


def items(paths):
    """One drift item per foreign drop-in: added, found = what it sets."""
    return [drift.item(p, "added", None, summary(p)) for p in paths]
