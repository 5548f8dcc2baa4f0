"""Every Molecule scenario under molecule/, run where its images can be had.

A scenario whose image cannot be pulled (Rocky, openEuler and Void here) is reported as
skipped with that reason: it is written for real images and never counted as passed.

Each run prints (and records in the JUnit XML) how long every Molecule action took and the
`gofleet-score:` lines its verify tests print (systemd version and exposure per host).
"""

import os
import re
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest_fixtures import FLAVOURS  # tests/harness: the images images.sh builds

ROOT = Path(__file__).resolve().parents[2]

SCENARIOS = sorted(p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml"))
LOCAL_FLAVOURS = {ref: flavour for flavour, ref in FLAVOURS.items()}
# molecule announces each action: "INFO     [debian > converge] Executing" (25.x),
# "INFO     Running debian > converge" (older)
ACTION_RE = re.compile(r"(?:\[\S+ > (\S+)\] Executing\s*$|Running \S+ > (\S+))")


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


def run_timed(argv, env):
    """(returncode, output, [(action, seconds)]) of a molecule run, timing each action it announces."""
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, timings, current, started = [], [], None, time.monotonic()
    for line in proc.stdout:
        lines.append(line)
        m = ACTION_RE.search(line)
        if m:
            now = time.monotonic()
            if current:
                timings.append((current, now - started))
            current, started = m.group(1) or m.group(2), now
    proc.wait()
    if current:
        timings.append((current, time.monotonic() - started))
    return proc.returncode, "".join(lines), timings


@pytest.mark.molecule
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario, engine, record_property):
    for image in scenario_images(scenario):
        if not ensure(engine, image):
            pytest.skip("skipped: image unavailable: %s" % image)
    env = dict(os.environ, PATH="%s:%s" % (ROOT / ".venv" / "bin", os.environ.get("PATH", "")),
               ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build"), PY_COLORS="0", ANSIBLE_FORCE_COLOR="0")
    rc, output, timings = run_timed([str(ROOT / ".venv/bin/molecule"), "test", "-s", scenario], env)
    log = ROOT / ".cache" / ("molecule-%s.log" % scenario)
    log.parent.mkdir(exist_ok=True)
    log.write_text(output)
    summary = ", ".join("%s %.0fs" % t for t in timings)
    scores = sorted(set(m.group(0) for m in re.finditer(r"gofleet-score: [^\n]*", output)))
    record_property("molecule_timings", summary)
    for score in scores:
        record_property("score", score)
    print("\nmolecule %s: %s%s" % (scenario, summary, "".join("\n  " + s for s in scores)))
    assert rc == 0, "molecule test -s %s failed (full log %s):\n%s" % (scenario, log, output[-8000:])
