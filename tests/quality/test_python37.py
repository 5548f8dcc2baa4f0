"""Node code (plugins/modules, plugins/module_utils) runs on Python 3.7: Kylin V10 and UOS 20 ship it.

Statically with vermin (pinned in requirements.txt), and by compiling every file with each node
Python that can be found on this machine (PATH, then pyenv's versions); one that is not found is
skipped, saying which.
"""

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERMIN = ROOT / ".venv" / "bin" / "vermin"
NODE_CODE = [ROOT / "plugins" / "modules", ROOT / "plugins" / "module_utils"]
NODE_PYTHONS = ["3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]


def vermin(*paths):
    return subprocess.run([str(VERMIN), "-t=3.7-", "--violations", "--no-tips", *map(str, paths)],
                          capture_output=True, text=True, check=False)


def test_vermin_finds_nothing_newer_than_3_7_in_node_code():
    proc = vermin(*NODE_CODE)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_vermin_check_can_fail(tmp_path):
    newer = tmp_path / "newer.py"
    newer.write_text("def f(x):\n    if (n := len(x)) > 1:\n        return n\n")  # 3.8 syntax
    proc = vermin(newer)
    assert proc.returncode != 0 and "3.8" in proc.stdout, proc.stdout


def find_python(version):
    """An interpreter that really runs `version` (a pyenv shim for a missing one does not)."""
    name = "python" + version
    candidates = [shutil.which(name)] + sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/%s.*/bin/%s" % (version, name))))
    for candidate in filter(None, candidates):
        proc = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True, check=False)
        if proc.returncode == 0 and proc.stdout.strip() == version:
            return candidate
    return None


@pytest.mark.parametrize("version", NODE_PYTHONS)
def test_node_code_compiles_with(version):
    python = find_python(version)
    if python is None:
        pytest.skip("skipped: no Python %s interpreter on this machine (PATH or ~/.pyenv/versions)" % version)
    files = sorted(str(p) for top in NODE_CODE for p in top.rglob("*.py"))
    # compile() in memory: nothing is written next to the sources (3.7 has no PYTHONPYCACHEPREFIX)
    script = "import sys\nfor f in sys.argv[1:]:\n    compile(open(f, 'rb').read(), f, 'exec')\n"
    proc = subprocess.run([python, "-c", script, *files], capture_output=True, text=True, check=False)
    assert files and proc.returncode == 0, proc.stdout + proc.stderr
