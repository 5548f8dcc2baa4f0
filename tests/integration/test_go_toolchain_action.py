# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain's action plugin with controller_src: the tarball goes to the node only when needed.

A no-op ships nothing (the node's copy of the tarball can even be gone); a missing or drifted
tree gets the tarball and is repaired from it; check mode names the copy and then exactly the
actions the real run takes, changing nothing; a tarball that does not match its sum is refused
in one line after the copy, before anything is repaired. Played through ansible-playbook
(connection local), since the action plugin only runs there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

import pytest

from module_runner import NodeLayout, assert_one_line_failure, go_version

pytestmark = pytest.mark.integration

VERSION = "1.22.12"


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _damage(goroot):
    os.unlink(os.path.join(goroot, "bin", "gofmt"))
    with open(os.path.join(goroot, "src", "fmt", "print.go"), "a") as f:
        f.write("// local edit\n")


def test_tarball_shipped_only_when_needed(tmp_path, tarballs, run_module):
    lay = NodeLayout(tmp_path / "node", tarballs)
    tarball = tarballs[VERSION]
    node_src = str(tmp_path / "node" / "artifacts" / tarball.name)
    args = lay.args(VERSION, src=node_src, controller_src=tarball.path)
    ship = "copy %s to %s" % (tarball.path, node_src)
    goroot = lay.goroot(VERSION)

    # A new node, dry run: the copy, then what the real run does with it; nothing written.
    dry = run_module(args, check=True, diff=True)
    assert dry["changed"] is True and dry["tarball_needed"] is True, dry
    assert dry["actions"][:2] == [ship, "install go%s (missing)" % VERSION], dry["actions"]
    assert dry["diff"][0]["after"] == ship + "\n"
    assert not os.path.lexists(node_src) and not os.path.lexists(goroot)

    real = run_module(args)
    assert real["changed"] is True and real["tarball_needed"] is True, real
    assert real["actions"] == dry["actions"]
    assert _sha256(node_src) == tarball.sha256 and oct(os.stat(node_src).st_mode & 0o777) == "0o644"
    assert go_version(lay.go()) == "go" + VERSION

    # The no-op needs no tarball: even with the node's copy gone, nothing is shipped.
    os.unlink(node_src)
    noop = run_module(args, check=True, diff=True)
    assert noop["changed"] is False and noop["tarball_needed"] is False and noop["actions"] == [], noop
    noop = run_module(args)
    assert noop["changed"] is False and noop["tarball_needed"] is False and noop["verify"] == "fast", noop
    assert not os.path.lexists(node_src)

    # Drift with no tarball on the node: the dry run predicts the copy and the repair exactly.
    pristine = _sha256(os.path.join(goroot, "src", "fmt", "print.go"))
    _damage(goroot)
    dry = run_module(args, check=True, diff=True)
    assert dry["changed"] is True and dry["tarball_needed"] is True
    assert dry["actions"] == [ship, "repair go%s (drift in 2 paths)" % VERSION], dry["actions"]
    assert sorted(line.split(" (", 1)[0] for line in dry["drift"]) == ["content: src/fmt/print.go", "missing: bin/gofmt"]
    assert not os.path.lexists(node_src) and not os.path.lexists(os.path.join(goroot, "bin", "gofmt"))
    real = run_module(args)
    assert real["actions"] == dry["actions"] and real["drift"] == dry["drift"]
    assert os.path.isfile(os.path.join(goroot, "bin", "gofmt"))
    assert _sha256(os.path.join(goroot, "src", "fmt", "print.go")) == pristine
    assert run_module(args)["changed"] is False

    # Drift with a good tarball already on the node: repaired from it, nothing shipped.
    _damage(goroot)
    real = run_module(args)
    assert real["actions"] == ["repair go%s (drift in 2 paths)" % VERSION] and real["tarball_needed"] is False, real
    assert _sha256(os.path.join(goroot, "src", "fmt", "print.go")) == pristine

    # A tampered tarball on the controller: copied, refused by the node in one line, nothing repaired.
    tampered = tmp_path / "tampered" / tarball.name
    tampered.parent.mkdir()
    with open(tarball.path, "rb") as f:
        tampered.write_bytes(f.read(4 << 20))
    os.unlink(node_src)
    _damage(goroot)
    failed = run_module(dict(args, controller_src=str(tampered)))
    msg = assert_one_line_failure(failed, "checksum mismatch", node_src, "controller_src %s" % tampered)
    assert "expected sha256:%s" % tarball.sha256 in msg
    assert not os.path.lexists(os.path.join(goroot, "bin", "gofmt"))
    # The good tarball repairs it on the next run (the stale copy on the node is replaced).
    real = run_module(args)
    assert real["actions"] == [ship, "repair go%s (drift in 2 paths)" % VERSION], real["actions"]
    assert _sha256(node_src) == tarball.sha256


def test_controller_src_needs_src(tmp_path, tarballs, run_module):
    lay = NodeLayout(tmp_path / "node", tarballs)
    failed = run_module(lay.args(VERSION, src=Ellipsis, controller_src=tarballs[VERSION].path))
    assert_one_line_failure(failed, "controller_src", "needs src")
    missing = run_module(lay.args(VERSION, src=str(tmp_path / "t.tar.gz"), controller_src=str(tmp_path / "absent.tar.gz")))
    assert_one_line_failure(missing, "controller_src %s" % (tmp_path / "absent.tar.gz"))
