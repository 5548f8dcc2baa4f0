# -*- coding: utf-8 -*-
"""go_offline_mirror for real: the real `go` (from the harness's Go tarball) downloads from a
file:// upstream made of tests/fixtures/gomod_upstream, the module runs through
ansible-playbook with connection local."""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import ansible_run
import mirror_fixtures


pytestmark = pytest.mark.integration

PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Run go_offline_mirror
      gofleet.golang.go_offline_mirror: "{{ mirror_args }}"
      register: result
      ignore_errors: true  # the test reads failures from the saved result
    - name: Save the result
      ansible.builtin.copy:
        content: "{{ result | to_json }}"
        dest: "{{ result_file }}"
        mode: "0644"
      check_mode: false
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("mirror-world")
    goroot = mirror_fixtures.extract_go(base / "goroot")
    if goroot is None:
        pytest.skip("skipped: Go tarball unavailable: %s (run tests/harness/go_tarballs.sh)"
                    % (mirror_fixtures.ARTIFACTS / mirror_fixtures.GO_TARBALL))
    proxy = mirror_fixtures.build_goproxy(base / "upstream")
    app = mirror_fixtures.copy_app("app", base / "app")
    mirror_fixtures.make_go_sum(goroot, app, proxy, base / "sumwork")
    (base / "pb.yml").write_text(PLAYBOOK)
    return {"base": base, "go": str(goroot / "bin" / "go"), "goroot": goroot,
            "upstream": "file://%s" % proxy, "app": app}


def run(world, args, check=False, diff=False, cwd=None):
    out = world["base"] / "result.json"
    if out.exists():
        out.unlink()
    (world["base"] / "vars.json").write_text(json.dumps({"mirror_args": args, "result_file": str(out)}))
    played = ansible_run.run(world["base"] / "pb.yml", extra_vars=["@%s" % (world["base"] / "vars.json")],
                             check=check, diff=diff, timeout=600, workdir=cwd)
    assert played.proc.returncode == 0, played.output
    return json.loads(out.read_text())


def built_args(world, path, requirements, bundle=None):
    args = {"state": "built", "path": str(path), "requirements": requirements, "upstream": world["upstream"],
            "gosumdb": "off", "go": world["go"]}
    if bundle:
        args["bundle"] = str(bundle)
    return args


def tree(path):
    return sorted(str(p.relative_to(path)) for p in Path(path).rglob("*")) if Path(path).exists() else []


