# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A playbook through ansible-navigator in a stand-in EE, against an offline container (issue 15 item 1).

The real EE base (AAP ee-minimal-rhel9) cannot be pulled here. The stand-in is built with podman
from the project's Debian image, from the context `ansible-builder create` makes, with the steps
its Containerfile runs (tests/ee/Containerfile.standin). ansible-navigator then runs a play with
--pull-policy never; the gocache role and the go_toolchain module (state=absent, a dry probe) come
from the collection installed in the image, which -vvv shows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
TAG = "localhost/gofleet/ee-standin:test"
EE_COLLECTIONS = "/usr/share/ansible/collections/ansible_collections"

pytestmark = pytest.mark.containers


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, check=False, **kw)


@pytest.fixture(scope="module")
def standin_image(engine, debian_image, tmp_path_factory):
    if shutil.which("podman") is None or "podman" not in str(engine.connection_plugin):
        pytest.skip("skipped: the stand-in EE is built with podman, and podman is not the engine here")
    tmp = tmp_path_factory.mktemp("ee-standin")
    proc = run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(tmp / "dist"), str(ROOT)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ee = tmp / "ee"
    shutil.copytree(ROOT / "ee", ee, ignore=shutil.ignore_patterns("context", "collections"))
    (ee / "collections").mkdir()
    shutil.copy(next((tmp / "dist").glob("gofleet-golang-*.tar.gz")), ee / "collections" / "gofleet-golang.tar.gz")
    proc = run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context"], cwd=str(ee))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    context = ee / "context"
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="(.*)"$', (context / "Containerfile").read_text(), re.M).group(1)
    docker = BIN.parent / "lib" / "python3.11" / "site-packages" / "ansible_collections" / "community" / "docker"
    shutil.copytree(docker, context / "standin" / "community.docker")
    argv = ["podman", "build", "-q", "-f", str(ROOT / "tests" / "ee" / "Containerfile.standin"),
            "--build-arg", "BASE_IMAGE=" + debian_image, "--build-arg", "ANSIBLE_INSTALL_REFS=" + refs,
            "-t", TAG, str(context)]
    ca = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE")
    if ca and os.path.isfile(ca):  # a TLS-intercepting proxy's CA, for the build's pip only
        argv[2:2] = ["-v", "%s:/run/host-ca.crt:ro" % ca, "--build-arg", "PIP_CERT=/run/host-ca.crt"]
    proc = run(argv, timeout=1800)
    if proc.returncode != 0 and ("Could not find a version" in proc.stderr or "Temporary failure" in proc.stderr):
        pytest.skip("skipped: the stand-in EE build cannot reach PyPI or Debian: " + proc.stderr.strip()[-300:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return TAG


def test_playbook_runs_through_navigator_in_the_standin_ee(standin_image, engine, debian_image, tmp_path):
    socket = os.environ.get("DOCKER_HOST", "")
    if not socket.startswith("unix://"):
        pytest.skip("skipped: no engine API socket to reach the offline container from the EE (DOCKER_HOST)")
    socket = socket[len("unix://"):]
    # ansible-navigator refuses podman without /dev/mqueue/ (POSIX message queues), which this VM
    # lacks; podman mounts its own mqueue in the container, the directory only has to exist.
    if not os.path.isdir("/dev/mqueue"):
        if os.geteuid() != 0:
            pytest.skip("skipped: ansible-navigator needs /dev/mqueue/ and it cannot be created here (not root)")
        os.makedirs("/dev/mqueue", exist_ok=True)
    target = engine.container(debian_image, name="gofleet-test-%s" % os.urandom(4).hex(), network="none",
                              command="sleep infinity")
    try:
        (tmp_path / "inventory.yml").write_text(json.dumps({"all": {"hosts": {target.name: {
            "ansible_connection": "community.docker.docker_api", "ansible_host": target.name,
            "ansible_docker_docker_host": "unix:///run/engine.sock",
            "ansible_python_interpreter": "/usr/bin/python3"}}}}))
        (tmp_path / "play.yml").write_text(json.dumps([{
            "name": "gofleet in the EE", "hosts": "all", "gather_facts": True,
            "roles": [{"role": "gofleet.golang.gocache", "gocache_selinux": "never"}],
            "tasks": [{"name": "Probe go_toolchain", "gofleet.golang.go_toolchain": {
                "version": "1.22.12", "state": "absent", "install_root": "/opt/go-none", "link": "/opt/go-none/go",
                "bin_dir": "/opt/go-none/bin"}}]}]))
        argv = [str(BIN / "ansible-navigator"), "run", "play.yml", "-i", "inventory.yml", "-vvv",
                "--mode", "stdout", "--ee", "true", "--ce", "podman", "--execution-environment-image", standin_image,
                "--pull-policy", "never", "--pae", "false", "--lf", str(tmp_path / "navigator.log"),
                "--eev", "%s:/run/engine.sock" % os.path.realpath(socket), "--co=--network=none",
                "--senv", "ANSIBLE_COLLECTIONS_PATH=/usr/share/ansible/collections",
                "--senv", "DOCKER_HOST=unix:///run/engine.sock", "--senv", "ANSIBLE_NOCOLOR=1"]
        proc = run(argv, cwd=str(tmp_path), timeout=900)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, out[-6000:]
        assert re.search(r"%s\s*:\s*ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0" % re.escape(target.name), out), out[-3000:]
        assert "Using module file %s/gofleet/golang/plugins/modules/go_toolchain.py" % EE_COLLECTIONS in out, out[-3000:]
        assert "task path: %s/gofleet/golang/roles/gocache/tasks/main.yml" % EE_COLLECTIONS in out
        stat = target.exec(["stat", "-c", "%a %G", "/var/cache/go-build", "/var/cache/gomod"]).stdout.split("\n")
        assert [line for line in stat if line] == ["2775 gocache", "2775 gocache"]
    finally:
        target.remove()
