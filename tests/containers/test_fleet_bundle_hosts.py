"""The fleet layer on real hosts (issue 10): site.yml pointed at a fleet bundle.

- a tampered bundle (flipped byte, extra file, wrong signer) stops the play on the controller
  in one line naming the file, with zero hosts changed;
- a host whose architecture the bundle lacks fails in one line naming host, arch and bundle,
  before anything is copied; a loong64 host without the new-world loader is refused;
- one play provisions an amd64 and an arm64 host (qemu-user), both with no network, from one
  bundle: each prints `go version ... linux/<its arch>` and builds and runs hello; then changed=0.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
import ansible_run
import bundle_fixtures

pytestmark = pytest.mark.containers
VERSION = "1.22.12"
ARM64_IMAGE = "localhost/gofleet/debian-systemd-arm64:12"
HELLO = ("package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\n"
         "func main() { fmt.Println(\"hello from\", runtime.GOOS+\"/\"+runtime.GOARCH) }\n")


def gpg(home, *args):
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--no-tty", "--pinentry-mode", "loopback",
                           "--passphrase", ""] + list(args), capture_output=True, text=True, timeout=120, check=True)


def new_key(home, uid):
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    gpg(home, "--quick-gen-key", uid, "ed25519", "sign", "never")
    gpg(home, "--output", str(home / "pub.gpg"), "--export", uid)
    return home / "pub.gpg"


def build(dest, keys, **kwargs):
    try:
        return bundle_fixtures.build_bundle(dest, keys, **kwargs)
    except LookupError as why:
        pytest.skip("skipped: %s" % why)


def inventory(path, hosts, extra=None):
    """go_hosts: the containers (the controller's steps need no inventory entry)."""
    doc = {"all": {"children": {"go_hosts": {"hosts": dict(
        (h.name, dict({"ansible_connection": h.engine.connection_plugin, "ansible_host": h.name,
                       "ansible_python_interpreter": "/usr/bin/python3"}, **(extra or {}).get(h.name, {})))
        for h in hosts)}}}}
    path.write_text(json.dumps(doc))
    return path


def site(tmp_path, inv, bundle, *extra, playbook="site.yml"):
    argv = [ansible_run.ANSIBLE_PLAYBOOK, "-i", str(inv), str(ROOT / "playbooks" / playbook),
            "-e", "gofleet_bundle_dir=%s" % bundle, "-e", "toolchain_selinux=never"] + list(extra)
    proc = subprocess.run(argv, env=ansible_run.ansible_env(), capture_output=True, text=True, timeout=1800,
                          cwd=str(tmp_path), check=False)
    try:
        return proc, json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("not JSON (rc=%d)\n%s\n%s" % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))


def failures(report):
    """[(host, msg)] of every failed task result."""
    out = []
    for play in report["plays"]:
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                if result.get("failed"):
                    out.append((host, result.get("msg", "")))
    return out


def untouched(host):
    """Nothing gofleet writes exists on the host."""
    for path in ("/var/cache/gofleet", "/usr/local/go", "/usr/local/lib/go", "/etc/gofleet", "/etc/profile.d/go.sh"):
        assert host.exec(["test", "-e", path], check=False).returncode != 0, "%s: %s was created" % (host.name, path)


@pytest.fixture(scope="module")
def signed_bundle(tmp_path_factory):
    if shutil.which("gpg") is None:
        pytest.skip("skipped: gpg unavailable on this machine")
    base = tmp_path_factory.mktemp("fleet-signed")
    keyring = new_key(base / "gnupg", "fleet release <fleet@example.invalid>")
    other = new_key(base / "other", "someone else <else@example.invalid>")
    bundle = build(base / "bundle", [(VERSION, "amd64")], signing_key="fleet@example.invalid",
                   gnupg_home=base / "gnupg")
    return {"dir": bundle, "keyring": keyring, "other": other}


def _tamper(copy, how):
    if how == "flip":
        with open(copy / ("go%s.linux-amd64.tar.gz" % VERSION), "r+b") as f:
            f.seek(5000)
            byte = f.read(1)
            f.seek(5000)
            f.write(bytes([byte[0] ^ 1]))
        return "go%s.linux-amd64.tar.gz" % VERSION
    if how == "extra":
        (copy / "evil.sh").write_text("#!/bin/sh\n")
        return "evil.sh"
    return "SHA256SUMS"


