# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The go_service module and role for real: systemd as PID 1, and runsvdir as PID 1.

systemd: the toolchain role installs Go in an air-gapped container (--network none), go_service
builds tests/fixtures/hello-http there and runs it with the strict profile; the test measures
`systemd-analyze security`, asks the server over HTTP, changes an environment value (MainPID
must change), re-runs (changed=0) and removes it.

runit: a binary built in a throwaway container is deployed with go_service on the
debian-runit image (runsvdir -P /var/service, Void's layout): supervised, restarted by runsv
when killed, and removed cleanly.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

import ansible_run
from elf_fixtures import write_elf  # tests/elf_fixtures.py
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import ELF_SIGNATURE

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.containers

FIXTURE = ROOT / "tests" / "fixtures" / "hello-http"
GO_VERSION = "1.22.12"
ADDR = "127.0.0.1:8080"
MAX_EXPOSURE = 2.0


def run_play(workdir, container, plays, check=False, diff=False, expect_ok=True):
    """Run plays (list of dicts, hosts: all) on the container; return (results by task name, stats)."""
    run = ansible_run.run_playbook(workdir, container, plays, check=check, diff=diff, timeout=1200)
    timings = []
    for play in run.report["plays"]:
        for task in play["tasks"]:
            d = task["task"].get("duration") or {}
            if d.get("start") and d.get("end"):
                from datetime import datetime
                span = datetime.fromisoformat(d["end"].rstrip("Z")) - datetime.fromisoformat(d["start"].rstrip("Z"))
                timings.append((span.total_seconds(), task["task"]["name"]))
    if os.environ.get("GOFLEET_TIMINGS"):
        print("\nslowest tasks: %s" % ", ".join("%.1fs %s" % t for t in sorted(timings, reverse=True)[:4]))
    if expect_ok and (run.stats["failures"] or run.stats["unreachable"] or run.proc.returncode != 0):
        failed = {k: v.get("msg") for k, v in run.results.items() if v and v.get("failed")}
        raise AssertionError("play failed: %s\n%s" % (json.dumps(failed, indent=1)[-4000:], run.proc.stderr[-2000:]))
    return run.results, run.stats


def task(results, name):
    """A task's result by its name, with or without the 'role : ' prefix."""
    for key, value in results.items():
        if key == name or key.endswith(" : " + name):
            return value
    raise KeyError("%s not among %s" % (name, sorted(results)))


def service_play(**role_vars):
    return {"name": "go_service", "hosts": "all", "gather_facts": True,
            "roles": [{"role": "gofleet.golang.go_service", "vars": role_vars}]}


def http_get(container, path="/"):
    code = "import urllib.request as u; print(u.urlopen('http://%s%s', timeout=5).read().decode(), end='')" % (ADDR, path)
    deadline = time.monotonic() + 15
    while True:
        proc = container.exec(["python3", "-c", code], check=False)
        if proc.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def main_pid(container, name="hello"):
    return container.exec(["systemctl", "show", name, "-p", "MainPID", "--value"]).stdout.strip()


# ---------------------------------------------------------------- systemd

@pytest.fixture(scope="module")
def systemd_node(engine, debian_image, go_tarballs, tmp_path_factory):
    """An air-gapped systemd container with Go installed by the toolchain role."""
    if GO_VERSION not in go_tarballs:
        pytest.skip("skipped: Go tarballs unavailable: no go%s in .cache/artifacts" % GO_VERSION)
    tarball = go_tarballs[GO_VERSION]
    container = engine.container(debian_image, systemd=True, network="none")
    try:
        container.wait_systemd()
        workdir = tmp_path_factory.mktemp("toolchain")
        run_play(workdir, container, [{
            "name": "toolchain", "hosts": "all", "gather_facts": True,
            "roles": [{"role": "gofleet.golang.toolchain", "vars": {
                "toolchain_version": GO_VERSION,
                "toolchain_src": str(tarball["path"]),
                "toolchain_checksum": "sha256:" + tarball["sha256"],
            }}],
        }])
        yield container
    finally:
        container.remove()


HELLO = dict(
    go_service_name="hello",
    go_service_source_src=str(FIXTURE),
    go_service_args=["-addr", ADDR],
    go_service_environment={"HELLO_MESSAGE": "first"},
    # LimitNOFILE below the container's own hard limit (1024), so it can be observed.
    go_service_limits={"CPUQuota": "150%", "MemoryMax": "512M", "LimitNOFILE": 1000},
)


def test_systemd_deploy_score_restart_idempotence_removal(systemd_node, tmp_path, record_property):
    c = systemd_node

    # check mode on a fresh node predicts a change and changes nothing
    _res, stats = run_play(tmp_path, c, [service_play(**HELLO)], check=True)
    assert stats["changed"] > 0
    assert c.exec(["test", "-e", "/etc/systemd/system/hello.service"], check=False).returncode != 0

    # deploy: built on the node, hardened, running, answering
    results, stats = run_play(tmp_path, c, [service_play(**HELLO)], diff=True)
    unit = task(results, "Run it as a hardened service")
    assert unit["changed"] and unit["init_system"] == "systemd"
    assert unit["binary"]["linkage"] == "static" and unit["binary"]["arch"] == "amd64"
    assert unit["derived_environment"] == {"GOMAXPROCS": "2", "GOMEMLIMIT": "460MiB"}
    assert "first" not in json.dumps(unit), "an environment value leaked into the result"
    assert c.exec(["systemctl", "is-active", "hello"]).stdout.strip() == "active"
    assert http_get(c) == "first\n"
    info = http_get(c, "/info")
    assert "gomaxprocs=2" in info and "gomemlimit=%d" % (460 << 20) in info and "nofile=1000" in info, info
    uid = int(re.search(r"uid=(\d+)", info).group(1))
    assert uid != 0
    env_file = c.exec(["stat", "-c", "%a %U", "/etc/gofleet/env/hello.env"]).stdout.split()
    assert env_file == ["600", "root"]

    # the measured exposure of the live unit
    proc = c.exec(["systemd-analyze", "security", "hello"], check=False)
    from ansible_collections.gofleet.golang.plugins.module_utils.service.systemd_render import parse_exposure
    score = parse_exposure(proc.stdout + proc.stderr)
    record_property("systemd_analyze_security", score)
    print("\nsystemd-analyze security hello: Overall exposure level %s" % score)
    assert score is not None, proc.stdout[-2000:] + proc.stderr
    assert score <= MAX_EXPOSURE

    # second run: nothing changes, the service keeps its pid
    pid = main_pid(c)
    _res, stats = run_play(tmp_path, c, [service_play(**HELLO)])
    assert stats["changed"] == 0, _res
    assert main_pid(c) == pid

    # an environment value changes: restart (new MainPID), no daemon-reload needed
    changed = {**HELLO, "go_service_environment": {"HELLO_MESSAGE": "second"}}
    results, stats = run_play(tmp_path, c, [service_play(**changed)])
    unit = task(results, "Run it as a hardened service")
    assert unit["changed"] and unit["actions"] == ["restart"], unit["actions"]
    new_pid = main_pid(c)
    assert new_pid not in ("0", pid)
    assert http_get(c) == "second\n"
    _res, stats = run_play(tmp_path, c, [service_play(**changed)])
    assert stats["changed"] == 0

    # removal: stopped, disabled, unit, environment and binary gone
    results, stats = run_play(tmp_path, c, [service_play(**{**changed, "go_service_state": "absent"})])
    assert stats["changed"] > 0
    assert c.exec(["systemctl", "is-active", "hello"], check=False).stdout.strip() in ("inactive", "unknown")
    for path in ("/etc/systemd/system/hello.service", "/etc/gofleet/env/hello.env", "/usr/local/bin/hello",
                 "/etc/systemd/system/multi-user.target.wants/hello.service"):
        assert c.exec(["test", "-e", path], check=False).returncode != 0, path
    _res, stats = run_play(tmp_path, c, [service_play(**{**changed, "go_service_state": "absent"})])
    assert stats["changed"] == 0


def test_systemd_refuses_what_would_not_run(systemd_node, tmp_path):
    """Unknown unit keys (verify exits 0 but says so on stderr), non-ELF binaries, crashing services."""
    c = systemd_node
    c.exec("printf '#!/bin/sh\\nexec sleep 1000\\n' > /usr/local/bin/script-svc && chmod 755 /usr/local/bin/script-svc")
    cases = [
        ({"binary": "/usr/local/bin/script-svc"}, "is not an ELF executable"),
        ({"binary": "/usr/local/go/bin/go", "args": ["version"], "service": {"Bogus": "1"}},
         "Unknown key 'Bogus'"),
        ({"binary": "/usr/local/go/bin/go", "args": ["no-such-subcommand"]}, "did not stay running"),
    ]
    for args, reason in cases:
        task = dict({"name": "bad", "state": "started"}, **args)
        results, _stats = run_play(tmp_path, c, [{"name": "bad", "hosts": "all", "gather_facts": False, "tasks": [
            {"name": "unit", "gofleet.golang.go_service": task}]}], expect_ok=False)
        assert results["unit"].get("failed"), results["unit"]
        assert reason in results["unit"]["msg"], results["unit"]["msg"]
    # The old name still reaches the module (meta/runtime.yml redirects it): it removes the unit.
    results, _stats = run_play(tmp_path, c, [{"name": "clean", "hosts": "all", "gather_facts": False, "tasks": [
        {"name": "unit", "gofleet.golang.systemd_gounit": {"name": "bad", "state": "absent"}}]}])
    assert results["unit"]["changed"] and "remove-files" in results["unit"]["actions"], results["unit"]
    assert c.exec(["test", "-e", "/etc/systemd/system/bad.service"], check=False).returncode != 0


# ---------------------------------------------------------------- runit

@pytest.fixture(scope="module")
def hello_binary(engine, debian_image, go_tarballs, tmp_path_factory):
    """hello-http built with the Go tarball in a throwaway container, copied out to the controller."""
    if GO_VERSION not in go_tarballs:
        pytest.skip("skipped: Go tarballs unavailable: no go%s in .cache/artifacts" % GO_VERSION)
    out = tmp_path_factory.mktemp("bin") / "hello-http"
    with engine.container(debian_image, network="none", command=["sleep", "infinity"]) as b:
        b.copy_in(go_tarballs[GO_VERSION]["path"], "/tmp/go.tgz")
        b.copy_in(FIXTURE, "/tmp/hello-http")
        b.exec("tar -C /usr/local -xzf /tmp/go.tgz && cd /tmp/hello-http && "
               "GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0 /usr/local/go/bin/go build -trimpath -o /tmp/hello .")
        b.copy_out("/tmp/hello", out)
    return out


def sv_status(c):
    return c.exec(["sv", "status", "/var/service/hello"], check=False).stdout.strip()


def sv_pid(c):
    m = re.match(r"run: \S+ \(pid (\d+)\)", sv_status(c))
    return int(m.group(1)) if m else None


def test_runit_supervised_restarted_removed(engine, runit_image, hello_binary, tmp_path):
    c = engine.container(runit_image, network="none")
    try:
        hello = {**HELLO, "go_service_source_src": "", "go_service_binary_src": str(hello_binary)}
        results, stats = run_play(tmp_path, c, [service_play(**hello)])
        unit = task(results, "Run it as a hardened service")
        assert unit["init_system"] == "runit"
        # what runit cannot honour is reported, not dropped
        reported = " ".join(unit["unsupported_options"])
        for option in ("hardening=strict", "limits.CPUQuota", "limits.MemoryMax", "address_families"):
            assert option in reported
        assert any("runit cannot honour" in w for w in unit.get("warnings", []))
        assert "chpst -u hello:hello -e /etc/sv/hello/env" in unit["unit"]
        assert sv_status(c).startswith("run: /var/service/hello: (pid ")
        assert http_get(c) == "first\n"
        info = http_get(c, "/info")
        assert "gomaxprocs=2" in info and "nofile=1000" in info and "uid=0 " not in info, info
        assert c.exec(["stat", "-c", "%a", "/etc/sv/hello/env", "/etc/sv/hello/env/HELLO_MESSAGE"]).stdout.split() \
            == ["700", "600"]

        # killed -> runsv starts it again with a new pid
        pid = sv_pid(c)
        c.exec(["kill", "-9", str(pid)])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (sv_pid(c) in (None, pid)):
            time.sleep(0.5)
        assert sv_pid(c) not in (None, pid), sv_status(c)
        assert http_get(c) == "first\n"

        # second run changes nothing
        _res, stats = run_play(tmp_path, c, [service_play(**hello)])
        assert stats["changed"] == 0

        # an environment change restarts it
        pid = sv_pid(c)
        changed = {**hello, "go_service_environment": {"HELLO_MESSAGE": "second"}}
        results, _stats = run_play(tmp_path, c, [service_play(**changed)])
        assert task(results, "Run it as a hardened service")["actions"] == ["restart"]
        assert sv_pid(c) != pid and http_get(c) == "second\n"

        # removal: link and service directory gone, nothing supervised
        results, stats = run_play(tmp_path, c, [service_play(**{**changed, "go_service_state": "absent"})])
        assert stats["changed"] > 0
        for path in ("/var/service/hello", "/etc/sv/hello", "/usr/local/bin/hello"):
            assert c.exec(["test", "-e", path], check=False).returncode != 0, path
        assert c.exec(["pgrep", "-x", "hello"], check=False).returncode != 0
        _res, stats = run_play(tmp_path, c, [service_play(**{**changed, "go_service_state": "absent"})])
        assert stats["changed"] == 0
    finally:
        c.remove()


# ---------------------------------------------------------------- systemd, module only

SLEEP = "/usr/bin/sleep"   # coreutils' sleep: an ELF that runs under the strict profile, no Go needed


@pytest.fixture(scope="module")
def bare_node(engine, debian_image):
    """An air-gapped systemd container without Go, for what the module alone decides."""
    container = engine.container(debian_image, systemd=True, network="none")
    try:
        container.wait_systemd()
        yield container
    finally:
        container.remove()


def unit_task(c, workdir, args, check=False, diff=False, expect_ok=True):
    """go_service once with `args`; its result."""
    results, _stats = run_play(workdir, c, [{"name": "unit", "hosts": "all", "gather_facts": False, "tasks": [
        {"name": "unit", "gofleet.golang.go_service": args}]}], check=check, diff=diff, expect_ok=expect_ok)
    return results["unit"]


def show(c, unit, *props):
    out = c.exec(["systemctl", "show", unit, "-p", ",".join(props)]).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def test_specifiers_reach_systemd_as_literals(bare_node, tmp_path):
    """User=%u must not become root, WorkingDirectory=/srv/50%off must not become /srv/50<os>ff."""
    c = bare_node
    c.exec("useradd --system --badname -M -s /usr/sbin/nologin '%u' && mkdir -p '/srv/50%off' /etc/gofleet/env"
           " && printf 'A=1\\n' > '/etc/gofleet/env/%n.env'")
    args = dict(name="pct", binary=SLEEP, args=["1000"], user="%u", working_directory="/srv/50%off",
                environment_file="/etc/gofleet/env/%n.env", description="50% off for %u", settle=1)
    res = unit_task(c, tmp_path, args)
    assert res["changed"] and "User=%%u" in res["unit"]
    props = show(c, "pct", "User", "WorkingDirectory", "EnvironmentFiles", "Description", "MainPID")
    assert props["User"] == "%u"
    assert props["WorkingDirectory"] == "/srv/50%off"
    assert props["EnvironmentFiles"].split()[0] == "/etc/gofleet/env/%n.env"
    assert props["Description"] == "50% off for %u"
    uid = c.exec("awk '/^Uid:/ {print $2}' /proc/%s/status" % props["MainPID"]).stdout.strip()
    assert uid == c.exec(["id", "-u", "%u"]).stdout.strip() and uid != "0"
    assert not unit_task(c, tmp_path, args)["changed"]
    unit_task(c, tmp_path, {"name": "pct", "state": "absent"})


def test_foreign_dropin_is_drift_and_removal_restores_the_hardening(bare_node, tmp_path):
    c = bare_node
    c.exec("useradd --system -M -s /usr/sbin/nologin dropped")   # not DynamicUser=: that implies ProtectSystem=strict
    args = dict(name="dropped", binary=SLEEP, args=["1000"], user="dropped", settle=1)
    unit_task(c, tmp_path, args)
    assert show(c, "dropped", "ProtectSystem")["ProtectSystem"] == "strict"
    override = "/etc/systemd/system/dropped.service.d/override.conf"
    c.exec("mkdir -p %s && printf '[Service]\\nProtectSystem=false\\nNoNewPrivileges=no\\n' > %s"
           " && systemctl daemon-reload" % (os.path.dirname(override), override))
    assert show(c, "dropped", "ProtectSystem")["ProtectSystem"] == "no"
    expected = [{"item": override, "aspect": "added", "expected": None,
                 "found": "ProtectSystem=false NoNewPrivileges=no"}]

    predicted = unit_task(c, tmp_path, args, check=True, diff=True)
    assert predicted["changed"] and predicted["drift_items"] == expected
    assert predicted["actions"] == ["daemon-reload", "restart"]
    assert any("added %s: ProtectSystem=false" % override in d["before"] for d in predicted["diff"])
    assert c.exec(["test", "-e", override], check=False).returncode == 0

    res = unit_task(c, tmp_path, args)
    assert res["changed"] and res["drift_items"] == expected and res["actions"] == predicted["actions"]
    assert c.exec(["test", "-e", override], check=False).returncode != 0
    props = show(c, "dropped", "ProtectSystem", "NoNewPrivileges", "DropInPaths", "ActiveState")
    assert props == {"ProtectSystem": "strict", "NoNewPrivileges": "yes", "DropInPaths": "", "ActiveState": "active"}
    again = unit_task(c, tmp_path, args)
    assert not again["changed"] and again["drift_items"] == []

    # named in allowed_dropins, a drop-in is the admin's and stays
    c.exec("mkdir -p %s && printf '[Service]\\nLimitNOFILE=512\\n' > %s/limits.conf && systemctl daemon-reload"
           % ((os.path.dirname(override),) * 2))
    kept = unit_task(c, tmp_path, dict(args, allowed_dropins=["limits.conf"]))
    assert not kept["changed"] and kept["drift_items"] == []
    assert show(c, "dropped", "LimitNOFILE")["LimitNOFILE"] == "512"
    unit_task(c, tmp_path, {"name": "dropped", "state": "absent"})


def test_null_service_name_fails_validation_in_one_line(bare_node, tmp_path):
    c = bare_node
    results, _stats = run_play(tmp_path, c, [service_play(go_service_name=None, go_service_binary_src=SLEEP)],
                               expect_ok=False)
    failed = [r for r in results.values() if r and r.get("failed")]
    assert len(failed) == 1, results
    msg = failed[0]["msg"]
    assert "go_service_name" in msg and "\n" not in msg.strip(), msg
    assert "filter" not in msg.lower() and "NoneType" not in msg, msg
    assert c.exec(["test", "-e", "/usr/local/bin/None"], check=False).returncode != 0


def sha256(c, path):
    return c.exec(["sha256sum", path]).stdout.split()[0]


def test_role_checks_a_staged_binary_before_it_goes_live(bare_node, tmp_path):
    """A wrong-arch binary is refused from its stage: the old binary stays and keeps running."""
    c = bare_node
    good = tmp_path / "good"
    shutil.copy(SLEEP, good)   # this controller's sleep runs in the Debian 12 container
    role = dict(go_service_name="staged", go_service_binary_src=str(good), go_service_args=["1000"],
                go_service_settle=1)
    run_play(tmp_path, c, [service_play(**role)])
    live, pid = sha256(c, "/usr/local/bin/staged"), main_pid(c, "staged")
    _res, stats = run_play(tmp_path, c, [service_play(**role)])
    assert stats["changed"] == 0

    wrong = write_elf(tmp_path / "wrong", *ELF_SIGNATURE["arm64"])
    results, stats = run_play(tmp_path, c, [service_play(**{**role, "go_service_binary_src": wrong})],
                              expect_ok=False)
    failed = [r["msg"] for r in results.values() if r and r.get("failed")]
    assert failed and "/usr/local/bin/staged is unchanged" in failed[0], failed
    assert sha256(c, "/usr/local/bin/staged") == live
    assert c.exec(["systemctl", "is-active", "staged"]).stdout.strip() == "active" and main_pid(c, "staged") == pid
    assert c.exec("ls -A /usr/local/bin").stdout.split() == ["staged"]   # no stage left behind

    # a good new binary: staged, checked, renamed, restarted
    newer = tmp_path / "newer"
    newer.write_bytes(good.read_bytes() + b"\0v2")
    newer.chmod(0o755)
    results, stats = run_play(tmp_path, c, [service_play(**{**role, "go_service_binary_src": str(newer)})])
    unit = task(results, "Run it as a hardened service")
    assert unit["binary_changed"] and unit["actions"] == ["restart"], unit
    assert sha256(c, "/usr/local/bin/staged") != live and main_pid(c, "staged") not in ("0", pid)
    run_play(tmp_path, c, [service_play(**dict(role, go_service_state="absent"))])


def test_role_repairs_owner_and_mode_of_an_unchanged_binary(bare_node, tmp_path):
    """The same bytes are not staged again, but a binary made writable by others is put back to root 0755."""
    c = bare_node
    role = dict(go_service_name="moded", go_service_binary_src=SLEEP, go_service_args=["1000"], go_service_settle=1)
    run_play(tmp_path, c, [service_play(**role)])
    c.exec("chown nobody:nogroup /usr/local/bin/moded && chmod 0777 /usr/local/bin/moded")
    _res, stats = run_play(tmp_path, c, [service_play(**role)], check=True)
    assert stats["changed"] > 0
    assert c.exec(["stat", "-c", "%U:%G %a", "/usr/local/bin/moded"]).stdout.strip() == "nobody:nogroup 777"
    _res, stats = run_play(tmp_path, c, [service_play(**role)])
    assert stats["changed"] > 0
    assert c.exec(["stat", "-c", "%U:%G %a", "/usr/local/bin/moded"]).stdout.strip() == "root:root 755"
    _res, stats = run_play(tmp_path, c, [service_play(**role)])
    assert stats["changed"] == 0
    run_play(tmp_path, c, [service_play(**dict(role, go_service_state="absent"))])


def test_role_finds_binary_src_as_copy_does_and_names_a_missing_one(bare_node, tmp_path):
    """A relative go_service_binary_src is looked up in the playbook's files/ (as copy does); a missing one
    fails in one line naming it, not with an undefined 'checksum' of a stat."""
    c = bare_node
    (tmp_path / "files").mkdir()
    shutil.copy(SLEEP, tmp_path / "files" / "relbin")
    role = dict(go_service_name="relbin", go_service_binary_src="relbin", go_service_args=["1000"],
                go_service_settle=1)
    run_play(tmp_path, c, [service_play(**role)])
    assert sha256(c, "/usr/local/bin/relbin") == hashlib.sha256(Path(SLEEP).read_bytes()).hexdigest()
    _res, stats = run_play(tmp_path, c, [service_play(**role)])
    assert stats["changed"] == 0

    results, _stats = run_play(tmp_path, c, [service_play(**{**role, "go_service_binary_src": "nosuchbin"})],
                               expect_ok=False)
    failed = [r["msg"] for r in results.values() if r and r.get("failed")]
    assert len(failed) == 1 and "go_service_binary_src" in failed[0] and "nosuchbin" in failed[0], failed
    assert "\n" not in failed[0].strip() and "checksum" not in failed[0], failed
    run_play(tmp_path, c, [service_play(**dict(role, go_service_state="absent"))])


FAKE_GO = """#!/bin/sh
# stands in for go build: records the environment it got, writes sleep as the binary
env | sort > /tmp/fake-go.env
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
cp /usr/bin/sleep "$out"
"""


def test_role_build_check_mode_writes_nothing_and_the_build_keeps_go_env(bare_node, tmp_path):
    c = bare_node
    src = tmp_path / "src"
    src.mkdir()
    (src / "go.mod").write_text("module example.com/built\n\ngo 1.22\n")
    (src / "main.go").write_text("package main\n\nfunc main() {}\n")
    role = dict(go_service_name="built", go_service_source_src=str(src), go_service_go="/opt/fake-go/bin/go",
                go_service_args=["1000"], go_service_settle=1)
    written = ["/var/cache/gofleet/go_service/built", "/usr/local/bin/built", "/usr/local/bin/.built.gofleet-new",
               "/etc/systemd/system/built.service"]

    # --check on a host without the go command: predicts, builds nothing, writes nothing
    results, stats = run_play(tmp_path, c, [service_play(**role)], check=True)
    assert stats["changed"] > 0
    assert task(results, "Run it as a hardened service")["binary_changed"]
    for path in written:
        assert c.exec(["test", "-e", path], check=False).returncode != 0, path

    c.exec(["mkdir", "-p", "/opt/fake-go/bin"])
    c.exec("cat > /opt/fake-go/bin/go && chmod 755 /opt/fake-go/bin/go", input=FAKE_GO)
    run_play(tmp_path, c, [service_play(**role)])
    assert c.exec(["systemctl", "is-active", "built"]).stdout.strip() == "active"
    env = dict(l.split("=", 1) for l in c.exec(["cat", "/tmp/fake-go.env"]).stdout.splitlines() if "=" in l)
    # the host's go.env decides the proxy, the flags and the caches: the build must not override them
    for key in ("GOPROXY", "GOFLAGS", "GOCACHE", "GOMODCACHE", "GOPATH"):
        assert key not in env, (key, env.get(key))
    assert env["GOTOOLCHAIN"] == "local" and env["CGO_ENABLED"] == "0"

    _res, stats = run_play(tmp_path, c, [service_play(**role)])
    assert stats["changed"] == 0
    _res, stats = run_play(tmp_path, c, [service_play(**role)], check=True)
    assert stats["changed"] == 0
    run_play(tmp_path, c, [service_play(**dict(role, go_service_state="absent"))])
    for path in written:
        assert c.exec(["test", "-e", path], check=False).returncode != 0, path
