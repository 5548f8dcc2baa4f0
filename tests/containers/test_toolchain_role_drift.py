"""The scheduled drift-correction cycle, with the toolchain role on a host with no network.

Platform teams run `--check --diff` first and then the real run. The dry run must not fail
on a new host or change anything, it must report drift inside a GOROOT, and the real run
must repair exactly that.
"""

from __future__ import annotations


import pytest

import ansible_run

pytestmark = pytest.mark.containers
VERSION = "1.22.12"
GOROOT = "/usr/local/lib/go/go%s" % VERSION


def converge(tmp_path, host, tarball, check=False, verify="fast"):
    plays = [{
        "name": "toolchain",
        "hosts": "all",
        "gather_facts": True,
        "vars": {"toolchain_version": VERSION, "toolchain_src": str(tarball["path"]),
                 "toolchain_checksum": "sha256:" + tarball["sha256"], "toolchain_verify": verify},
        "roles": [{"role": "gofleet.golang.toolchain"}],
    }]
    run = ansible_run.run_playbook(tmp_path, host, plays, check=check, diff=check)
    assert run.stats["failures"] == 0 and run.stats["unreachable"] == 0, run.proc.stdout[-4000:]
    return run


def toolchain_task(run):
    return run.results["gofleet.golang.toolchain : Install and activate the Go toolchain"]


def test_check_then_real_run_then_drift_repair(tmp_path, container_factory, debian_image, go_tarballs):
    if VERSION not in go_tarballs:
        pytest.skip("skipped: Go tarballs unavailable: no go%s" % VERSION)
    tarball = go_tarballs[VERSION]
    host = container_factory(debian_image, network="none", systemd=True)
    host.wait_systemd()

    # A new host in check mode: it says what it would do (ship the tarball, then install from
    # it) and changes nothing.
    node_copy = "/var/cache/gofleet/artifacts/" + str(tarball["path"]).rsplit("/", 1)[-1]
    ship = "copy %s to %s" % (tarball["path"], node_copy)
    dry = converge(tmp_path, host, tarball, check=True)
    assert dry.stats["changed"] > 0
    assert toolchain_task(dry)["actions"][:2] == [ship, "install go%s (missing)" % VERSION]
    assert host.exec(["test", "-e", "/usr/local/go"], check=False).returncode != 0
    assert host.exec(["test", "-e", node_copy], check=False).returncode != 0

    real = converge(tmp_path, host, tarball)
    assert toolchain_task(real)["actions"] == toolchain_task(dry)["actions"]
    assert host.exec(["/usr/local/bin/go", "version"]).stdout.startswith("go version go%s " % VERSION)
    assert converge(tmp_path, host, tarball, check=True).stats["changed"] == 0
    # The no-op needs no tarball: with the node's copy gone, nothing is shipped.
    host.exec(["rm", node_copy])
    noop = converge(tmp_path, host, tarball)
    assert noop.stats["changed"] == 0 and toolchain_task(noop)["tarball_needed"] is False
    # Every prerequisite is there: the probe finds them all and nothing is handed to the package manager.
    assert noop.results["gofleet.golang.toolchain : Install missing prerequisite packages"].get("skipped") is True
    assert host.exec(["test", "-e", node_copy], check=False).returncode != 0

    # Drift: a deleted binary and an edited source file inside the GOROOT.
    pristine = host.exec(["sha256sum", GOROOT + "/src/fmt/print.go"]).stdout.split()[0]
    host.exec("rm %s/bin/gofmt && echo '// local edit' >> %s/src/fmt/print.go" % (GOROOT, GOROOT))

    dry = converge(tmp_path, host, tarball, check=True)
    assert sorted(line.split(" (", 1)[0] for line in toolchain_task(dry)["drift"]) == [
        "content: src/fmt/print.go", "missing: bin/gofmt"]
    assert dry.stats["changed"] == 1
    assert host.exec(["test", "-e", GOROOT + "/bin/gofmt"], check=False).returncode != 0, "check mode repaired"

    assert toolchain_task(dry)["actions"] == [ship, "repair go%s (drift in 2 paths)" % VERSION]
    real = converge(tmp_path, host, tarball)
    assert toolchain_task(real)["actions"] == toolchain_task(dry)["actions"]
    assert real.stats["changed"] == 1
    assert host.exec(["sha256sum", GOROOT + "/src/fmt/print.go"]).stdout.split()[0] == pristine
    # The restored gofmt runs, and finds the restored source formatted as shipped.
    assert host.exec(["/usr/local/bin/gofmt", "-l", GOROOT + "/src/fmt/print.go"]).stdout.strip() == ""

    # Every file hashed against the receipt: nothing left to repair.
    assert converge(tmp_path, host, tarball, check=True, verify="full").stats["changed"] == 0
