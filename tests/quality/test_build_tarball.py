"""What `ansible-galaxy collection build` ships: what users need, no development material (issue 13, item 18).

The tree is copied to a temporary directory with the litter a working tree collects (logs,
caches, test output) and built there, so the test sees what a build from a used checkout ships.
"""

import fnmatch
import shutil
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GALAXY = ROOT / ".venv" / "bin" / "ansible-galaxy"

LITTER = ["make-test.log", "roles/toolchain/debug.log", ".pytest_cache/v/cache/lastfailed",
          "plugins/module_utils/__pycache__/go_env.cpython-311.pyc", "__pycache__/x.pyc",
          "tests/output/junit.xml", "artifacts/gomirror.tar.gz", "gofleet-golang-0.0.1.tar.gz",
          "molecule/debian/.molecule/state.yml", ".cache/podman/podman.sock.txt", "nohup.out"]
# Development material: none of it may ship.
EXCLUDED = ["molecule/*", "tests/*", "bench/*", "docs/dev/*", ".ci/*", ".cache/*", ".pytest_cache/*",
            "artifacts/*", "Makefile", "requirements.txt", "pytest.ini", ".ansible-lint", ".gitignore",
            "*.log", "*__pycache__*", "*.pyc", "*.tar.gz", "nohup.out"]
# What users need: every plugin and role file git tracks, the playbooks and the user docs.
SHIPPED_TOPS = ("plugins/", "roles/", "playbooks/", "meta/")
SHIPPED_FILES = ["README.md", "CHANGELOG.md", "docs/offline_mirror.md", "MANIFEST.json", "FILES.json"]


def tracked_files():
    proc = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [p for p in proc.stdout.splitlines() if (ROOT / p).is_file()]


def build(tmp_path):
    src = tmp_path / "ansible_collections" / "gofleet" / "golang"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(".venv", ".cache", ".build", ".git"))
    for rel in LITTER:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text("litter\n")
    out = tmp_path / "dist"
    proc = subprocess.run([str(GALAXY), "collection", "build", "--output-path", str(out), str(src)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tarball,) = out.glob("gofleet-golang-*.tar.gz")
    with tarfile.open(tarball) as tar:
        return [m.name[2:] if m.name.startswith("./") else m.name for m in tar.getmembers() if not m.isdir()]


def test_built_tarball_ships_only_what_users_need(tmp_path):
    members = build(tmp_path)
    shipped_dev = sorted(m for m in members if any(fnmatch.fnmatch(m, pattern) for pattern in EXCLUDED))
    assert shipped_dev == [], shipped_dev
    for name in SHIPPED_FILES:
        assert name in members, name
    wanted = [p for p in tracked_files() if p.startswith(SHIPPED_TOPS)]
    assert "playbooks/site.yml" in wanted or "playbooks/provision_toolchain.yml" in wanted
    missing = sorted(set(wanted) - set(members))
    assert missing == [], missing