@pytest.mark.parametrize("how", ["flip", "extra", "signer"])
def test_tampered_bundle_stops_on_the_controller_with_zero_hosts_changed(
        tmp_path, container_factory, debian_image, signed_bundle, how):
    host = container_factory(debian_image, network="none", systemd=True)
    host.wait_systemd()
    copy = tmp_path / "bundle"
    shutil.copytree(signed_bundle["dir"], copy)
    named = _tamper(copy, how)
    keyring = signed_bundle["other" if how == "signer" else "keyring"]
    proc, report = site(tmp_path, inventory(tmp_path / "inv.json", [host]), copy,
                        "-e", "gofleet_bundle_keyring=%s" % keyring)
    assert proc.returncode != 0
    fails = failures(report)
    assert fails, proc.stdout[-3000:]
    msg = fails[0][1]
    assert named in msg and "\n" not in msg.strip() and "Traceback" not in proc.stdout + proc.stderr, msg
    assert report["stats"][host.name]["changed"] == 0
    untouched(host)


def test_host_of_an_architecture_the_bundle_lacks_fails_before_anything_is_copied(
        tmp_path, container_factory, debian_image):
    # A bundle with only arm64; the host is x86_64.
    bundle = build(tmp_path / "arm-only", [(VERSION, "arm64")])
    host = container_factory(debian_image, network="none", systemd=True)
    host.wait_systemd()
    proc, report = site(tmp_path, inventory(tmp_path / "inv.json", [host]), bundle)
    assert proc.returncode != 0
    fails = failures(report)
    assert fails and fails[0][0] == host.name, proc.stdout[-3000:]
    msg = fails[0][1]
    assert "\n" not in msg.strip()
    for word in (host.name, "x86_64", "amd64", str(bundle), "it has arm64"):
        assert word in msg, (word, msg)
    assert report["stats"][host.name]["changed"] == 0
    untouched(host)


def test_loong64_old_world_abi_is_refused(tmp_path, container_factory, debian_image):
    """No loong64 machine here: the host reports loongarch64 through its facts, and has no
    /lib64/ld-linux-loongarch-lp64d.so.1 (the old-world ABI's layout)."""
    bundle = build(tmp_path / "b", [(VERSION, "amd64")])
    host = container_factory(debian_image, network="none", systemd=True)
    host.wait_systemd()
    play = [{"name": "loong64 host", "hosts": "go_hosts", "gather_facts": True,
             "pre_tasks": [
                 {"name": "Verify", "ansible.builtin.import_tasks": str(ROOT / "playbooks" / "tasks" / "verify_bundle.yml")},
                 {"name": "Learn the platform", "gofleet.golang.platform": {}},
                 {"name": "Pretend to be a Loongson host",
                  "ansible.builtin.set_fact": {"fake_facts": "{{ ansible_facts | combine({'gofleet_platform': "
                                                             "ansible_facts.gofleet_platform | combine({'machine': "
                                                             "'loongarch64', 'go_arch': 'loong64'})}) }}"}}],
             "tasks": [{"name": "Install Go", "ansible.builtin.include_role": {"name": "gofleet.golang.toolchain"},
                        "vars": {"ansible_facts": "{{ fake_facts }}", "toolchain_bundle": "{{ gofleet_bundle }}",
                                 "toolchain_version": "{{ gofleet_bundle.version }}"}}]}]
    (tmp_path / "loong.yml").write_text(json.dumps(play))
    argv = [ansible_run.ANSIBLE_PLAYBOOK, "-i", str(inventory(tmp_path / "inv.json", [host])), str(tmp_path / "loong.yml"),
            "-e", "gofleet_bundle_dir=%s" % bundle]
    proc = subprocess.run(argv, env=ansible_run.ansible_env(), capture_output=True, text=True, timeout=900,
                          cwd=str(tmp_path), check=False)
    report = json.loads(proc.stdout)
    fails = failures(report)
    assert fails, proc.stdout[-3000:]
    msg = fails[0][1]
    assert "old-world ABI" in msg and "/lib64/ld-linux-loongarch-lp64d.so.1" in msg and "new-world" in msg, msg
    assert host.name in msg and "\n" not in msg.strip()
    assert report["stats"][host.name]["changed"] == 0
    untouched(host)


