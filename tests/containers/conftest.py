"""The container harness fixtures (tests/harness/conftest_fixtures.py) for the tests here.

pytest finds fixtures by name in conftest.py; importing them here, and not in each test
module, keeps the test modules free of imports that only pytest's name injection uses.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from conftest_fixtures import (  # noqa: E402  (tests/harness on sys.path)
    container_factory, debian_image, engine, go_tarballs, runit_image, selinux_image,
)

# Re-exported: pytest looks these up by name in this module.
__all__ = ["container_factory", "debian_image", "engine", "go_tarballs", "runit_image", "selinux_image"]
