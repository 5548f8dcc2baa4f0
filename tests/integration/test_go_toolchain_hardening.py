# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain against what an attacker and a full disk do to a node (issue 14, items 1, 2, 5, 6, 7).

`node`: 1.22.12 installed and active, for the whole module; each test leaves it that way.
- a GOROOT swapped for a symlink to an edited copy elsewhere, or for a dangling link: check
  mode predicts the repair, the real run replaces the link with a real tree and writes nothing outside;
- a real directory or a regular file where `link` or `bin_dir/go` belongs: check mode fails
  exactly as the real run does; a file is replaced only with force, and the diff shows it.
The full-disk tests run install_root on a tmpfs sized around one tree (real ENOSPC, no mock),
and the race test starts module processes at once on a missing install_root.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, manifest, toolchain
from ansible_collections.gofleet.golang.plugins.module_utils import toolchain_receipt
from module_runner import NodeLayout, assert_one_line_failure, finish_module, go_version, snapshot, start_module

pytestmark = pytest.mark.integration

VERSION = "1.22.12"


def assert_installed_and_active(lay, version=VERSION):
    goroot = lay.goroot(version)
    assert atomic.path_kind(goroot) == "directory"
    assert manifest.drift(goroot, lay.receipt(version)["manifest"], "full", exclude=toolchain.MANAGED_FILES) == []
    assert os.readlink(lay.link) == goroot
    assert go_version(lay.go()) == "go" + version
    assert atomic.leftover_staging_dirs(lay.root) == []


@pytest.fixture(scope="module")
def node(tmp_path_factory, tarballs, run_direct):
    lay = NodeLayout(tmp_path_factory.mktemp("hardening"), tarballs)
    first = run_direct(lay.args(VERSION))
    assert first["_rc"] == 0 and first["changed"] is True, first
    return lay


# ------------------------------------------------------------ 14.1 / 14.5: a GOROOT that is not a directory


def test_symlinked_goroot_is_drift_and_repair_never_writes_outside(node, run_module, run_direct, tmp_path):
    goroot = node.goroot(VERSION)
    outside = str(tmp_path / "copy-elsewhere")
    shutil.move(goroot, outside)
    os.symlink(outside, goroot)
    edited = os.path.join(outside, "src", "fmt", "print.go")
    with open(edited, "a") as f:
        f.write("\n// edited outside install_root\n")
    args = node.args(VERSION, verify="full")
    expected = ["repair go%s (GOROOT is a symlink, not a directory)" % VERSION]
    drift = ["type: %s (directory -> symlink to %s)" % (goroot, outside)]

    before = snapshot(node.base, outside)
    check = run_direct(args, check=True)
    assert check["changed"] is True and check["actions"] == expected and check["drift"] == drift, check
    assert snapshot(node.base, outside) == before

    real = run_module(args)
    assert real["changed"] is True and real["actions"] == expected and real["drift"] == drift
    assert snapshot(outside) == dict((k, v) for k, v in before.items() if k == outside or k.startswith(outside + os.sep))
    assert open(edited).read().endswith("// edited outside install_root\n")  # the outside file was not "repaired"
    assert_installed_and_active(node)
    assert run_direct(args)["changed"] is False


def test_dangling_symlink_goroot_check_predicts_the_recovery_the_real_run_makes(node, run_module, run_direct, tmp_path):
    goroot = node.goroot(VERSION)
    shutil.move(goroot, str(tmp_path / "gone"))
    shutil.rmtree(str(tmp_path / "gone"))
    os.symlink(str(tmp_path / "gone"), goroot)
    args = node.args(VERSION)
    expected = ["repair go%s (GOROOT is a symlink, not a directory)" % VERSION]

    check = run_direct(args, check=True)
    assert check["changed"] is True and check["actions"] == expected, check
    assert os.path.islink(goroot)
    real = run_module(args)
    assert real.get("failed") is not True, real.get("msg")
    assert real["changed"] is True and real["actions"] == expected
    assert_installed_and_active(node)
    assert not os.path.lexists(str(tmp_path / "gone"))
    assert run_direct(args)["changed"] is False


# ------------------------------------------------------------ 14.5 / 14.6: something else where a link belongs