def go_build(world, proxy_url, app_dir, work):
    env = mirror_fixtures.go_env(world["goroot"], work, proxy_url, GOFLAGS="-mod=readonly")
    return subprocess.run([world["go"], "build", "-o", str(work / "app.bin"), "."], cwd=str(app_dir), env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_built_check_idempotent_bundle(world):
    base = world["base"]
    mirror, bundle = base / "m1", base / "out" / "one.tar.gz"
    args = built_args(world, mirror, [str(world["app"] / "go.mod")], bundle)

    planned = run(world, args, check=True, diff=True)
    assert planned["changed"] is True, planned
    assert "example.com/Upper/Mod@v1.0.0" in planned["diff"]["after"]
    assert not mirror.exists() and not bundle.exists(), "check mode wrote something"
    assert not (base / ".m1.gofleet.lock").exists(), "check mode created the lock file"

    first = run(world, args)
    assert first["changed"] is True and first.get("failed") is not True, first
    assert first["added"] == planned["added"] == [
        "example.com/Upper/Mod@v1.0.0", "example.com/dep@v1.0.0", "example.com/lib/v2@v2.0.0", "example.com/lib@v1.1.0"]
    files = tree(mirror)
    assert "example.com/!upper/!mod/@v/v1.0.0.zip" in files and "example.com/lib/v2/@v/v2.0.0.mod" in files
    assert not [f for f in files if f.endswith(".lock") or f.startswith("cache") or "vcs" in f]
    sha_line = Path(str(bundle) + ".sha256").read_text()
    assert sha_line == "%s  one.tar.gz\n" % first["bundle_sha256"]
    assert subprocess.run(["sha256sum", "-c", bundle.name + ".sha256"], cwd=str(bundle.parent),
                          capture_output=True, check=False).returncode == 0

    again = run(world, args)
    assert again["changed"] is False and again["bundle_sha256"] == first["bundle_sha256"], again
    assert run(world, args, check=True)["changed"] is False

    # The built tree is itself a GOPROXY: the app builds from it alone.
    proc = go_build(world, "file://%s,off" % mirror, world["app"], base / "gb-built")
    assert proc.returncode == 0, proc.stderr


def test_present_merge_verify_repair(world):
    base = world["base"]
    one = base / "out" / "one.tar.gz"
    if not one.exists():
        run(world, built_args(world, base / "m1", [str(world["app"] / "go.mod")], one))
    two = base / "out" / "two.tar.gz"
    second = run(world, built_args(world, base / "m2", ["example.com/extra@v1.0.0", "example.com/lib@v1.0.0"], two))
    assert second["changed"] and second["modules"] == ["example.com/extra@v1.0.0", "example.com/lib@v1.0.0"]

    def checksum(bundle):
        return "sha256:" + Path(str(bundle) + ".sha256").read_text().split()[0]

    srv = base / "srv"
    present = {"state": "present", "path": str(srv), "bundle": str(one), "checksum": checksum(one)}

    plan = run(world, present, check=True)
    assert plan["changed"] is True and not srv.exists()
    assert not (base / ".srv.gofleet.lock").exists(), "check mode created the lock file"
    first = run(world, present)
    assert first["changed"] is True and first["release"] == plan["release"], first
    assert os.readlink(str(srv / "current")) == "releases/" + first["release"]
    assert run(world, present)["changed"] is False

    merged = run(world, dict(present, bundle=str(two), checksum=checksum(two)), diff=True)
    assert merged["changed"] is True
    assert set(first["modules"]) | {"example.com/extra@v1.0.0", "example.com/lib@v1.0.0"} == set(merged["modules"])
    assert (srv / "current" / "example.com/lib/@v/list").read_text() == "v1.0.0\nv1.1.0\n"
    assert run(world, present)["changed"] is False, "re-applying the first bundle must not lose modules"

    # Offline build through the installed mirror.
    proc = go_build(world, "file://%s/current,off" % srv, world["app"], base / "gb-srv")
    assert proc.returncode == 0, proc.stderr

    # Tamper: fast verify sees the append, reports it, repairs it from the bundle.
    zip_path = srv / "current" / "example.com/lib/@v/v1.1.0.zip"
    good = zip_path.read_bytes()
    with open(str(zip_path), "ab") as f:
        f.write(b"tampered")
    seen = run(world, present, check=True, diff=True)
    assert seen["changed"] is True and seen["drift"] == ["changed: example.com/lib/@v/v1.1.0.zip"]
    # --check --diff shows the tampered file's expected and found size and sha256, without -v.
    want = "size %d, sha256 %s" % (len(good), hashlib.sha256(good).hexdigest())
    found = "size %d, sha256 %s" % (len(good) + 8, hashlib.sha256(good + b"tampered").hexdigest())
    assert seen["drift_items"] == [{"item": "example.com/lib/@v/v1.1.0.zip", "aspect": "content",
                                    "expected": want, "found": found}], seen
    shown = seen["diff"][-1]
    assert "content example.com/lib/@v/v1.1.0.zip: %s" % want in shown["after"]
    assert "content example.com/lib/@v/v1.1.0.zip: %s" % found in shown["before"]
    assert zip_path.read_bytes() != good
    fixed = run(world, dict(present, verify="full"))
    assert fixed["changed"] is True and fixed["drift"] == ["changed: example.com/lib/@v/v1.1.0.zip"]
    assert zip_path.read_bytes() == good
    assert run(world, dict(present, verify="full"))["changed"] is False


@pytest.mark.parametrize("args, fragment", [
    ({"state": "present", "bundle": "/nonexistent.tar.gz", "checksum": "sha256:" + "0" * 64}, "bundle /nonexistent.tar.gz does not exist"),
    ({"state": "built", "requirements": ["example.com/none@v9.9.9"]}, "example.com/none@v9.9.9"),
    ({"state": "built", "requirements": ["example.com/lib@latest"]}, "requirements: example.com/lib@latest"),
    # an option of the other state would be ignored: say so instead
    ({"state": "built", "requirements": ["example.com/lib@v1.0.0"], "signature": "/b.asc", "keyring": "/k.gpg"},
     "keyring, signature apply only to state=present"),
    ({"state": "present", "bundle": "/b.tar.gz", "checksum": "sha256:" + "0" * 64,
      "requirements": ["example.com/lib@v1.0.0"]}, "requirements apply only to state=built"),
])
def test_errors_are_one_line_naming_the_input(world, args, fragment):
    args = dict(args, path=str(world["base"] / "err"))
    if args["state"] == "built":
        args.update(upstream=world["upstream"], gosumdb="off", go=world["go"])
    res = run(world, args)
    assert res["failed"] is True and fragment in res["msg"] and "\n" not in res["msg"], res


@pytest.mark.parametrize("option, value", [("path", "rel/mirror"), ("bundle", "out/one.tar.gz"),
                                           ("keyring", "keys/k.gpg")])
def test_relative_paths_are_refused(world, option, value):
    base = world["base"]
    one = base / "out" / "one.tar.gz"
    if not one.exists():
        run(world, built_args(world, base / "m1", [str(world["app"] / "go.mod")], one))
    cwd = base / ("cwd-" + option)
    (cwd / "out").mkdir(parents=True, exist_ok=True)
    shutil.copy(str(one), str(cwd / "out" / "one.tar.gz"))
    args = {"state": "present", "path": str(base / "srv-rel"), "bundle": str(one),
            "checksum": "sha256:" + Path(str(one) + ".sha256").read_text().split()[0]}
    if option == "keyring":
        args["signature"] = str(one) + ".asc"
    args[option] = value
    for check in (True, False):
        res = run(world, args, check=check, cwd=cwd)
        assert res.get("failed") is True and res["msg"] == "%s must be an absolute path, got %r" % (option, value), res
    assert not (cwd / "rel").exists() and not (base / "srv-rel").exists()


def _gpg(home, *args):
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--no-tty", "--pinentry-mode", "loopback",
                           "--passphrase", ""] + list(args), capture_output=True, text=True, timeout=120, check=False)


