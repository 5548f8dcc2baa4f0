"""The official arm64 toolchain module zip on one offline arm64 host under qemu-user (issue 12).

golang.org/toolchain@v0.0.1-go1.22.12.linux-arm64 is fetched once on the connected side
(tests/harness/goproxy.py) and put in a fleet bundle by playbooks/bundle_build.yml from a
directory laid out like a proxy's cache/download, pinned by its go.sum line. site.yml then
provisions a `--network none` arm64 container from that bundle: the bundle check (sums and the
zip's h1) on the controller, the toolchain role's per-arch pick, go_toolchain unpacking the zip.
`go version` must print the official string. One host, one converge: emulated code is 5-20x
slower (idempotence and drift repair of a zip tree are proven on amd64 in
tests/integration/test_go_toolchain_zip.py).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

# goproxy: the session fixture, found by name.
from goproxy import CACHE, goproxy, toolchain_module  # noqa: F401 pylint: disable=unused-import
from test_fleet_bundle_hosts import inventory, site  # tests/containers: the fleet layer's helpers
import bundle_fixtures

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


def test_official_arm64_zip_from_a_bundle_on_an_offline_arm64_host(tmp_path, container_factory, engine, goproxy):
    key = toolchain_module(VERSION, "arm64")
    info = goproxy([key])[key]
    if not engine.image_exists(ARM64_IMAGE):
        pytest.skip("skipped: image unavailable: %s (tests/harness/images.sh arm64 builds it)" % ARM64_IMAGE)
    go_sum = tmp_path / "toolchains.sum"
    go_sum.write_text("%s %s %s\n" % (info["Path"], info["Version"], info["Sum"]))
    bundle = tmp_path / "bundle"
    bundle_fixtures.build_from({"gofleet_bundle_dir": str(bundle), "gofleet_go_goproxy": str(CACHE / "cache" / "download"),
                                "gofleet_go_sum": str(go_sum), "gofleet_go_versions": [VERSION], "gofleet_go_arches": ["arm64"]})

    binfmt()
    host = container_factory(ARM64_IMAGE, network="none", systemd=True, arch="arm64")
    host.wait_systemd(timeout=300)
    assert host.exec(["uname", "-m"]).stdout.strip() == "aarch64"
    started = time.monotonic()
    proc, report = site(tmp_path, inventory(tmp_path / "inv.json", [host]), bundle)
    converge = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    # The role shipped the bundle's zip, as it ships a tarball, and go_toolchain unpacked it.
    shipped = "/var/cache/gofleet/artifacts/go%s.linux-arm64.zip" % VERSION
    entry = [e for e in json.loads((bundle / "MANIFEST.json").read_text())["files"] if e["kind"] == "toolchain"][0]
    assert (entry["name"], entry["format"], entry["h1"]) == ("go%s.linux-arm64.zip" % VERSION, "module_zip", info["Sum"])
    assert host.exec(["sha256sum", shipped]).stdout.split()[0] == entry["sha256"]
    assert host.exec(["/usr/local/bin/go", "version"]).stdout == "go version go%s linux/arm64\n" % VERSION
    assert host.exec(["/usr/local/go/bin/go", "env", "GOTOOLCHAIN"]).stdout.strip() == "local"
    receipt = json.loads(host.exec(["cat", "/usr/local/lib/go/.receipts/go%s.json" % VERSION]).stdout)
    assert (receipt["tarball"]["format"], receipt["tarball"]["h1"]) == ("module_zip", info["Sum"])
    assert receipt["go_version"] == "go version go%s linux/arm64" % VERSION
    print("arm64 zip from a bundle: converge %.0fs" % converge)
