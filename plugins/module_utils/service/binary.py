# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Will this service binary run on this node?  Checked before any unit is written.

exists -> regular executable file -> ELF for this node's architecture -> for a dynamically
linked binary: its loader is present and every library it needs resolves (`ldd`, or the
loader's `--list` when ldd is missing).  Every failure names the binary and the reason.

binary_drift() is the binary's content as a drift item: an installed binary whose sha256 is not
the one asked for (binary_sha256, or the staged new binary's) is drift, repaired by the stage.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shlex

from ansible_collections.gofleet.golang.plugins.module_utils import drift
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import (
    require_elf_for,
    tarball_arch,
)

_PREFIX_CHARS = "@-:+!"


def binary_of_exec_start(exec_start):
    """The program an ExecStart= line runs: first word without systemd's @-:+! prefixes."""
    try:
        words = shlex.split(exec_start)
    except ValueError as e:
        raise GofleetError("exec_start %r cannot be parsed: %s" % (exec_start, e))
    if not words:
        raise GofleetError("exec_start is empty")
    program = words[0].lstrip(_PREFIX_CHARS)
    if "%" in program:
        # systemd expands specifiers in it: the program checked here would not be the one it runs
        raise GofleetError("exec_start program %r contains '%%', which systemd expands as a specifier; "
                           "use binary and args instead" % words[0])
    if not program.startswith("/"):
        raise GofleetError("exec_start must start with an absolute path, got %r" % words[0])
    return program, words[1:]


def missing_libraries(ldd_output):
    """Library names on 'libfoo.so.1 => not found' lines of ldd / ld.so --list output."""
    missing = []
    for line in (ldd_output or "").splitlines():
        m = re.match(r"^\s*(\S+)\s*=>\s*not found", line)
        if m and m.group(1) not in missing:
            missing.append(m.group(1))
    return missing


def check_binary(module, path, arch=None):
    """Fail (GofleetError) unless `path` can run here.  Returns a dict describing it."""
    if not os.path.lexists(path):
        raise GofleetError("binary %s does not exist" % path)
    if not os.path.exists(path):
        raise GofleetError("binary %s is a dangling symlink" % path)
    if not os.path.isfile(path):
        raise GofleetError("binary %s is not a regular file" % path)
    if not os.access(path, os.X_OK):
        raise GofleetError("binary %s is not executable (mode %s)" % (path, oct(os.stat(path).st_mode & 0o7777)))
    arch = arch or tarball_arch()
    header = require_elf_for(path, arch)
    info = {"path": path, "arch": arch, "linkage": "static", "interpreter": None, "libraries_checked": False}
    if not header.interpreter:
        return info
    info["linkage"] = "dynamic"
    info["interpreter"] = header.interpreter
    if not os.path.exists(header.interpreter):
        raise GofleetError(
            "binary %s is dynamically linked against loader %s, which this node does not have; "
            "build it with CGO_ENABLED=0 or for this libc" % (path, header.interpreter))
    ldd = module.get_bin_path("ldd")
    cmd = [ldd, path] if ldd else [header.interpreter, "--list", path]
    rc, out, err = module.run_command(cmd)
    missing = missing_libraries(out + "\n" + err)
    if missing:
        raise GofleetError("binary %s needs libraries this node does not have: %s"
                           % (path, ", ".join(missing)))
    if rc != 0:
        raise GofleetError("binary %s: %s failed (rc=%d): %s"
                           % (path, os.path.basename(cmd[0]), rc, (err or out).strip()))
    info["libraries_checked"] = True
    return info


# The expected value when check mode cannot know it: no binary_sha256 given and the stage only predicted.
UNKNOWN_SHA256 = "sha256=(the staged binary's, not there in check mode)"


def installed_sha256(path):
    """sha256 of the installed binary, None when there is none yet (a first deploy is not drift)."""
    return sha256_file(path) if os.path.isfile(path) and not os.path.islink(path) else None


def binary_drift(path, found, want, new):
    """The binary's content as drift items: [] when it matches, is not installed yet, or stays.

    found: installed_sha256(); want: the sha256 asked for (None: unknown); new: a new binary goes in.
    """
    if found is None or not new:
        return []
    return [drift.item(path, "content", UNKNOWN_SHA256 if want is None else "sha256=" + want, "sha256=" + found)]
