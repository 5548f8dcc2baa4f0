# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check-mode drift equals the real run's repair (go_toolchain, go_offline_mirror), and the
drift_report callback's files for those runs: JSON, Markdown, the HTML page read back from
headless Chromium, pruning, and the exit status of playbooks/schedule/drift_run.sh.

One scenario on real state: go1.22.12 installed into a temporary node, a mirror served from a
bundle built with that go; drift planted in both; then --check --diff, a real run, a second
real run, each through ansible-playbook with the callback enabled.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ansible_run import ANSIBLE_PLAYBOOK, ansible_env
from module_runner import ROOT, NodeLayout

VENV_BIN = os.path.dirname(ANSIBLE_PLAYBOOK)

import mirror_fixtures

pytestmark = pytest.mark.integration

DRIFT_RUN = os.path.join(ROOT, "playbooks", "schedule", "drift_run.sh")
SECRET = "s3cr3t-never-in-a-report"


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def rendered_text(html_path):
    """The page's DOM after Chromium loaded and rendered it (its text, tags and all)."""
    browser = chromium()
    if browser is None:
        pytest.skip("skipped: chromium not installed (apt-get install -y chromium; tests/harness/host_deps.sh does)")
    proc = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--dump-dom", "file://" + html_path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120, check=False)
    assert proc.returncode == 0 and "<body>" in proc.stdout, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def scene(tmp_path_factory, tarballs):
    base = str(tmp_path_factory.mktemp("drift-report"))
    node = NodeLayout(os.path.join(base, "node"), tarballs)
    upstream = mirror_fixtures.build_goproxy(Path(base) / "upstream")
    bundle = os.path.join(base, "bundle.tar.gz")
    tasks = [
        {"name": "toolchain", "gofleet.golang.go_toolchain": node.args("1.22.12", env={"GOPROXY": "off"})},
        {"name": "build the bundle", "gofleet.golang.go_offline_mirror": {
            "state": "built", "path": os.path.join(base, "built"), "requirements": ["example.com/lib@v1.1.0"],
            "upstream": "file://%s" % upstream, "gosumdb": "off", "go": node.go(), "bundle": bundle},
         "check_mode": False},
    ]
    write_play(base, "setup", tasks)
    proc = play(base, "setup", reports=os.path.join(base, "setup-reports"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checksum = "sha256:" + open(bundle + ".sha256").read().split()[0]
    serve = {"state": "present", "path": os.path.join(base, "srv"), "bundle": bundle, "checksum": checksum}
    # The scheduled play: what site.yml does per host, plus a no_log task whose input is a secret.
    write_play(base, "scheduled", [
        {"name": "toolchain", "gofleet.golang.go_toolchain": node.args("1.22.12", env={"GOPROXY": "off"})},
        {"name": "mirror", "gofleet.golang.go_offline_mirror": serve},
        {"name": "secret", "no_log": True, "gofleet.golang.go_toolchain": dict(
            node.args("1.22.12", env={"GOPROXY": "off"}), url_password=SECRET, checksum="sha256:" + "0" * 64),
         "ignore_errors": True},
    ])
    proc = play(base, "scheduled", reports=os.path.join(base, "setup-reports"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"base": base, "node": node, "srv": serve["path"], "reports": os.path.join(base, "reports")}


def write_play(base, name, tasks):
    with open(os.path.join(base, name + ".yml"), "w") as f:
        json.dump([{"name": name, "hosts": "localhost", "gather_facts": False, "tasks": tasks}], f)


def play(base, name, reports, check=False, keep=3, wrapper=False, extra=()):
    env = ansible_env(ANSIBLE_STDOUT_CALLBACK="default", ANSIBLE_CALLBACKS_ENABLED="gofleet.golang.drift_report",
                      GOFLEET_DRIFT_REPORT_DIR=reports, GOFLEET_DRIFT_REPORT_KEEP=str(keep),
                      PATH=VENV_BIN + os.pathsep + os.environ["PATH"])
    argv = ["-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=/usr/bin/python3",
            os.path.join(base, name + ".yml")] + list(extra)
    if check:
        argv += ["--check", "--diff"]
    if wrapper:
        env.pop("ANSIBLE_CALLBACKS_ENABLED")
        argv = [DRIFT_RUN] + argv
    else:
        argv = [os.path.join(VENV_BIN, "ansible-playbook")] + argv
    return subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=900, check=False, cwd=base)


def newest_report(reports):
    dirs = sorted(glob.glob(os.path.join(reports, "*Z-*")))
    with open(os.path.join(dirs[-1], "drift-report.json")) as f:
        return dirs[-1], json.load(f)


def by_task(report):
    return dict((r["task"], r) for r in report["hosts"]["localhost"]["results"])


def plant(scene):
    """Drift in every aspect go_toolchain and go_offline_mirror check, on real files."""
    goroot = scene["node"].goroot("1.22.12")
    os.unlink(os.path.join(goroot, "bin", "gofmt"))                       # missing
    os.chmod(os.path.join(goroot, "src", "fmt", "doc.go"), 0o666)          # mode
    with open(os.path.join(goroot, "src", "fmt", "print.go"), "a") as f:   # content
        f.write("\n// edited\n")
    with open(os.path.join(goroot, "src", "fmt", "zz_planted.go"), "w") as f:  # added
        f.write("package fmt\n")
    with open(os.path.join(goroot, "go.env"), "a") as f:                   # go.env content
        f.write("GOTOOLCHAIN=auto\n")
    os.unlink(os.path.join(scene["node"].bin, "gofmt"))                    # bin link missing
    zip_path = os.path.join(scene["srv"], "current", "example.com", "lib", "@v", "v1.1.0.zip")
    with open(zip_path, "ab") as f:                                        # served tree content
        f.write(b"tampered")


def test_check_mode_drift_equals_real_repair_and_report(scene):
    plant(scene)
    reports = scene["reports"]

    proc = play(scene["base"], "scheduled", reports, check=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    check_dir, check = newest_report(reports)
    # The path is printed at the end of the run (stderr: a JSON stdout callback stays parseable).
    assert "gofleet drift report (check): %s/drift-report.html" % check_dir in proc.stderr
    predicted = by_task(check)

    tc = predicted["toolchain"]
    assert [(i["aspect"], i["item"]) for i in tc["drift_items"]] == [
        ("missing", "bin/gofmt"), ("mode", "src/fmt/doc.go"), ("content", "src/fmt/print.go"),
        ("added", "src/fmt/zz_planted.go"), ("content", "go.env"),
        ("missing", os.path.join(scene["node"].bin, "gofmt"))]
    assert predicted["mirror"]["drift_items"][0]["item"] == "example.com/lib/@v/v1.1.0.zip"
    assert tc["outcome"] == predicted["mirror"]["outcome"] == "would_repair"
    # check mode repaired nothing
    assert not os.path.exists(os.path.join(scene["node"].goroot("1.22.12"), "bin", "gofmt"))
    # --diff printed the items
    assert "missing bin/gofmt: (absent)" in proc.stdout

    proc = play(scene["base"], "scheduled", reports)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    real_dir, real = newest_report(reports)
    repaired = by_task(real)
    for task in ("toolchain", "mirror"):
        # What check mode predicted is exactly what the real run found and repaired.
        assert repaired[task]["drift_items"] == predicted[task]["drift_items"], task
        assert repaired[task]["outcome"] == "repaired" and repaired[task]["actions"] == predicted[task]["actions"]
    goroot = scene["node"].goroot("1.22.12")
    assert os.path.isfile(os.path.join(goroot, "bin", "gofmt"))
    assert not os.path.exists(os.path.join(goroot, "src", "fmt", "zz_planted.go"))
    assert oct(os.stat(os.path.join(goroot, "src", "fmt", "doc.go")).st_mode & 0o777) == "0o644"
    assert "GOTOOLCHAIN=auto" not in open(os.path.join(goroot, "go.env")).read()
    assert os.readlink(os.path.join(scene["node"].bin, "gofmt")).endswith("/bin/gofmt")

    proc = play(scene["base"], "scheduled", reports)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    _dir, again = newest_report(reports)
    again_tasks = by_task(again)
    assert again_tasks["toolchain"]["changed"] is False and again_tasks["mirror"]["changed"] is False
    assert again["summary"]["drift_items"] == 0 and again["hosts"]["localhost"]["status"] == "failed"  # the secret task

    # The JSON: schema, summary, provenance, censored no_log result, no secret anywhere.
    assert check["schema"] == "gofleet.drift-report/1" and check["mode"] == "check" and real["mode"] == "real"
    n = len(tc["drift_items"]) + len(predicted["mirror"]["drift_items"])
    assert check["summary"]["items_to_repair"] == n and check["summary"]["items_repaired"] == 0
    assert real["summary"]["items_repaired"] == n and real["summary"]["hosts_with_drift"] == 1
    assert real["summary"]["hosts_checked"] == 1 and real["summary"]["failures"] == 1
    prov = real["hosts"]["localhost"]["toolchains"]
    assert prov == [{"version": "1.22.12", "active": True, "tarball_sha256": scene["node"].tarballs["1.22.12"].sha256,
                     "signer": None, "installed_at": scene["node"].receipt("1.22.12")["installed_at"],
                     "receipt": os.path.join(scene["node"].root, ".receipts", "go1.22.12.json")}]
    assert repaired["secret"]["censored"] is True and "msg" not in repaired["secret"]
    for d in (check_dir, real_dir):
        for name in ("drift-report.json", "drift-report.html", "drift-report.md"):
            text = open(os.path.join(d, name)).read()
            assert SECRET not in text and "0" * 64 not in text, (d, name)
    md = open(os.path.join(check_dir, "drift-report.md")).read()
    assert "| go\\_toolchain | would\\_repair | missing | bin/gofmt | file | - |" in md

    # Only the newest `keep` (3) report directories remain.
    assert len(glob.glob(os.path.join(reports, "*Z-*"))) == 3

    # The HTML page, as a browser renders it.
    dom = rendered_text(os.path.join(check_dir, "drift-report.html"))
    assert "<h2>localhost <span" in dom and "src/fmt/zz_planted.go" in dom and "example.com/lib/@v/v1.1.0.zip" in dom
    assert "Would be repaired" in dom and "would_repair" in dom
    assert "<td>%d</td>" % n in dom  # items to repair, in the summary table
    dom = rendered_text(os.path.join(real_dir, "drift-report.html"))
    assert "Drift and repairs" in dom and scene["node"].tarballs["1.22.12"].sha256 in dom


def test_drift_run_exit_status(scene):
    """drift_run.sh: 10 for a check run with drift when asked, 0 when not asked or no drift."""
    reports = scene["reports"] + "-wrapper"
    os.chmod(os.path.join(scene["node"].goroot("1.22.12"), "src", "fmt", "doc.go"), 0o600)
    asked = ["-e", "gofleet_fail_on_drift=true"]
    proc = play(scene["base"], "scheduled", reports, check=True, wrapper=True, extra=asked)
    assert proc.returncode == 10, proc.stdout + proc.stderr
    report_dir, report = newest_report(reports)
    assert "drift_run: report %s" % report_dir in proc.stdout and report["exit_status"] == 10
    proc = play(scene["base"], "scheduled", reports, check=True, wrapper=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the real run repairs; then a check finds nothing, even when asked to fail on drift
    assert play(scene["base"], "scheduled", reports, wrapper=True).returncode == 0
    proc = play(scene["base"], "scheduled", reports, check=True, wrapper=True, extra=asked)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_html_escapes_everything(tmp_path):
    """A drift item or host name holding markup is shown as text, never run or parsed."""
    from ansible_collections.gofleet.golang.plugins.plugin_utils import drift_report as dr
    host = dr.new_host()
    host["results"].append(dr.entry("systemd_gounit", "<b>t</b>", "ok", {
        "changed": True, "drift_items": [{"item": "<script>document.title='pwned'</script>", "aspect": "unit",
                                          "expected": "a&b", "found": "<i>x</i>"}]}, False, False))
    report = dr.finish({"web<01>": host}, "real", "2026-12-06T00:00:00Z", False)
    path = str(tmp_path / "r.html")
    with open(path, "w") as f:
        f.write(dr.to_html(report))
    dom = rendered_text(path)
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom and "<script" not in dom
    assert "web&lt;01&gt;" in dom and "&lt;i&gt;x&lt;/i&gt;" in dom and "a&amp;b" in dom
    assert "<title>gofleet drift report" in dom