def test_present_checks_the_signature(world):
    if shutil.which("gpg") is None:
        pytest.skip("skipped: gpg unavailable on this machine")
    base = world["base"]
    bundle = base / "out" / "signed.tar.gz"
    made = run(world, built_args(world, base / "m3", ["example.com/lib@v1.0.0"], bundle))
    home = base / "gnupg"
    home.mkdir(mode=0o700)
    assert _gpg(home, "--quick-gen-key", "gofleet mirror test <mirror@example.invalid>", "ed25519", "sign", "never").returncode == 0
    assert _gpg(home, "--output", str(bundle) + ".asc", "--detach-sign", str(bundle)).returncode == 0
    assert _gpg(home, "--output", str(base / "keyring.gpg"), "--export").returncode == 0
    other = base / "gnupg-other"
    other.mkdir(mode=0o700)
    assert _gpg(other, "--quick-gen-key", "someone else <else@example.invalid>", "ed25519", "sign", "never").returncode == 0
    assert _gpg(other, "--output", str(base / "other.gpg"), "--export").returncode == 0

    args = {"state": "present", "path": str(base / "srv-signed"), "bundle": str(bundle),
            "checksum": made["bundle_checksum"], "signature": str(bundle) + ".asc"}
    refused = run(world, dict(args, keyring=str(base / "other.gpg")))
    assert refused["failed"] is True and "does not verify" in refused["msg"] and str(bundle) in refused["msg"], refused
    assert not (base / "srv-signed" / "current").exists()
    accepted = run(world, dict(args, keyring=str(base / "keyring.gpg")))
    assert accepted["changed"] is True and accepted.get("failed") is not True, accepted


CLIENT_PLAY = """
- hosts: localhost
  connection: local
  gather_facts: true
  roles:
    - role: gofleet.golang.offline_mirror
      vars:
        offline_mirror_role: client
        offline_mirror_path: /srv/gomirror
        offline_mirror_username: "{{ user }}"
        offline_mirror_password: secret
        offline_mirror_netrc_path: "{{ netrc }}"
"""


@pytest.mark.parametrize("user, fails", [("builder", True), ("", False)])
def test_client_role_refuses_credentials_it_cannot_use(world, user, fails):
    base = world["base"]
    (base / "client.yml").write_text(CLIENT_PLAY)
    netrc = base / ("netrc-%s" % (user or "none"))
    proc = ansible_run.run(base / "client.yml", extra_vars=[{"user": user, "netrc": str(netrc)}], timeout=300).proc
    if fails:
        assert proc.returncode != 0 and "offline_mirror_username" in proc.stdout, proc.stdout
        assert "secret" not in proc.stdout + proc.stderr
    else:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not netrc.exists()
