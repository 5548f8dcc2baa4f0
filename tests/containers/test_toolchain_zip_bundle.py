"""A fleet bundle of official toolchain module zips provisions an offline host through site.yml (issue 12).

golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64 (tests/harness/goproxy.py, fetched once on the
connected side) goes into a bundle built by playbooks/bundle_build.yml from a directory laid out
like a proxy's cache/download, pinned by its go.sum line. site.yml then provisions a
`--network none` host: the bundle check on the controller (sums and the zip's h1), the toolchain
role's per-arch pick and shipping, exactly as for a tarball, and go_toolchain unpacking the zip.
`go version` prints the official string; a second run changes nothing.
"""

from __future__ import annotations

import json
import time

import pytest

import bundle_fixtures
# goproxy: the session fixture, found by name.
from goproxy import CACHE, goproxy, toolchain_module  # noqa: F401 pylint: disable=unused-import
from test_fleet_bundle_hosts import inventory, site  # tests/containers: the fleet layer's helpers

pytestmark = pytest.mark.containers
VERSION = "1.22.12"


def zip_bundle(tmp_path, info, arch):
    """A fleet bundle holding go<VERSION>.linux-<arch>.zip, pinned by its go.sum line."""
    go_sum = tmp_path / "toolchains.sum"
    go_sum.write_text("%s %s %s\n" % (info["Path"], info["Version"], info["Sum"]))
    bundle = tmp_path / "bundle"
    bundle_fixtures.build_from({"gofleet_bundle_dir": str(bundle), "gofleet_go_goproxy": str(CACHE / "cache" / "download"),
                                "gofleet_go_sum": str(go_sum), "gofleet_go_versions": [VERSION], "gofleet_go_arches": [arch]})
    entry = [e for e in json.loads((bundle / "MANIFEST.json").read_text())["files"] if e["kind"] == "toolchain"][0]
    assert (entry["name"], entry["format"], entry["h1"]) == ("go%s.linux-%s.zip" % (VERSION, arch), "module_zip", info["Sum"])
    return bundle, entry


def test_a_zip_bundle_provisions_an_offline_host_as_a_tarball_bundle_does(tmp_path, container_factory, debian_image, goproxy):
    key = toolchain_module(VERSION, "amd64")
    info = goproxy([key])[key]
    bundle, entry = zip_bundle(tmp_path, info, "amd64")
    host = container_factory(debian_image, network="none", systemd=True)
    host.wait_systemd()
    inv = inventory(tmp_path / "inv.json", [host])
    started = time.monotonic()
    proc, _report = site(tmp_path, inv, bundle)
    converge = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    shipped = "/var/cache/gofleet/artifacts/%s" % entry["name"]
    assert host.exec(["sha256sum", shipped]).stdout.split()[0] == entry["sha256"]
    assert host.exec(["/usr/local/bin/go", "version"]).stdout == "go version go%s linux/amd64\n" % VERSION
    assert host.exec(["go", "env", "GOTOOLCHAIN"], login=True).stdout.strip() == "local"
    receipt = json.loads(host.exec(["cat", "/usr/local/lib/go/.receipts/go%s.json" % VERSION]).stdout)
    assert (receipt["tarball"]["format"], receipt["tarball"]["h1"]) == ("module_zip", info["Sum"])
    assert receipt["tarball"]["sha256"] == entry["sha256"]
    started = time.monotonic()
    proc, report = site(tmp_path, inv, bundle)
    noop = time.monotonic() - started
    assert proc.returncode == 0 and report["stats"][host.name]["changed"] == 0, report["stats"]
    print("zip bundle on amd64: converge %.0fs, no-op %.0fs" % (converge, noop))
