"""`make demo`: the whole mission (issue 11, item 5), and its manners on a shared engine (issue 13, item 17).

The mission run (playbooks/demo/run.sh, as `make demo` starts it) is asserted on what it leaves:
- the fleet bundle is built with a module mirror and verified by the `bundle` action;
- every build host builds the app whose dependency only the mirror serves, and prints its output
  (`hello from linux/<arch>: lib v1.1.0 ...`); the service host's `systemd-analyze security` score is printed;
- the drift reports (JSON read here): the check run lists exactly the three planted items on the right
  hosts (an edited stdlib file on the build host, the removed hardening line and the stopped service on
  the service host), the real run repaired them, and a third check run reports no drift;
- the hosts and their network are gone at the end (no DEMO_KEEP).
It runs with DEMO_ARM64=0 in `make test` (the arm64 host costs minutes under qemu-user; site.yml on an
arm64 host is covered by test_fleet_bundle_hosts.py::test_mixed_architecture_fleet_from_one_bundle);
GOFLEET_DEMO_ARM64=1 runs it with the arm64 build host and asserts its `linux/arm64` output too.

The demo names its containers per user (or -e demo_prefix), labels them, refuses to replace a
container it did not make, and keeps them when asked with DEMO_KEEP=1 (which the Makefile passes on).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.containers
RUN_SH = ROOT / "playbooks" / "demo" / "run.sh"
ROLES = ("mirror", "build", "service", "arm64")


def demo(prefix, work, keep=False, arm64=False):
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", DEMO_WORK=str(work), DEMO_ARM64="1" if arm64 else "0")
    env.pop("DEMO_KEEP", None)
    if keep:
        env["DEMO_KEEP"] = "1"
    return subprocess.run(["bash", str(RUN_SH), "-e", "demo_prefix=%s" % prefix], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=2400, check=False)


def inspect(engine, name):
    proc = engine.cli("inspect", name, check=False)
    return json.loads(proc.stdout)[0] if proc.returncode == 0 else None


@pytest.fixture
def prefix(engine):
    name = "gofleet-demotest-%s" % uuid.uuid4().hex[:8]
    yield name
    for role in ROLES:
        engine.cli("rm", "-f", "-t", "0", "%s-%s" % (name, role), check=False)
    engine.cli("network", "rm", "-f", name + "-net", check=False)


def test_make_demo_passes_demo_keep_and_demo_arm64():
    proc = subprocess.run(["make", "-n", "demo", "DEMO_KEEP=1", "DEMO_ARM64=0"], cwd=str(ROOT), capture_output=True,
                          text=True, check=False)
    line = [x for x in proc.stdout.splitlines() if "playbooks/demo/run.sh" in x]
    assert line and "DEMO_KEEP='1'" in line[0] and "DEMO_ARM64='0'" in line[0], proc.stdout[-2000:]


def test_demo_refuses_a_container_it_did_not_make(engine, debian_image, go_tarballs, prefix, tmp_path):
    # Someone else's container under the name the demo would take.
    engine.cli("run", "-d", "--name", prefix + "-mirror", "--network", "none", debian_image, "sleep", "600")
    before = inspect(engine, prefix + "-mirror")["Id"]
    proc = demo(prefix, tmp_path)
    assert proc.returncode != 0
    assert "container %s-mirror exists and was not made by this demo" % prefix in proc.stdout, proc.stdout[-3000:]
    after = inspect(engine, prefix + "-mirror")
    assert after is not None and after["Id"] == before and after["State"]["Running"], "the demo replaced it"
    for role in ("build", "service"):
        assert inspect(engine, "%s-%s" % (prefix, role)) is None


def report_dirs(stdout):
    """{check, real, after: report directory} from the demo's `demo: report (<label>): <html> <json> <md>` lines."""
    found = {}
    for label, html, js, md in re.findall(r"^demo: report \((\w+)\): (\S+)  (\S+)  (\S+)$", stdout, re.M):
        assert html.endswith("drift-report.html") and md.endswith("drift-report.md")
        found[label] = Path(js).parent
    return found


