# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shipped scheduling examples (playbooks/schedule/): systemd units that systemd-analyze
accepts, a cron line cron can read, and a cycle that runs check then real and keeps both reports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import subprocess

import pytest

from module_runner import ROOT

SCHEDULE = os.path.join(ROOT, "playbooks", "schedule")
INSTALLED = "/var/lib/gofleet/ansible_collections/gofleet/golang"


def test_units_verify(tmp_path):
    """systemd-analyze verify on the units, paths pointed at this checkout (it checks ExecStart exists)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("skipped: systemd-analyze not installed")
    for name in ("gofleet-drift.service", "gofleet-drift.timer"):
        text = open(os.path.join(SCHEDULE, name)).read().replace(INSTALLED, ROOT)
        (tmp_path / name).write_text(text)
    proc = subprocess.run([analyze, "verify", str(tmp_path / "gofleet-drift.timer"), str(tmp_path / "gofleet-drift.service")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60, check=False)
    # A unit that names a missing user is still valid (systemd resolves it at start); anything else fails.
    problems = [line for line in proc.stdout.splitlines()
                if line.strip() and "gofleet" in line and "User" not in line and "EnvironmentFile" not in line]
    assert proc.returncode == 0 and not problems, proc.stdout
    # A broken unit must make this test fail: the check really reads the file.
    (tmp_path / "broken.service").write_text("[Service]\nExecStart=relative/path\n")
    bad = subprocess.run([analyze, "verify", str(tmp_path / "broken.service")], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, universal_newlines=True, timeout=60, check=False)
    assert bad.returncode != 0, bad.stdout


def test_service_runs_the_cycle_and_keeps_reports():
    service = open(os.path.join(SCHEDULE, "gofleet-drift.service")).read()
    exec_start = re.search(r"^ExecStart=(\S+)", service, re.M).group(1)
    assert exec_start == INSTALLED + "/playbooks/schedule/drift_cycle.sh"
    assert "EnvironmentFile=/etc/gofleet/drift.env" in service and "StateDirectory=gofleet" in service
    env = open(os.path.join(SCHEDULE, "drift.env.example")).read()
    assert "GOFLEET_DRIFT_REPORT_DIR=/var/lib/gofleet/drift-reports" in env
    assert "ANSIBLE_DISPLAY_ARGS_TO_STDOUT=False" in env and "ANSIBLE_VERBOSITY=0" in env


def test_cron_line_parses():
    lines = [line for line in open(os.path.join(SCHEDULE, "gofleet-drift.cron")).read().splitlines()
             if line and not line.startswith("#") and "=" not in line.split()[0]]
    assert len(lines) == 1
    fields = lines[0].split(None, 6)
    minute, hour, dom, month, dow, user, command = fields
    assert 0 <= int(minute) < 60 and 0 <= int(hour) < 24 and (dom, month, dow) == ("*", "*", "*")
    assert user == "gofleet" and "drift_cycle.sh" in command and ">>/var/log/gofleet/drift-cycle.log 2>&1" in command
    assert " -v" not in command
    # the shell part is valid bash
    assert subprocess.run(["bash", "-n", "-c", command], check=False).returncode == 0


def test_cycle_runs_check_then_real(tmp_path):
    """drift_cycle.sh against a stand-in ansible-playbook that records its arguments and writes the
    path file as the callback does: check pass first with --check --diff, then the real pass, and
    the status rules documented in the scripts."""
    log = tmp_path / "calls"
    fake = tmp_path / "ansible-playbook"
    fake.write_text("""#!/bin/bash
echo "$* fail=${GOFLEET_FAIL_ON_DRIFT:-unset}" >> %(log)s
d=%(tmp)s/report-$(wc -l < %(log)s)
mkdir -p "$d"
status=0
[[ " $* " == *" --check "* ]] && status=${FAKE_CHECK_STATUS:-0}
echo "{\\"exit_status\\": $status}" > "$d/drift-report.json"
echo "$d" > "$GOFLEET_DRIFT_REPORT_PATH_FILE"
[[ " $* " != *" --check "* ]] && exit ${FAKE_REAL_RC:-0}
exit 0
""" % {"log": log, "tmp": tmp_path})
    fake.chmod(0o755)

    def cycle(**env):
        full = dict(os.environ, ANSIBLE_PLAYBOOK=str(fake), **env)
        if log.exists():
            log.unlink()
        proc = subprocess.run([os.path.join(SCHEDULE, "drift_cycle.sh"), "-i", "inv", "site.yml"], env=full,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60,
                              check=False)
        return proc, log.read_text().splitlines()

    proc, calls = cycle()
    assert proc.returncode == 0, proc.stdout
    assert calls == ["-i inv site.yml --check --diff fail=unset", "-i inv site.yml fail=false"]
    assert proc.stdout.count("drift_run: report ") == 2
    proc, calls = cycle(FAKE_CHECK_STATUS="10")
    assert proc.returncode == 10 and len(calls) == 2, proc.stdout  # drift found (and repaired): alert
    proc, calls = cycle(FAKE_CHECK_STATUS="10", FAKE_REAL_RC="2")
    assert proc.returncode == 2, proc.stdout  # a failed real run outranks drift