def make_dir(path):
    os.makedirs(os.path.join(path, "bin"))


def make_wrapper(path):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n# local wrapper\nexec /opt/go/bin/go \"$@\"\n")
    os.chmod(path, 0o755)


# (id, which path, what is put there, words of the failure)
NOT_A_LINK = [
    ("link-is-a-real-directory", "link", make_dir, ["is a real directory, not a link"]),
    ("bin-go-is-a-real-directory", "bin/go", make_dir, ["is a real directory, not a link"]),
    ("link-is-a-file", "link", make_wrapper, ["is a regular file, not a link", "force: true"]),
    ("bin-go-is-a-wrapper-script", "bin/go", make_wrapper, ["is a regular file, not a link", "force: true"]),
]


@pytest.mark.parametrize("which,put,words", [c[1:] for c in NOT_A_LINK], ids=[c[0] for c in NOT_A_LINK])
def test_check_mode_fails_exactly_as_the_real_run_where_a_link_belongs(node, run_module_tasks, run_direct, which, put, words):
    path = node.link if which == "link" else os.path.join(node.bin, "go")
    saved = os.readlink(path)
    os.unlink(path)
    put(path)
    try:
        before = snapshot(node.base)
        check, real = [run_module_tasks([node.args(VERSION)], check=c)[0] for c in (True, False)]
        assert_one_line_failure(check, path, *words)
        assert_one_line_failure(real, path, *words)
        assert check["msg"] == real["msg"]
        assert snapshot(node.base) == before  # refused before anything was touched
    finally:
        atomic.remove_tree(path)
        atomic.replace_symlink(saved, path)
    assert run_direct(node.args(VERSION))["changed"] is False


def test_force_replaces_a_wrapper_script_at_bin_go_and_the_diff_shows_it(node, run_module, run_direct):
    path = os.path.join(node.bin, "go")
    os.unlink(path)
    make_wrapper(path)
    size = os.path.getsize(path)
    args = node.args(VERSION, force=True)
    action = "link %s to %s/bin/go (replacing a regular file, force)" % (path, node.link)

    check = run_module(args, check=True, diff=True)
    assert check["changed"] is True and check["actions"] == [action]
    (item,) = [d for d in check["diff"] if d["before_header"] == path]
    assert item["before"] == "(regular file, %d bytes, mode 0755)\n" % size
    assert item["after"] == os.path.join(node.link, "bin", "go") + "\n"
    assert open(path).read().startswith("#!/bin/sh")

    real = run_module(args, diff=True)
    assert real["changed"] is True and real["actions"] == [action] and real["diff"] == check["diff"]
    assert os.readlink(path) == os.path.join(node.link, "bin", "go")
    assert_installed_and_active(node)
    assert run_direct(node.args(VERSION))["changed"] is False


# ------------------------------------------------------------ 14.2: the disk fills at the receipt write


def used_bytes(path):
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def mount_tmpfs(path, size):
    opts = "size=%d,mode=0755" % size
    if os.path.ismount(path):
        cmd = ["mount", "-o", "remount," + opts, path]
    else:
        cmd = ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    return proc.returncode == 0, proc.stdout.strip()


@pytest.fixture
def tmpfs_node(tmp_path, tarballs):
    """A node whose install_root is a tmpfs (link and bin_dir outside it); resize with mount_tmpfs."""
    lay = NodeLayout(tmp_path / "diskfull", tarballs)
    os.makedirs(lay.root)
    ok, out = mount_tmpfs(lay.root, 1024 ** 3)
    if not ok:
        pytest.skip("skipped: mounting a tmpfs is not permitted here: %s" % out)
    try:
        yield lay
    finally:
        subprocess.run(["umount", lay.root], check=True)


def measure_one_install(lay, run_direct, version):
    """Install `version` on the roomy tmpfs: the bytes it takes with and without its receipt."""
    done = run_direct(lay.args(version))
    assert done["_rc"] == 0 and done["changed"] is True, done
    full = used_bytes(lay.root)
    receipt = os.path.getsize(toolchain.receipt_path(lay.root, version))
    assert receipt > 256 * 1024  # every file's sha256: far more than rounding and the lock file
    return full, receipt