@pytest.fixture
def arm64_image(engine):
    """The arm64 Debian 12 image (images.sh arm64, ~4 min the first time), binfmt re-enabled."""
    proc = subprocess.run(["bash", str(ROOT / "tests" / "harness" / "binfmt.sh")], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        pytest.skip("skipped: arm64 emulation unavailable: %s" % (proc.stdout + proc.stderr).strip()[-300:])
    if not engine.image_exists(ARM64_IMAGE):
        proc = subprocess.run(["bash", str(ROOT / "tests" / "harness" / "images.sh"), "arm64"], capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0 or not engine.image_exists(ARM64_IMAGE):
            pytest.skip("skipped: image unavailable: %s: %s" % (ARM64_IMAGE, (proc.stdout + proc.stderr)[-300:]))
    return ARM64_IMAGE


HELLO_PLAY = {
    "name": "hello on every host, with no network", "hosts": "go_hosts", "gather_facts": False,
    "tasks": [
        {"name": "Create the hello module directory",
         "ansible.builtin.file": {"path": "/root/hello", "state": "directory", "mode": "0755"}},
        {"name": "Write hello", "ansible.builtin.copy": {"dest": "/root/hello/{{ item.name }}",
                                                         "content": "{{ item.content }}", "mode": "0644"},
         "loop": [{"name": "go.mod", "content": "module example.com/hello\n\ngo 1.22\n"},
                  {"name": "main.go", "content": HELLO}]},
        {"name": "Build and run hello", "ansible.builtin.command": {
            "cmd": "sh -lc 'go version && cd /root/hello && CGO_ENABLED=0 go build -o hello . && ./hello'"},
         "register": "hello", "changed_when": False},
    ]}


def test_mixed_architecture_fleet_from_one_bundle(tmp_path, container_factory, debian_image, arm64_image):
    bundle = build(tmp_path / "fleet", [(VERSION, "amd64"), (VERSION, "arm64")])
    amd = container_factory(debian_image, network="none", systemd=True)
    subprocess.run(["bash", str(ROOT / "tests" / "harness" / "binfmt.sh")], check=True, capture_output=True)
    arm = container_factory(arm64_image, network="none", systemd=True, arch="arm64")
    amd.wait_systemd()
    arm.wait_systemd(timeout=300)
    assert arm.exec(["uname", "-m"]).stdout.strip() == "aarch64"
    inv = inventory(tmp_path / "inv.json", [amd, arm])
    (tmp_path / "hello.yml").write_text(json.dumps([
        {"name": "fleet", "ansible.builtin.import_playbook": str(ROOT / "playbooks" / "site.yml")}, HELLO_PLAY]))

    started = time.monotonic()
    proc, report = site(tmp_path, inv, bundle, playbook=str(tmp_path / "hello.yml"))
    first = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    outputs = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == "Build and run hello":
                outputs = dict((h, r["stdout_lines"]) for h, r in task["hosts"].items())
    for host, arch in ((amd, "amd64"), (arm, "arm64")):
        lines = outputs[host.name]
        assert lines[0].startswith("go version go%s " % VERSION) and lines[0].endswith("linux/%s" % arch), lines
        assert lines[-1] == "hello from linux/%s" % arch, lines
        # The tarball on the node is the bundle's for its architecture.
        sha = host.exec(["sha256sum", "/var/cache/gofleet/artifacts/go%s.linux-%s.tar.gz" % (VERSION, arch)]).stdout.split()[0]
        assert sha == bundle_fixtures.sha256(bundle / ("go%s.linux-%s.tar.gz" % (VERSION, arch)))

    started = time.monotonic()
    proc, report = site(tmp_path, inv, bundle, playbook=str(tmp_path / "hello.yml"))
    second = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert report["stats"][amd.name]["changed"] == 0 and report["stats"][arm.name]["changed"] == 0, report["stats"]
    print("mixed fleet: converge %.0fs, no-op %.0fs" % (first, second))
