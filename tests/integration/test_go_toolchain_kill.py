# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain killed with SIGKILL mid-upgrade, and two runs on one host.

The module runs as a plain child process (as AnsiballZ would run it) in its own session, so
SIGKILL hits the process doing the work and whatever it started. Each kill point is an event
seen on disk while 1.22.12 (active) is upgraded to 1.23.5; while waiting, the link is sampled
continuously and must only ever point at a complete, receipted tree.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import signal
import time

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, go_env, manifest, toolchain
from module_runner import NodeLayout, finish_module, go_version, kill_group, start_module

pytestmark = pytest.mark.integration


class Node(NodeLayout):
    def __init__(self, base, tarballs):
        super(Node, self).__init__(base, tarballs)
        self.work = os.path.join(self.base, "work")
        os.makedirs(self.work)

    def absent(self, version):
        return {"version": version, "state": "absent", "force": True, "install_root": self.root,
                "link": self.link, "bin_dir": self.bin}

    def staging(self):
        return [p for p in atomic.leftover_staging_dirs(self.root) if ".staging-" in os.path.basename(p)]


@pytest.fixture(scope="module")
def node(tmp_path_factory, tarballs, run_direct):
    n = Node(tmp_path_factory.mktemp("killnode"), tarballs)
    first = run_direct(n.args("1.22.12"))
    assert first["changed"] is True and first["active_version"] == "1.22.12", first
    return n


def _reset(node, run_direct):
    """1.22.12 installed and active, 1.23.5 not installed, nothing left over."""
    for args in (node.absent("1.23.5"), node.args("1.22.12")):
        result = run_direct(args)
        assert result["_rc"] == 0, result
    assert os.readlink(node.link) == node.goroot("1.22.12")
    assert not os.path.exists(node.goroot("1.23.5")) and atomic.leftover_staging_dirs(node.root) == []


def assert_link_at_complete_tree(node):
    """The link points at an installed version whose tree matches its receipt and whose go runs."""
    target = os.readlink(node.link)
    version = toolchain.version_of_goroot(node.root, target)
    assert version in ("1.22.12", "1.23.5"), target
    receipt = node.receipt(version)
    assert receipt is not None, "link points at %s which has no receipt" % target
    assert manifest.drift(target, receipt["manifest"], "fast", exclude=toolchain.MANAGED_FILES) == []
    assert go_version(os.path.join(node.link, "bin", "go")) == "go" + version
    assert go_version(os.path.join(node.bin, "go")) == "go" + version
    return version


def _staged(node, rel):
    return any(os.path.lexists(os.path.join(s, "tree", "go", rel)) for s in node.staging())


def _staged_env_rendered(node):
    for path in glob.glob(os.path.join(node.root, ".go1.23.5.staging-*", "tree", "go", "go.env")):
        try:
            with open(path) as f:
                if f.read(len(go_env.HEADER)) == go_env.HEADER:
                    return True
        except (IOError, OSError):
            pass
    return False


# (id, event on disk that triggers the SIGKILL)
KILL_POINTS = [
    ("staging-dir-created", lambda n: bool(n.staging())),
    ("mid-extraction", lambda n: _staged(n, "src")),
    ("staged-tree-being-validated-and-hashed", _staged_env_rendered),
    ("renamed-into-place-before-receipt", lambda n: os.path.isdir(n.goroot("1.23.5"))),
    ("receipt-written", lambda n: os.path.exists(toolchain.receipt_path(n.root, "1.23.5"))),
]


def _watch_and_kill(node, proc, trigger, deadline=600):
    """Poll `trigger` until it fires, then SIGKILL; meanwhile the link must stay at a receipted tree."""
    start = time.time()
    while time.time() - start < deadline:
        if proc.poll() is not None:
            return False
        target = atomic.read_link(node.link)
        if target == node.goroot("1.23.5"):
            # The link only moves once the new tree is complete and recorded.
            assert os.path.exists(toolchain.receipt_path(node.root, "1.23.5"))
        else:
            assert target == node.goroot("1.22.12"), target
        if trigger(node):
            kill_group(proc)
            return proc.returncode == -signal.SIGKILL
        time.sleep(0.001)
    raise AssertionError("kill point never reached in %ss" % deadline)


@pytest.mark.parametrize("trigger", [p[1] for p in KILL_POINTS], ids=[p[0] for p in KILL_POINTS])
def test_sigkill_mid_upgrade_never_breaks_link_and_next_run_completes(node, run_direct, trigger):
    for _attempt in range(3):  # a late point can be missed when the run ends within one poll
        _reset(node, run_direct)
        proc = start_module("gofleet.golang.go_toolchain", node.args("1.23.5"), node.work)
        try:
            killed = _watch_and_kill(node, proc, trigger)
        finally:
            if proc.poll() is None:
                kill_group(proc)
        proc.communicate()
        assert_link_at_complete_tree(node)
        work_left = bool(atomic.leftover_staging_dirs(node.root)) or node.receipt("1.23.5") is None \
            or os.readlink(node.link) != node.goroot("1.23.5")
        if killed and work_left:
            break
    else:
        pytest.fail("the run finished (or finished its work) before the kill point, three times")

    finish = run_direct(node.args("1.23.5"))
    assert finish["_rc"] == 0, finish
    assert finish["changed"] is True and finish["active_version"] == "1.23.5"
    assert atomic.leftover_staging_dirs(node.root) == []
    assert os.readlink(node.link) == node.goroot("1.23.5")
    assert assert_link_at_complete_tree(node) == "1.23.5"
    again = run_direct(node.args("1.23.5"))
    assert again["changed"] is False and again["actions"] == [], again


def test_second_run_waits_for_the_host_lock(node, run_direct):
    assert os.readlink(node.link) == node.goroot("1.23.5")
    with atomic.HostLock(os.path.join(node.root, toolchain.LOCK_FILE)):
        proc = start_module("gofleet.golang.go_toolchain", node.args("1.22.12"), node.work)
        time.sleep(2.5)
        assert proc.poll() is None, "the run did not wait for the lock"
        assert os.readlink(node.link) == node.goroot("1.23.5")  # nothing done while the lock is held
    result = finish_module(proc)
    assert result["_rc"] == 0 and result["changed"] is True
    assert result["previous_version"] == "1.23.5" and os.readlink(node.link) == node.goroot("1.22.12")


def test_two_concurrent_runs_serialize(node, run_direct):
    removed = run_direct(node.absent("1.23.5"))
    assert removed["_rc"] == 0 and not os.path.exists(node.goroot("1.23.5"))
    procs = [start_module("gofleet.golang.go_toolchain", node.args("1.23.5"), node.work) for i in range(2)]
    results = [finish_module(p) for p in procs]
    assert [r["_rc"] for r in results] == [0, 0], results
    # One installed and switched; the other waited, then found nothing to do.
    assert sorted(r["changed"] for r in results) == [False, True]
    done = [r for r in results if r["changed"]][0]
    assert done["actions"][0] == "install go1.23.5 (missing)"
    assert atomic.leftover_staging_dirs(node.root) == []
    assert assert_link_at_complete_tree(node) == "1.23.5"
