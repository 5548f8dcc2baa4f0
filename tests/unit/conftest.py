# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the unit tests."""

import os
import sys
from pathlib import Path

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import ELF_SIGNATURE, tarball_arch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from elf_fixtures import write_elf  # noqa: E402  (tests/elf_fixtures.py)


def make_static_elf(path):
    """A minimal static ELF executable for this machine's architecture (no program headers)."""
    return write_elf(path, *ELF_SIGNATURE[tarball_arch()])


@pytest.fixture
def static_elf(tmp_path):
    """Path of a static ELF executable for this machine, as a Go service binary would be."""
    return make_static_elf(tmp_path / "hello")


class FakeModule(object):
    """What module_utils use of an AnsibleModule: check_mode, get_bin_path, and run_command answered by
    `answer(cmd) -> (rc, out, err)` (every command is recorded in `calls`)."""

    def __init__(self, check_mode=False, answer=None, params=None):
        self.check_mode = check_mode
        self.answer = answer or (lambda cmd: (0, "", ""))
        self.params = params or {}
        self.calls = []

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return "/usr/bin/" + name

    def run_command(self, cmd, **kw):
        self.calls.append(list(cmd))
        return self.answer(list(cmd))


@pytest.fixture
def fake_module():
    """The FakeModule class: fake_module(check_mode=..., answer=...)."""
    return FakeModule


class FakeSystemctl(object):
    """systemctl's view of one unit, updated by the actions it runs; every command is kept in `calls`.
    Anything else (systemd-analyze verify) answers clean."""

    def __init__(self):
        self.active, self.enabled, self.pid, self.calls = False, False, 0, []

    def __call__(self, cmd):
        cmd = list(cmd)
        self.calls.append(cmd)
        if os.path.basename(cmd[0]) != "systemctl":
            return 0, "", ""
        verb = cmd[1]
        if verb == "--version":
            return 0, "systemd 252 (252.38-1~deb12u1)\n", ""
        if verb == "show":
            return 0, "LoadState=loaded\nActiveState=%s\nUnitFileState=%s\nMainPID=%d\n" % (
                "active" if self.active else "inactive", "enabled" if self.enabled else "disabled", self.pid), ""
        if verb in ("start", "restart"):
            self.active, self.pid = True, self.pid + 100
        elif verb == "stop":
            self.active, self.pid = False, 0
        elif verb in ("enable", "disable"):
            self.enabled = verb == "enable"
        return 0, "", ""

    def actions(self, calls=None):
        """The systemctl actions among `calls` (all run so far by default), queries left out."""
        return [c[1] for c in (self.calls if calls is None else calls)
                if os.path.basename(c[0]) == "systemctl" and c[1] not in ("show", "--version")]


@pytest.fixture
def fake_systemctl():
    return FakeSystemctl()
