"""ansible-test sanity and ansible-lint (production profile) are part of `make test`."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"


def _run(argv):
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_ansible_test_sanity_is_clean():
    rc, out = _run(["bash", "tests/sanity.sh"])
    assert rc == 0, out[-6000:]


def test_ansible_lint_production_profile_is_clean():
    rc, out = _run([str(BIN / "ansible-lint")])
    assert rc == 0, out[-6000:]
