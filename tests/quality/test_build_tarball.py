"""The collection as users get it: `ansible-galaxy collection build`, then `collection install`.

The tree is copied to a temporary directory with the litter a working tree collects (logs,
caches, venvs, test output, bench artefacts) and built there, so the test sees what a build from
a used checkout ships (issue 13 item 18, issue 15 item 2). The tarball is then installed into an
empty collections path and a module and a role run from there, with ANSIBLE_COLLECTIONS_PATH
naming only that path; Ansible's own -vvv lines say which files it used.
"""

import fnmatch
import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
import ansible_run
import engine as harness

LITTER = ["make-test.log", "roles/toolchain/debug.log", ".pytest_cache/v/cache/lastfailed",
          "plugins/module_utils/__pycache__/go_env.cpython-311.pyc", "__pycache__/x.pyc",
          "tests/output/junit.xml", "artifacts/gomirror.tar.gz", "gofleet-golang-0.0.1.tar.gz",
          "molecule/debian/.molecule/state.yml", ".cache/podman/podman.sock.txt", "nohup.out",
          ".venv/bin/python", ".cache/matrix/2.17/venv/pyvenv.cfg", ".tox/py/log.txt",
          "bench/results/latest.json", "bench/.last-run.json", "changelogs/.plugin-cache.yaml",
          "context/Containerfile", "ee/context/Containerfile", "ee/collections/gofleet-golang.tar.gz",
          "roles/gocache/.pytest_cache/README.md", ".ansible/collections/x.txt"]
# Development material: none of it may ship.
EXCLUDED = ["molecule/*", "tests/*", "bench/*", "docs/dev/*", ".ci/*", ".cache/*", ".pytest_cache/*",
            ".venv/*", ".tox/*", ".ansible/*", "context/*", "*/context/*", "ee/*", "changelogs/fragments/*",
            "*/.pytest_cache/*", "changelogs/.plugin-cache.yaml",
            "artifacts/*", "Makefile", "requirements.txt", "pytest.ini", ".ansible-lint", ".gitignore",
            "*.log", "*__pycache__*", "*.pyc", "*.tar.gz", "nohup.out"]
# What users need: every plugin and role file git tracks, the playbooks and the user docs.
SHIPPED_TOPS = ("plugins/", "roles/", "playbooks/", "meta/")
SHIPPED_FILES = ["README.md", "CHANGELOG.md", "docs/offline_mirror.md", "MANIFEST.json", "FILES.json"]


