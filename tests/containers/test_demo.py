"""`make demo` on an engine other people use too (issue 13, item 17).

The demo names its containers per user (or -e demo_prefix), labels them, refuses to replace a
container it did not make, and keeps its containers when asked with DEMO_KEEP=1 (which the
Makefile's demo target passes on).
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.containers
RUN_SH = ROOT / "playbooks" / "demo" / "run.sh"


def demo(prefix, keep=False):
    env = dict(os.environ, ANSIBLE_NOCOLOR="1")
    env.pop("DEMO_KEEP", None)
    if keep:
        env["DEMO_KEEP"] = "1"
    return subprocess.run(["bash", str(RUN_SH), "-e", "demo_prefix=%s" % prefix], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=1200, check=False)


def inspect(engine, name):
    proc = engine.cli("inspect", name, check=False)
    return json.loads(proc.stdout)[0] if proc.returncode == 0 else None


@pytest.fixture
def prefix(engine):
    name = "gofleet-demotest-%s" % uuid.uuid4().hex[:8]
    yield name
    for suffix in ("-1", "-2"):
        engine.cli("rm", "-f", "-t", "0", name + suffix, check=False)


def test_make_demo_passes_demo_keep():
    proc = subprocess.run(["make", "-n", "demo", "DEMO_KEEP=1"], cwd=str(ROOT), capture_output=True, text=True, check=False)
    line = [x for x in proc.stdout.splitlines() if "playbooks/demo/run.sh" in x]
    assert line and "DEMO_KEEP='1'" in line[0], proc.stdout[-2000:]


def test_demo_refuses_a_container_it_did_not_make(engine, debian_image, prefix):
    # Someone else's container under the name the demo would take.
    engine.cli("run", "-d", "--name", prefix + "-1", "--network", "none", debian_image, "sleep", "600")
    before = inspect(engine, prefix + "-1")["Id"]
    proc = demo(prefix)
    assert proc.returncode != 0
    assert "container %s-1 exists and was not made by this demo" % prefix in proc.stdout, proc.stdout[-3000:]
    after = inspect(engine, prefix + "-1")
    assert after is not None and after["Id"] == before and after["State"]["Running"], "the demo replaced it"
    assert inspect(engine, prefix + "-2") is None


def test_demo_keep_then_rerun_replaces_only_its_own(engine, debian_image, go_tarballs, prefix):
    proc = demo(prefix, keep=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "hello from %s-1" % prefix in proc.stdout and "hello from %s-2" % prefix in proc.stdout
    kept = [inspect(engine, prefix + s) for s in ("-1", "-2")]
    assert all(k is not None and k["State"]["Running"] for k in kept), "DEMO_KEEP=1 did not keep them"
    assert kept[0]["Config"]["Labels"]["gofleet.demo"] == "true"

    # Its own containers are recreated, then removed at the end.
    proc = demo(prefix)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert inspect(engine, prefix + "-1") is None and inspect(engine, prefix + "-2") is None