def drift(report, host):
    return [(r["module"], r["outcome"], i["aspect"], i["item"], i["expected"], i["found"])
            for r in report["hosts"].get(host, {}).get("results", []) for i in r.get("drift_items") or []]


def test_demo_whole_mission(engine, debian_image, go_tarballs, prefix, tmp_path, record_property):
    arm64 = os.environ.get("GOFLEET_DEMO_ARM64") == "1"
    started = time.monotonic()
    proc = demo(prefix, tmp_path, arm64=arm64)
    wall = time.monotonic() - started
    record_property("demo_wall_s", round(wall))
    print("\n%s\ndemo wall time (arm64 %s): %.0fs" % (proc.stdout[-6000:], "on" if arm64 else "off", wall))
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    out = proc.stdout
    build, service = prefix + "-build", prefix + "-service"

    # the bundle, with its module mirror, checked by the `bundle` action
    assert re.search(r"^demo: bundle verified: .*Go 1\.22\.12 for amd64.*mirror/gomirror\.tar\.gz", out, re.M), out
    # every build host built the app through the mirror alone (GOPROXY=<mirror>,off), then ran it
    hosts = [(build, "amd64")] + ([(prefix + "-arm64", "arm64")] if arm64 else [])
    for host, arch in hosts:
        assert "demo: %s: GOPROXY=http://%s-mirror:8080,off GOFLAGS=-mod=readonly" % (host, prefix) in out, out
        assert "demo: %s: hello from linux/%s: lib v1.1.0 with dep v1.0.0" % (host, arch) in out, out
    if not arm64:
        assert "arm64: left out (DEMO_ARM64=0)" in out
    assert "demo: %s: said: hello from linux/amd64: lib v1.1.0 with dep v1.0.0" % service in out, out
    score = re.search(r"^demo: systemd-analyze security score: Overall exposure level for demo-app\.service: "
                      r"(\d+\.\d+) \w+", out, re.M)
    assert score and float(score.group(1)) <= 2.0, out

    reports = report_dirs(out)
    assert sorted(reports) == ["after", "check", "real"], out
    check, real, after = (json.loads((reports[k] / "drift-report.json").read_text()) for k in ("check", "real", "after"))
    assert (check["mode"], real["mode"], after["mode"]) == ("check", "real", "check")

    unit = "/etc/systemd/system/demo-app.service"
    found = {build: drift(check, build), service: drift(check, service)}
    assert [d[:4] for d in found[build]] == [("go_toolchain", "would_repair", "content", "src/fmt/print.go")], found
    assert [d[:4] for d in found[service]] == [("go_service", "would_repair", "unit", unit),
                                               ("go_service", "would_repair", "state", "demo-app.service")], found
    assert "NoNewPrivileges=yes" in found[service][0][4] and found[service][1][5].startswith("inactive")
    assert check["summary"]["drift_items"] == 3 and check["summary"]["hosts_with_drift"] == 2, check["summary"]
    others = [h for h in check["hosts"] if h not in (build, service)]
    assert all(drift(check, h) == [] for h in others), others

    # the real run repaired exactly those, and a check run after it finds nothing
    for host in (build, service):
        repaired = drift(real, host)
        assert [d[2:] for d in repaired] == [d[2:] for d in found[host]], repaired
        assert all(d[1] == "repaired" for d in repaired), repaired
    assert real["summary"]["items_repaired"] == 3 and real["summary"]["failures"] == 0, real["summary"]
    assert after["summary"]["drift_items"] == 0 and after["summary"]["changed"] == 0, after["summary"]
    table = re.search(r"^demo:\s+%s\s+(\d+)\s+(\d+)\s+(\d+)$" % re.escape(service), out, re.M)
    assert table and table.groups() == ("2", "2", "0"), out

    # cleaned up: no DEMO_KEEP
    assert "removed the demo hosts" in out
    for role in ROLES:
        assert inspect(engine, "%s-%s" % (prefix, role)) is None, role
    assert engine.cli("network", "exists", prefix + "-net", check=False).returncode != 0
