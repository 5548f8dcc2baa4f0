"""Every Molecule scenario under molecule/, run where its images can be had.

A scenario whose image cannot be pulled (Rocky, openEuler and Void here) is reported as
skipped with that reason: it is written for real images and never counted as passed.
"""

import os
import subprocess
from pathlib import Path

import pytest
import yaml

import engine as harness

ROOT = Path(__file__).resolve().parents[2]

SCENARIOS = sorted(p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml"))
LOCAL_FLAVOURS = {harness.BASE_IMAGE: "base", harness.SELINUX_IMAGE: "selinux", harness.RUNIT_IMAGE: "runit"}


def scenario_images(name):
    config = yaml.safe_load((ROOT / "molecule" / name / "molecule.yml").read_text())
    return [p["image"] for p in config.get("platforms", [])]


def ensure(engine, image):
    if engine.image_exists(image):
        return True
    if image in LOCAL_FLAVOURS:
        subprocess.run(["bash", str(ROOT / "tests/harness/images.sh"), LOCAL_FLAVOURS[image]], check=False)
        return engine.image_exists(image)
    return engine.image_available(image)


@pytest.mark.molecule
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario, engine):
    for image in scenario_images(scenario):
        if not ensure(engine, image):
            pytest.skip("skipped: image unavailable: %s" % image)
    env = dict(os.environ, PATH="%s:%s" % (ROOT / ".venv" / "bin", os.environ.get("PATH", "")),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build"), PY_COLORS="0", ANSIBLE_FORCE_COLOR="0")
    proc = subprocess.run([str(ROOT / ".venv/bin/molecule"), "test", "-s", scenario],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    log = ROOT / ".cache" / ("molecule-%s.log" % scenario)
    log.parent.mkdir(exist_ok=True)
    log.write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, "molecule test -s %s failed (full log %s):\n%s" % (
        scenario, log, (proc.stdout + proc.stderr)[-8000:])
