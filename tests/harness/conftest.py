"""The container harness fixtures (tests/harness/conftest_fixtures.py) for the tests here.

pytest finds fixtures by name in conftest.py; importing them here, and not in each test
module, keeps the test modules free of imports that only pytest's name injection uses.
"""


from conftest_fixtures import (  # tests/harness, on pytest.ini's pythonpath
    container_factory, debian_image, engine, go_tarballs, runit_image, selinux_image,
)

# Re-exported: pytest looks these up by name in this module.
__all__ = ["container_factory", "debian_image", "engine", "go_tarballs", "runit_image", "selinux_image"]
