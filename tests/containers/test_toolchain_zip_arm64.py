"""The official arm64 toolchain module zip on one offline arm64 host under qemu-user (issue 12).

golang.org/toolchain@v0.0.1-go1.22.12.linux-arm64 is fetched once on the connected side
(tests/harness/goproxy.py), copied to a `--network none` arm64 container and installed by
go_toolchain, pinned by its go.sum line: `go version` must print the official string and the
receipt record the zip. One host, one install, no second run: emulated code is 5-20x slower,
and a whole site.yml converge from a zip bundle took 1011 s here under load (2026-12-08).
Idempotence, drift repair and the role's install from a zip bundle are proven natively
(tests/integration/test_go_toolchain_zip.py, tests/containers/test_toolchain_zip_bundle.py).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

import ansible_run
# goproxy: the session fixture, found by name.
from goproxy import goproxy, toolchain_module  # noqa: F401 pylint: disable=unused-import

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.containers
VERSION = "1.22.12"
ARM64_IMAGE = "localhost/gofleet/debian-systemd-arm64:12"


def binfmt():
    """Re-enable qemu-aarch64 right before arm64 work (a systemd container may have wiped it)."""
    proc = subprocess.run(["bash", str(ROOT / "tests" / "harness" / "binfmt.sh")], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        pytest.skip("skipped: arm64 emulation unavailable: %s" % (proc.stdout + proc.stderr).strip()[-300:])


def test_official_arm64_zip_on_an_offline_arm64_host(tmp_path, container_factory, engine, goproxy):
    key = toolchain_module(VERSION, "arm64")
    info = goproxy([key])[key]
    if not engine.image_exists(ARM64_IMAGE):
        pytest.skip("skipped: image unavailable: %s (tests/harness/images.sh arm64 builds it)" % ARM64_IMAGE)
    binfmt()
    host = container_factory(ARM64_IMAGE, network="none", arch="arm64", command=["sleep", "infinity"])
    assert host.exec(["uname", "-m"]).stdout.strip() == "aarch64"
    src = "/var/cache/gofleet/%s.zip" % info["Version"]
    host.exec(["mkdir", "-p", "/var/cache/gofleet"])
    host.copy_in(info["Zip"], src)
    task = {"name": "Install the official toolchain zip", "gofleet.golang.go_toolchain": {
        "version": VERSION, "src": src, "checksum": "%s %s %s" % (info["Path"], info["Version"], info["Sum"])}}
    plays = [{"name": "arm64 zip", "hosts": "all", "gather_facts": False, "tasks": [task]}]
    started = time.monotonic()
    played = ansible_run.run_playbook(tmp_path, host, plays, name="install")
    install = time.monotonic() - started
    result = played.results["Install the official toolchain zip"]
    assert played.proc.returncode == 0 and result["changed"] is True, played.proc.stdout[-3000:]
    assert (result["artifact_format"], result["artifact_h1"]) == ("module_zip", info["Sum"])
    assert host.exec(["/usr/local/bin/go", "version"]).stdout == "go version go%s linux/arm64\n" % VERSION
    assert host.exec(["/usr/local/go/bin/go", "env", "GOTOOLCHAIN"]).stdout.strip() == "local"
    receipt = json.loads(host.exec(["cat", "/usr/local/lib/go/.receipts/go%s.json" % VERSION]).stdout)
    assert (receipt["tarball"]["format"], receipt["tarball"]["h1"]) == ("module_zip", info["Sum"])
    assert receipt["go_version"] == "go version go%s linux/arm64" % VERSION and receipt["arch"] == "arm64"
    print("arm64 zip: install %.0fs" % install)
