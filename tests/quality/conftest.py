"""The container harness fixtures for the installed-collection test (test_build_tarball.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from conftest_fixtures import debian_image, engine, go_tarballs  # noqa: E402  (tests/harness on sys.path)

# Re-exported: pytest looks these up by name in this module.
__all__ = ["debian_image", "engine", "go_tarballs"]