def page(n):
    return n // 4096 * 4096


def test_enospc_at_the_receipt_write_leaves_no_orphan_and_the_rerun_succeeds(tmpfs_node, run_direct, run_module):
    lay, version = tmpfs_node, "1.23.5"
    full, receipt = measure_one_install(lay, run_direct, version)
    gone = run_direct({"version": version, "state": "absent", "force": True, "install_root": lay.root,
                       "link": lay.link, "bin_dir": lay.bin})
    assert gone["_rc"] == 0 and used_bytes(lay.root) < 64 * 1024
    # Room for the tree and go.env, not for the receipt: the write fails half-way with ENOSPC.
    assert mount_tmpfs(lay.root, page(full - receipt // 2))[0]

    failed = run_module(lay.args(version))
    assert_one_line_failure(failed, "go%s" % version, "No space left on device")
    assert not os.path.lexists(lay.goroot(version))  # the rename was undone
    assert sorted(os.listdir(lay.root)) == [".gofleet.lock", ".receipts"]
    assert os.listdir(os.path.join(lay.root, toolchain_receipt.RECEIPT_DIR)) == []  # no torn or temporary receipt
    assert used_bytes(lay.root) < 64 * 1024
    assert not os.path.lexists(lay.link)

    # Space freed for one more tree and its receipt, not for two trees.
    assert mount_tmpfs(lay.root, page(full + 16 * 1024 * 1024))[0]
    again = run_module(lay.args(version))
    assert again.get("failed") is not True, again.get("msg")
    assert again["actions"][0] == "install go%s (missing)" % version
    assert_installed_and_active(lay, version)
    assert run_direct(lay.args(version))["changed"] is False


def test_unreceipted_inactive_tree_from_a_killed_run_does_not_wedge_a_nearly_full_disk(tmpfs_node, run_direct, run_module):
    lay, version = tmpfs_node, "1.23.5"
    full, _receipt = measure_one_install(lay, run_direct, version)
    # What a run killed between the rename and the receipt leaves: the tree, no receipt, the link not yet moved.
    os.unlink(toolchain.receipt_path(lay.root, version))
    os.unlink(lay.link)
    assert mount_tmpfs(lay.root, page(full + 16 * 1024 * 1024))[0]  # one tree fits, two do not

    check = run_direct(lay.args(version), check=True)
    assert check["actions"][0] == "install go%s (unfinished)" % version
    real = run_module(lay.args(version))
    assert real.get("failed") is not True, real.get("msg")
    assert real["actions"] == check["actions"]
    assert_installed_and_active(lay, version)
    assert run_direct(lay.args(version))["changed"] is False


def test_leftover_receipt_temp_file_of_a_killed_write_is_removed(node, run_direct):
    temp = os.path.join(node.root, toolchain_receipt.RECEIPT_DIR, ".go%s.json.x8k2_q0z" % VERSION)
    with open(temp, "w") as f:
        f.write('{"schema": 1, "vers')
    check = run_direct(node.args(VERSION), check=True)
    assert check["actions"] == ["clean 1 leftover receipt temp file"] and os.path.exists(temp)
    real = run_direct(node.args(VERSION))
    assert real["actions"] == check["actions"] and not os.path.lexists(temp)
    assert run_direct(node.args(VERSION))["changed"] is False


# ------------------------------------------------------------ 14.7: runs starting at once on a fresh root


def test_runs_starting_at_once_on_a_missing_install_root_all_succeed(tmp_path):
    failures = []
    for attempt in range(10):
        base = tmp_path / ("fresh%d" % attempt)
        base.mkdir()
        args = {"version": VERSION, "state": "absent", "install_root": str(base / "usr" / "local" / "lib" / "go"),
                "link": str(base / "go"), "bin_dir": str(base / "bin")}
        procs = [start_module("gofleet.golang.go_toolchain", args, str(base)) for _i in range(4)]
        for result in [finish_module(p) for p in procs]:
            if result["_rc"] != 0 or result.get("failed"):
                failures.append(result.get("msg") or result["_output"][-300:])
        assert os.path.isdir(args["install_root"])
    assert failures == []
