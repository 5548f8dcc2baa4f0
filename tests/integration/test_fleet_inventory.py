# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/fleet_inventory.yml over two local "hosts" with real installs: the SPDX 2.3 SBOM
validated by spdx-tools (pyspdxtools), the CSV, and the HTML table rendered by headless Chromium."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import glob
import json
import os
import shutil
import subprocess

import pytest

from ansible_run import ANSIBLE_PLAYBOOK, ansible_env
from module_runner import ROOT, NodeLayout
from test_drift_report import rendered_text

VENV_BIN = os.path.dirname(ANSIBLE_PLAYBOOK)

pytestmark = pytest.mark.integration

PLAYBOOK = os.path.join(ROOT, "playbooks", "fleet_inventory.yml")


def ansible_playbook(argv, env, cwd):
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook")] + argv, env=env, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=900,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_fleet_inventory(tmp_path, tarballs):
    base = str(tmp_path)
    nodes = {"build-01": NodeLayout(os.path.join(base, "build-01"), tarballs),
             "mirror-01": NodeLayout(os.path.join(base, "mirror-01"), tarballs)}
    reports = os.path.join(base, "reports")
    env = ansible_env(ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_CALLBACKS_ENABLED="gofleet.golang.drift_report",
                      GOFLEET_DRIFT_REPORT_DIR=reports)
    # mirror-01 serves a mirror release; its path is planted (the mirror module has its own tests).
    srv = os.path.join(base, "srv")
    os.makedirs(os.path.join(srv, "releases", "r20261206-abc"))
    os.symlink("releases/r20261206-abc", os.path.join(srv, "current"))
    inventory = os.path.join(base, "inventory.ini")
    with open(inventory, "w") as f:
        f.write("[go_hosts]\n")
        for name, node in sorted(nodes.items()):
            f.write("%s ansible_connection=local ansible_python_interpreter=/usr/bin/python3 toolchain_install_root=%s "
                    "toolchain_link=%s\n" % (name, node.root, node.link))
        f.write("[gomirror_hosts]\nmirror-01\n[gomirror_hosts:vars]\noffline_mirror_path=%s\n" % srv)
    # Real installs, through the drift report: build-01 gets 1.22.12 then 1.23.5 (active), mirror-01 1.22.12.
    install = os.path.join(base, "install.yml")
    with open(install, "w") as f:
        json.dump([{"hosts": "go_hosts", "gather_facts": False, "tasks": [
            {"name": "older", "gofleet.golang.go_toolchain": "{{ older }}", "when": "older is defined"},
            {"name": "go", "gofleet.golang.go_toolchain": "{{ go }}"}]}], f)
    hv = os.path.join(base, "host_vars")
    os.makedirs(hv)
    with open(os.path.join(hv, "build-01.json"), "w") as f:
        json.dump({"older": nodes["build-01"].args("1.22.12"), "go": nodes["build-01"].args("1.23.5"),
                   "toolchain_verify": "full"}, f)
    with open(os.path.join(hv, "mirror-01.json"), "w") as f:
        json.dump({"go": nodes["mirror-01"].args("1.22.12")}, f)
    ansible_playbook(["-i", inventory, install], env, base)
    drift_json = sorted(glob.glob(os.path.join(reports, "*", "drift-report.json")))[-1]
    generated = json.load(open(drift_json))["generated"]

    out = os.path.join(base, "inventory-out")
    proc = ansible_playbook(["-i", inventory, PLAYBOOK, "-e", "gofleet_inventory_dir=%s" % out,
                             "-e", "gofleet_drift_report_dir=%s" % reports],
                            dict((k, v) for k, v in env.items() if k != "ANSIBLE_CALLBACKS_ENABLED"), base)
    (run_dir,) = glob.glob(os.path.join(out, "*"))
    assert "gofleet fleet inventory: %s/fleet.spdx.json" % run_dir in proc.stdout

    # SPDX: valid for spdx-tools, one package per toolchain per host, with provenance.
    sbom = os.path.join(run_dir, "fleet.spdx.json")
    tool = os.path.join(VENV_BIN, "pyspdxtools")
    if not os.path.exists(tool):
        pytest.skip("skipped: spdx-tools not installed in .venv (pip install -r requirements.txt)")
    check = subprocess.run([tool, "-i", sbom], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=300, check=False)
    assert check.returncode == 0 and "ERROR" not in check.stdout.upper(), check.stdout
    doc = json.load(open(sbom))
    assert doc["spdxVersion"] == "SPDX-2.3"
    got = sorted((p["comment"].split(",")[0], p["versionInfo"], p["checksums"][0]["checksumValue"])
                 for p in doc["packages"])
    assert got == [("host build-01", "1.22.12", tarballs["1.22.12"].sha256),
                   ("host build-01", "1.23.5", tarballs["1.23.5"].sha256),
                   ("host mirror-01", "1.22.12", tarballs["1.22.12"].sha256)]
    pkg = [p for p in doc["packages"] if p["SPDXID"] == "SPDXRef-Package-build-01-go1.23.5"][0]
    arch = tarballs["1.23.5"].arch
    assert pkg["externalRefs"][0]["referenceLocator"] == "pkg:golang/golang.org/toolchain@v0.0.1-go1.23.5.linux-" + arch
    receipt = nodes["build-01"].receipt("1.23.5")
    assert pkg["annotations"][0]["annotationDate"] == receipt["installed_at"]
    assert "active" in pkg["comment"] and "signer none" in pkg["comment"]
    # A broken SBOM must fail the same validation: the check can fail.
    broken = dict(doc, packages=[dict(doc["packages"][0], checksums=[{"algorithm": "SHA256", "checksumValue": "xyz"}])])
    with open(os.path.join(base, "broken.spdx.json"), "w") as f:
        json.dump(broken, f)
    bad = subprocess.run([tool, "-i", os.path.join(base, "broken.spdx.json")], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, universal_newlines=True, timeout=300, check=False)
    assert bad.returncode != 0 and "xyz" in bad.stdout, bad.stdout

    # CSV: one row per host.
    rows = list(csv.DictReader(open(os.path.join(run_dir, "fleet.csv"))))
    by_host = dict((r["host"], r) for r in rows)
    assert sorted(by_host) == ["build-01", "mirror-01"]
    assert by_host["build-01"]["active"] == "1.23.5" and by_host["build-01"]["kept"] == "1.22.12"
    assert by_host["build-01"]["verification"] == "sha256, verify full"
    assert by_host["mirror-01"]["mirror release"] == "r20261206-abc" and by_host["build-01"]["mirror release"] == "-"
    assert by_host["build-01"]["last drift status"] == "ok (real run %s)" % generated
    assert by_host["build-01"]["architecture"] == os.uname().machine

    # HTML, as a browser renders it.
    dom = rendered_text(os.path.join(run_dir, "fleet.html"))
    assert "<td>build-01</td>" in dom and "<td>r20261206-abc</td>" in dom and "<td>1.23.5</td>" in dom
    shutil.rmtree(out)
