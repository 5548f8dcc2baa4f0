"""The container harness fixtures for the installed-collection test (test_build_tarball.py)."""

from conftest_fixtures import debian_image, engine, go_tarballs

# Re-exported: pytest looks these up by name in this module.
__all__ = ["debian_image", "engine", "go_tarballs"]
