# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one go_service run does to one service, whatever init system runs it.

detect_init_system() picks the backend, check_node() makes sure this node can run the service
(user, group, binary) before anything is written, and ServicePlan is what both backends
(systemd_plan, runit_plan) fill: plan() observes and decides without touching the node, so
check mode reports exactly what apply() then does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import grp
import os
import pwd

from ansible_collections.gofleet.golang.plugins.module_utils import drift
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file
from ansible_collections.gofleet.golang.plugins.module_utils.service.binary import (
    binary_drift,
    check_binary,
    installed_sha256,
)

MEMINFO = "/proc/meminfo"


def detect_init_system(module, requested="auto"):
    """systemd when it is PID 1 (/run/systemd/system), else runit when its tools are here."""
    if requested != "auto":
        return requested
    if os.path.isdir("/run/systemd/system"):
        return "systemd"
    if module.get_bin_path("sv") or module.get_bin_path("runsvdir"):
        return "runit"
    raise GofleetError("init_system=auto found neither systemd (no /run/systemd/system) nor runit (no sv, runsvdir)")


def total_memory(meminfo=None):
    """Bytes of RAM on the node (for MemoryMax percentages), None when unreadable."""
    try:
        with open(meminfo or MEMINFO) as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (IOError, OSError, ValueError):
        pass
    return None


def check_identity(spec, check_mode, warnings):
    """user and group must exist; in check mode a missing one (created earlier in the play) is a warning."""
    for kind, value, lookup in (("user", spec.get("user"), pwd.getpwnam), ("group", spec.get("group"), grp.getgrnam)):
        if not value:
            continue
        try:
            lookup(value)
        except KeyError:
            if check_mode:
                warnings.append("%s %s does not exist yet (check mode)" % (kind, value))
            else:
                raise GofleetError("%s %s does not exist on this node" % (kind, value))


def check_node(module, spec, warnings):
    """User, group and binary checks before anything is written -> check_binary()'s info.

    In check mode a binary that is not there yet (a later task builds it) is a warning and None.
    """
    check_identity(spec, module.check_mode, warnings)
    if module.check_mode and not os.path.lexists(spec["binary"]):
        warnings.append("binary %s is not there yet (check mode): its checks are skipped" % spec["binary"])
        return None
    return check_binary(module, spec["binary"])


def check_staged(module, spec, warnings, want, found):
    """install_from, a new binary staged beside `binary` -> (check_binary()'s info, is it new?).

    It is checked before anything replaces the running binary (and against binary_sha256 when
    given); one that fails is removed (it was staged for this run) and the old binary stays. In
    check mode a stage its copy task only predicted is not there: a new binary is predicted
    (unless binary_sha256 says the installed one is it), its checks are skipped. want: the
    binary_sha256 asked for, found: the installed binary's.
    """
    staged, binary = spec["install_from"], spec["binary"]
    if os.path.dirname(staged) != os.path.dirname(binary):
        raise GofleetError("install_from %s must sit beside binary %s (same directory, so the rename is atomic)"
                           % (staged, binary))
    check_identity(spec, module.check_mode, warnings)
    if not os.path.lexists(staged):
        if module.check_mode:
            warnings.append("staged binary %s is not there (check mode): a new binary is predicted, "
                            "its checks are skipped" % staged)
            return None, want is None or want != found
        raise GofleetError("install_from %s does not exist" % staged)
    try:
        if os.path.islink(staged):
            raise GofleetError("install_from %s is a symlink, not a staged file" % staged)
        info = check_binary(module, staged)
        info["sha256"] = sha256_file(staged)
        if want is not None and info["sha256"] != want:
            raise GofleetError("install_from %s has sha256:%s, binary_sha256 is sha256:%s"
                               % (staged, info["sha256"], want))
    except GofleetError as e:
        if not module.check_mode:
            os.unlink(staged)
        raise GofleetError("%s; %s is unchanged" % (e.message, binary))
    info["path"] = binary
    return info, info["sha256"] != found


def unit_drift(path, before, after):
    """The unit file's changed lines as one drift item (expected: ours, found: the file's)."""
    gone, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            gone.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return drift.item(path, "unit", "; ".join(added) or "(nothing)", "; ".join(gone) or "(nothing)")


def text_diff(path, before, after):
    return {"before_header": path, "after_header": path, "before": before or "", "after": after}


class ServicePlan(object):
    """What one run does to one service.  A backend's plan() fills it, its apply() carries it out.

    writes: [(path, data, mode)] to write; removes: paths to delete; actions: service manager
    actions in order; facts: return values known so far (kept when a later step fails).
    """

    STARTING = ()   # actions after which the service must be seen to stay running

    def __init__(self, module, spec, mgr):
        self.module = module
        self.spec = spec
        self.name = spec["name"]
        self.mgr = mgr
        self.warnings = []
        self.facts = {}
        self.status = None
        self.writes = []
        self.removes = []
        self.actions = []
        self.diff = None
        self.binary_new = False   # install_from replaces the binary
        self.drift_items = []     # drift.item()s: how the node differs from what was asked

    @property
    def changed(self):
        return bool(self.writes or self.removes or self.actions or self.binary_new)

    def check_binary(self):
        """check_node(), or check_staged() when a new binary waits in install_from; the binary's drift."""
        spec = self.spec
        want = spec.get("binary_sha256")
        found = installed_sha256(spec["binary"])
        if spec.get("install_from"):
            info, self.binary_new = check_staged(self.module, spec, self.warnings, want, found)
            if info is not None:
                want = info["sha256"]
        else:
            info = check_node(self.module, spec, self.warnings)
            if want is not None and found is not None and found != want:
                raise GofleetError("binary %s has sha256:%s, binary_sha256 is sha256:%s, and no install_from "
                                   "gives the binary to put in its place" % (spec["binary"], found, want))
        self.drift_items.extend(binary_drift(spec["binary"], found, want, self.binary_new))
        return info

    def install_binary(self):
        """First step of apply(): the checked stage is renamed over the binary (or dropped when equal)."""
        staged = self.spec.get("install_from")
        if self.spec["state"] == "absent" or not staged or not os.path.lexists(staged):
            return
        if self.binary_new:
            # Whoever can write the live binary can swap what the service runs: it goes live
            # root-owned 0755, whatever owner and mode it was staged with.
            if os.geteuid() == 0:
                os.chown(staged, 0, 0)
            os.chmod(staged, 0o755)
            os.rename(staged, self.spec["binary"])
        else:
            os.unlink(staged)

    def result(self):
        """The module's return values as far as they are known."""
        out = dict(self.facts, changed=self.changed, actions=list(self.actions), binary_changed=self.binary_new,
                   drift_items=list(self.drift_items), drift=[drift.line(i) for i in self.drift_items])
        if self.diff is not None:
            out["diff"] = self.diff
        if self.status is not None:
            out["status"] = self.status
        return out

    def settle(self):
        """Status after the actions ran: a service that was (re)started must stay running."""
        if any(a in self.actions for a in self.STARTING):
            self.status = self.mgr.wait_running(self.spec["settle"])
        else:
            self.status = self.mgr.status()
