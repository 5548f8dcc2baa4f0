# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make bench BENCH_QUICK=1` works: bench/run.py prints its four tables, each row with figures and ratios,
and the machine's load beside them. What the figures are is never asserted (speed lives in bench/)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import subprocess
import sys

import pytest

import engine as harness  # tests/harness/engine.py

pytestmark = [pytest.mark.integration, pytest.mark.containers]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
RATIO = re.compile(r"^\d+\.\d\dx$")
TABLES = ("1. role level", "2. fleet scale", "3. growth with the work", "4. the floor")


def tables(out):
    """{title prefix: (header cells, [row cells])} of every `== N. ...` table printed."""
    found = {}
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("== "):
            title = line[3:]
            header = lines[i + 1].split()
            rows = []
            for row in lines[i + 3:]:
                if not row.strip() or row.startswith("  "):
                    break
                rows.append(row.split())
            found[title] = (header, rows)
    return found


@pytest.fixture(scope="module")
def quick_run():
    try:
        harness.Engine.detect()
    except (harness.EngineUnavailable, subprocess.TimeoutExpired) as why:
        pytest.skip("skipped: container engine unavailable: %s" % why)
    artifacts = os.environ.get("GOFLEET_ARTIFACTS") or os.path.join(ROOT, ".cache", "artifacts")
    if not os.path.isfile(os.path.join(artifacts, "SHA256SUMS")):
        pytest.skip("skipped: Go tarballs unavailable: no %s/SHA256SUMS (make tarballs)" % artifacts)
    env = dict(os.environ, BENCH_QUICK="1")
    for key in ("BENCH_RUNS", "BENCH_FLEET", "BENCH_MIRRORS", "BENCH_CACHES", "BENCH_FLOOR_RUNS",
                "BENCH_CONNECTIONS", "BENCH_TABLES"):
        env.pop(key, None)
    # The smallest run that still prints every table: one connection (ssh, the one no other test
    # drives), one and two fleet hosts, the smallest trees. The full quick run is `make bench BENCH_QUICK=1`.
    env.update(BENCH_CONNECTIONS="ssh", BENCH_MIRRORS="10", BENCH_CACHES="100")
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "run.py")], env=env, capture_output=True,
                          text=True, timeout=3600, check=False)
    return proc


def test_quick_bench_prints_four_tables_with_figures_ratios_and_load(quick_run):
    out = quick_run.stdout
    assert quick_run.returncode == 0, out[-4000:] + quick_run.stderr[-4000:]
    assert "FAILED" not in out, out
    assert re.search(r"load \d+\.\d\d \d+\.\d\d \d+\.\d\d / nproc \d+", out), out
    found = tables(out)
    for prefix in TABLES:
        titles = [t for t in found if t.startswith(prefix)]
        assert len(titles) == 1, (prefix, sorted(found))
        title = titles[0]
        assert "nproc" in title, title  # the load the figures were taken under
        header, rows = found[title]
        assert header[-1] == "load1" and rows, (title, header, rows)
        for row in rows:
            assert NUMBER.match(row[-1]), (title, row)  # each row's own load
            assert any(RATIO.match(c) for c in row) or prefix.startswith("3."), (title, row)
            assert sum(1 for c in row if NUMBER.match(c)) >= 3, (title, row)
    for conn in ("ssh",):
        for scenario in ("converge", "no-op", "check+diff", "drift check"):
            assert re.search(r"^%s +%s +\d" % (conn, re.escape(scenario)), out, re.M), (conn, scenario, out)
    fleet = found[[t for t in found if t.startswith(TABLES[1])][0]][1]
    assert [r[0] for r in fleet] == ["1", "2"], fleet
    growth = found[[t for t in found if t.startswith(TABLES[2])][0]][1]
    assert any(r[0] == "go_offline_mirror" for r in growth) and any(r[0] == "selinux_gocache" for r in growth), growth
    assert "bench wall time:" in out