def tracked_files():
    proc = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [p for p in proc.stdout.splitlines() if (ROOT / p).is_file()]


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The collection built from a littered copy of the working tree."""
    tmp_path = tmp_path_factory.mktemp("galaxy-build")
    src = tmp_path / "ansible_collections" / "gofleet" / "golang"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(".venv", ".cache", ".build", ".git"))
    for rel in LITTER:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("litter\n")
    out = tmp_path / "dist"
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(src)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = out.glob("gofleet-golang-*.tar.gz")
    return built


def members_of(tarball):
    with tarfile.open(tarball) as tar:
        return [m.name[2:] if m.name.startswith("./") else m.name for m in tar.getmembers() if not m.isdir()]


def test_built_tarball_ships_only_what_users_need(tarball):
    members = members_of(tarball)
    shipped_dev = sorted(m for m in members if any(fnmatch.fnmatch(m, pattern) for pattern in EXCLUDED))
    assert shipped_dev == [], shipped_dev
    for name in SHIPPED_FILES:
        assert name in members, name
    wanted = [p for p in tracked_files() if p.startswith(SHIPPED_TOPS)]
    assert "playbooks/site.yml" in wanted or "playbooks/provision_toolchain.yml" in wanted
    missing = sorted(set(wanted) - set(members))
    assert missing == [], missing


def test_galaxy_yml_has_no_placeholder_urls(tarball):
    with tarfile.open(tarball) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))["collection_info"]
    placeholders = {k: v for k, v in manifest.items() if isinstance(v, str) and "example.invalid" in v}
    assert placeholders == {}
    assert "example.invalid" not in (ROOT / "galaxy.yml").read_text()


USING_MODULE = re.compile(r"^Using module file (\S+)$", re.M)
TASK_PATH = re.compile(r"^task path: (\S+?):\d+$", re.M)


def controller_tarball(go_tarballs, version):
    """The amd64 tarball of `version`: SHA256SUMS may list arm64 ones as well (fleet tests)."""
    name = "go%s.linux-amd64.tar.gz" % version
    sums = dict(reversed(line.split()) for line in (Path(go_tarballs[version]["path"]).parent / "SHA256SUMS")
                .read_text().splitlines() if line.strip())
    if os.uname()[4] != "x86_64" or name not in sums:
        pytest.skip("skipped: no %s for this controller in .cache/artifacts" % name)
    return Path(go_tarballs[version]["path"]).parent / name, sums[name]


def test_installed_tarball_runs_a_module_and_a_role(tarball, tmp_path, engine, debian_image, go_tarballs):
    """`collection install` into an empty path; the module go_toolchain runs on this machine into a
    temporary root, the role gocache in an offline container, both from the installed copy only."""
    install = tmp_path / "collections"
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-p", str(install),
                           str(tarball)], capture_output=True, text=True, check=False,
                          # only the empty path: a gofleet.golang found elsewhere (.build) would make it a no-op
                          env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(install)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = install / "ansible_collections" / "gofleet" / "golang"
    assert (installed / "plugins" / "modules" / "go_toolchain.py").is_file()
    assert json.loads((installed / "MANIFEST.json").read_text())["collection_info"]["name"] == "golang"

    container = engine.container(debian_image, name="gofleet-test-%s" % os.urandom(4).hex(),
                                 network="none", command="sleep infinity")
    try:
        version = "1.22.12"
        go_tarball, go_sha256 = controller_tarball(go_tarballs, version)
        goroot_base = tmp_path / "goroots"
        goroot_base.mkdir()
        plays = [
            {"name": "role from the installed collection", "hosts": "all", "gather_facts": True,
             "roles": [{"role": "gofleet.golang.gocache", "gocache_selinux": "never"}]},
            {"name": "module from the installed collection", "hosts": "localhost", "gather_facts": False,
             "connection": "local",
             "tasks": [{"name": "Install Go into a temporary root", "gofleet.golang.go_toolchain": {
                 "version": version, "src": str(go_tarball), "checksum": "sha256:" + go_sha256,
                 "install_root": str(goroot_base / "lib"), "link": str(goroot_base / "go"),
                 "bin_dir": str(goroot_base / "bin")}}]},
        ]
        workdir = tmp_path / "run"
        workdir.mkdir()
        inventory = harness.write_inventory(workdir / "inventory.yml", [container])
        (workdir / "play.yml").write_text(json.dumps(plays))
        env = ansible_run.ansible_env(ANSIBLE_COLLECTIONS_PATH=str(install), ANSIBLE_STDOUT_CALLBACK="default",
                                      ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="True")
        proc = subprocess.run([str(BIN / "ansible-playbook"), "-vvv", "-i", str(inventory), "play.yml"],
                              cwd=str(workdir), env=env, capture_output=True, text=True, timeout=600, check=False)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, out[-6000:]

        modules = set(USING_MODULE.findall(out))
        assert str(installed / "plugins" / "modules" / "go_toolchain.py") in modules, sorted(modules)
        ours = sorted(m for m in modules if "/gofleet/" in m)
        assert ours and all(m.startswith(str(installed)) for m in ours), ours
        role_tasks = set(TASK_PATH.findall(out))
        assert str(installed / "roles" / "gocache" / "tasks" / "main.yml") in role_tasks, sorted(role_tasks)
        # The source tree is the collection's own plugins and roles (and the .build link to them);
        # ansible's builtin modules come from the venv, which may sit under ROOT too.
        source = tuple(str(ROOT / d) + "/" for d in ("plugins", "roles", ".build"))
        assert not [p for p in role_tasks | modules if p.startswith(source)], "the source tree was used"

        # Real state: the Go that the installed module put there builds nothing less than `go version`,
        # and the role made the cache directories in the container.
        go = goroot_base / "bin" / "go"
        version_out = subprocess.run([str(go), "version"], capture_output=True, text=True, check=True,
                                     env=dict(os.environ, GOTOOLCHAIN="local")).stdout
        assert "go%s" % version in version_out
        stat = container.exec(["stat", "-c", "%a %G", "/var/cache/go-build", "/var/cache/gomod"]).stdout.split("\n")
        assert [line for line in stat if line] == ["2775 gocache", "2775 gocache"]
    finally:
        container.remove()
