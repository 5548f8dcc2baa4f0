"""The ansible-core matrix in `make test` (issue 15 item 3): the oldest (2.17) and newest (2.21) claimed.

Each runs in its own venv under .cache/matrix/<version>/ (tests/matrix/venv.sh; the shared .venv
stays on 2.19, where every other test runs). To keep `make test` inside CI's limit:
- sanity: the tests whose result depends on ansible-core's version (module docs and argument
  specs, imports on the controller Python, runtime metadata, changelog, YAML) - pylint and pep8
  run on 2.19 in test_sanity.py; `make test-matrix` runs the full sanity on both;
- integration: go_toolchain's playbook-driven tests (install in check mode then for real,
  idempotence, go.env, drift repair, switch; the later tests build on test_07) with that ansible-playbook and the venv's
  Python running the module.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERIES = ["2.17", "2.21"]
SANITY_TESTS = ["validate-modules", "ansible-doc", "import", "compile", "runtime-metadata", "changelog", "yamllint"]
INTEGRATION = ["tests/integration/test_go_toolchain.py", "-k", "test_01 or test_04 or test_05 or test_06"]


def matrix_venv(series):
    proc = subprocess.run(["bash", str(ROOT / "tests" / "matrix" / "venv.sh"), series], capture_output=True,
                          text=True, check=False)
    if proc.returncode == 3:
        pytest.skip("skipped: %s" % proc.stderr.strip())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    venv = Path(proc.stdout.strip().splitlines()[-1])
    version = subprocess.run([str(venv / "bin" / "ansible"), "--version"], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    assert "[core %s." % series in version, version
    return venv


@pytest.mark.parametrize("series", SERIES)
def test_sanity_on(series):
    venv = matrix_venv(series)
    argv = ["bash", "tests/sanity.sh"] + [a for t in SANITY_TESTS for a in ("--test", t)]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False,
                          env=dict(os.environ, GOFLEET_SANITY_VENV=str(venv)))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]


@pytest.mark.integration
@pytest.mark.parametrize("series", SERIES)
def test_integration_subset_on(series):
    if not (ROOT / ".cache" / "artifacts" / "SHA256SUMS").is_file():
        pytest.skip("skipped: Go tarballs unavailable (run tests/harness/go_tarballs.sh)")
    venv = matrix_venv(series)
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "pytest"), "-q", "-p", "no:cacheprovider", *INTEGRATION],
                          cwd=ROOT, capture_output=True, text=True, check=False,
                          env=dict(os.environ, GOFLEET_ANSIBLE_BIN=str(venv / "bin")))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert re.search(r"\b4 passed", out) and "skipped" not in out, out[-2000:]
