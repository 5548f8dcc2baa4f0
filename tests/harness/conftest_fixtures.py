"""pytest fixtures for tests that need containers or Go tarballs.

Use them from a conftest.py:

    from conftest_fixtures import *   # noqa: F401,F403  (tests/harness is on pytest.ini's pythonpath)

When something a test needs is missing, the test is skipped, never passed, with a reason
that starts with "skipped:" and says what is missing.
"""

from __future__ import annotations

import platform
import subprocess

import pytest

import engine as harness  # the harness's own engine.py
# The modules' SHA256SUMS parser, not a copy.
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import parse_sha256sums
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import tarball_arch

__all__ = ["engine", "go_tarballs", "debian_image", "selinux_image", "runit_image",
           "container_factory", "ensure_image"]

ARTIFACTS = harness.REPO_ROOT / ".cache" / "artifacts"
HOST_GO_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
IMAGES_SH = harness.HARNESS_DIR / "images.sh"
FLAVOURS = {"base": harness.BASE_IMAGE, "selinux": harness.SELINUX_IMAGE,
            "runit": harness.RUNIT_IMAGE,
            "base11": harness.DEBIAN11_IMAGE, "base13": harness.DEBIAN13_IMAGE}


@pytest.fixture(scope="session")
def engine() -> harness.Engine:
    """The container engine (docker if a daemon answers, else podman via engine.sh)."""
    try:
        return harness.Engine.detect()
    except (harness.EngineUnavailable, subprocess.TimeoutExpired) as why:
        pytest.skip(f"skipped: container engine unavailable: {why}")


@pytest.fixture(scope="session")
def go_tarballs() -> dict[str, dict]:
    """{"1.22.12": {"path": Path, "sha256": "..."}, ...} for this machine's architecture (that of the
    containers) from .cache/artifacts/SHA256SUMS, which tests/harness/go_tarballs.sh writes."""
    sums = ARTIFACTS / "SHA256SUMS"
    if not sums.is_file():
        pytest.skip(f"skipped: Go tarballs unavailable: no {sums} (run tests/harness/go_tarballs.sh)")
    tarballs = {}
    for name, sha256 in sorted(parse_sha256sums(sums.read_text(), str(sums)).items()):
        if not name.endswith(".linux-%s.tar.gz" % tarball_arch()):
            continue  # another architecture's tarball (fleet bundles); the containers run this one
        path = ARTIFACTS / name
        if not path.is_file():
            pytest.skip(f"skipped: Go tarballs unavailable: {path} listed but missing")
        version, _sep, arch = name.removeprefix("go").removesuffix(".tar.gz").partition(".linux-")
        # The cache may also hold other architectures' tarballs (arm64 for the qemu host); the
        # containers here run this machine's.
        if arch != HOST_GO_ARCH:
            continue
        tarballs[version] = {"path": path, "sha256": sha256}
    if not tarballs:
        pytest.skip(f"skipped: Go tarballs unavailable: {sums} is empty")
    return tarballs


def ensure_image(engine: harness.Engine, flavour: str) -> str:
    """The image reference for flavour (base, base11, base13, selinux, runit), built by images.sh when
    missing; skips the calling test with the reason when it cannot be had."""
    ref = FLAVOURS[flavour]
    if engine.image_exists(ref):
        return ref
    proc = subprocess.run(["bash", str(IMAGES_SH), flavour], capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not engine.image_exists(ref):
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
        pytest.skip(f"skipped: image unavailable: {ref}: images.sh {flavour} failed: {tail}")
    return ref


@pytest.fixture(scope="session")
def debian_image(engine) -> str:
    return ensure_image(engine, "base")


@pytest.fixture(scope="session")
def selinux_image(engine) -> str:
    return ensure_image(engine, "selinux")


@pytest.fixture(scope="session")
def runit_image(engine) -> str:
    return ensure_image(engine, "runit")


@pytest.fixture
def container_factory(engine):
    """make(image, **Container options) -> Container; every container made is removed
    after the test, pass or fail. Images missing locally that cannot be pulled skip the test."""
    made: list[harness.Container] = []

    def make(image: str, **options) -> harness.Container:
        if not engine.image_available(image):
            pytest.skip(f"skipped: image unavailable: {image}")
        container = engine.container(image, **options)
        made.append(container)
        return container

    yield make
    for container in made:
        container.remove()
