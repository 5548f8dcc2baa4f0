# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check-mode drift equals what the real run repairs, for the modules that need a real host:
systemd_gounit / go_service (unit text, service state, the binary's sha256 through the go_service
role) and selinux_gocache (file-context rules in the policy store). go_toolchain and go_offline_mirror have theirs in tests/integration/test_drift_report.py.

Each test deploys, plants drift by hand, runs --check --diff (nothing may change), runs for real
(the same drift items, and the host repaired), then again (changed=false, no drift).
"""

from __future__ import annotations

from pathlib import Path

import hashlib
import shutil

import pytest

ROOT = Path(__file__).resolve().parents[2]
import ansible_run

pytestmark = pytest.mark.containers

SLEEP = "/usr/bin/sleep"


def run_task(workdir, container, module, args, check=False, diff=False):
    run = ansible_run.run_playbook(workdir, container, [{"name": "p", "hosts": "all", "gather_facts": False,
                                                         "tasks": [{"name": "t", module: args}]}],
                                   check=check, diff=diff)
    result = run.results["t"]
    assert run.proc.returncode == 0 and not result.get("failed"), result
    return result


def check_then_repair(workdir, container, module, args, state):
    """The three runs; `state()` reads the host. Returns the drift items."""
    before = state()
    predicted = run_task(workdir, container, module, args, check=True, diff=True)
    assert predicted["changed"] is True and predicted["drift_items"], predicted
    assert state() == before, "check mode changed the host"
    diff_text = "".join(d.get("before", "") for d in predicted["diff"]) if isinstance(predicted["diff"], list) \
        else predicted["diff"].get("before", "")
    repaired = run_task(workdir, container, module, args)
    assert repaired["changed"] is True
    assert repaired["drift_items"] == predicted["drift_items"]
    again = run_task(workdir, container, module, args)
    assert again["changed"] is False and again["drift_items"] == [], again
    return predicted["drift_items"], diff_text


@pytest.fixture(scope="module")
def systemd_host(engine, debian_image):
    container = engine.container(debian_image, systemd=True, network="none")
    try:
        container.wait_systemd()
        yield container
    finally:
        container.remove()


def test_systemd_gounit_unit_text_and_state(systemd_host, tmp_path):
    c = systemd_host
    c.exec("useradd --system -M -s /usr/sbin/nologin drifty")
    args = dict(name="drifty", binary=SLEEP, args=["1000"], user="drifty", settle=1)
    run_task(tmp_path, c, "gofleet.golang.systemd_gounit", args)
    unit = "/etc/systemd/system/drifty.service"
    good = c.exec(["cat", unit]).stdout
    assert "NoNewPrivileges=yes" in good
    # A removed hardening line and a stopped service.
    c.exec("sed -i '/^NoNewPrivileges=yes$/d' %s && systemctl daemon-reload && systemctl stop drifty" % unit)

    def state():
        return (c.exec(["cat", unit]).stdout, c.exec(["systemctl", "is-active", "drifty"], check=False).stdout.strip())

    items, diff_text = check_then_repair(tmp_path, c, "gofleet.golang.systemd_gounit", args, state)
    assert [(i["aspect"], i["item"]) for i in items] == [("unit", unit), ("state", "drifty.service")], items
    assert "NoNewPrivileges=yes" in items[0]["expected"] and items[1]["found"].startswith("inactive")
    assert state() == (good, "active")
    run_task(tmp_path, c, "gofleet.golang.systemd_gounit", {"name": "drifty", "state": "absent"})


def run_role(workdir, container, role_vars, check=False):
    """The go_service role once; its go_service task's result (the task that reports drift)."""
    run = ansible_run.run_playbook(workdir, container, [{
        "name": "p", "hosts": "all", "gather_facts": True,
        "roles": [{"role": "gofleet.golang.go_service", "vars": role_vars}]}], check=check, diff=check)
    assert run.proc.returncode == 0, [r.get("msg") for r in run.results.values() if r and r.get("failed")]
    return ([r for n, r in run.results.items() if n.endswith("Run it as a hardened service")] or [None])[0]


def test_go_service_binary_sha256_through_the_role(systemd_host, tmp_path):
    """A replaced service binary is a `content` drift item: check mode names it with the controller's
    sha256 (its stage only predicted), the real run puts the controller's binary back, then no drift."""
    c = systemd_host
    src = tmp_path / "sleeper"
    shutil.copy(SLEEP, src)   # this controller's sleep runs in the Debian 12 container
    role = dict(go_service_name="sleeper", go_service_binary_src=str(src), go_service_args=["1000"],
                go_service_settle=1)
    run_role(tmp_path, c, role)
    binary = "/usr/local/bin/sleeper"
    c.exec("cp /usr/bin/true {0}.x && mv {0}.x {0}".format(binary))   # someone swapped the binary
    found = c.exec(["sha256sum", binary]).stdout.split()[0]
    want = hashlib.sha256(src.read_bytes()).hexdigest()

    predicted = run_role(tmp_path, c, role, check=True)
    assert predicted["drift_items"] == [{"item": binary, "aspect": "content", "expected": "sha256=" + want,
                                         "found": "sha256=" + found}], predicted
    assert predicted["binary_changed"] and predicted["changed"]
    assert c.exec(["sha256sum", binary]).stdout.split()[0] == found, "check mode changed the binary"
    repaired = run_role(tmp_path, c, role)
    assert repaired["drift_items"] == predicted["drift_items"] and repaired["actions"] == predicted["actions"]
    assert c.exec(["sha256sum", binary]).stdout.split()[0] == want
    again = run_role(tmp_path, c, role)
    assert again["changed"] is False and again["drift_items"] == [], again
    run_role(tmp_path, c, dict(role, go_service_state="absent"))


@pytest.fixture(scope="module")
def selinux_host(engine, selinux_image):
    container = engine.container(selinux_image, network="none", command=["sleep", "infinity"])
    try:
        container.exec("mkdir -p /var/cache/go-build/0a && : > /var/cache/go-build/0a/x")
        yield container
    finally:
        container.remove()


def local_rules(container):
    out = container.exec(["semanage", "fcontext", "-l", "-C"]).stdout
    return dict((w[0], w[-1].split(":")[2]) for w in (line.split() for line in out.splitlines())
                if len(w) >= 3 and w[0].startswith("/"))


def test_selinux_gocache_rules(selinux_host, tmp_path):
    c = selinux_host
    target = r"/var/cache/go-build(/.*)?"
    args = dict(path=["/var/cache/go-build"], setype="var_t", ignore_selinux_state=True)
    run_task(tmp_path, c, "gofleet.golang.selinux_gocache", args)
    assert local_rules(c)[target] == "var_t"
    # Someone changed the rule by hand.
    c.exec(["semanage", "fcontext", "-m", "-t", "tmp_t", target])
    assert local_rules(c)[target] == "tmp_t"

    items, _diff = check_then_repair(tmp_path, c, "gofleet.golang.selinux_gocache", args, lambda: local_rules(c))
    assert items == [{"item": target, "aspect": "rule", "expected": "var_t", "found": "tmp_t"}]
    assert local_rules(c)[target] == "var_t"
    assert c.exec(["matchpathcon", "/var/cache/go-build/0a/x"]).stdout.split()[-1].split(":")[2] == "var_t"
