"""Every role keeps its per-family differences in vars/<family>.yml, and each family file
defines the same variables, so no family silently misses a setting another one has."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = ("Debian", "RedHat", "Void")
ROLES_WITH_FAMILY_VARS = sorted(
    p.parent.parent.name for p in ROOT.glob("roles/*/vars/Debian.yml")
)


def load(role, family):
    return yaml.safe_load((ROOT / "roles" / role / "vars" / ("%s.yml" % family)).read_text()) or {}


def test_roles_have_family_files():
    assert "toolchain" in ROLES_WITH_FAMILY_VARS


@pytest.mark.parametrize("role", ROLES_WITH_FAMILY_VARS)
def test_every_family_defines_the_same_variables(role):
    keys = dict((family, set(load(role, family))) for family in FAMILIES)
    union = set.union(*keys.values())
    # Only what exists in one family alone may be missing elsewhere: its libc (musl) or
    # its init system (runit on Void, systemd elsewhere). Anything else is a forgotten setting.
    family_only = set(n for n in union if any(w in n for w in ("musl", "runit", "systemd")))
    missing = dict((f, sorted(union - k - family_only)) for f, k in keys.items() if union - k - family_only)
    assert not missing, missing


@pytest.mark.parametrize("family, update", [
    ("Debian", ["update-ca-certificates"]),
    ("RedHat", ["update-ca-trust", "extract"]),
    ("Void", ["update-ca-certificates"]),
])
def test_toolchain_trust_store_per_family(family, update):
    assert load("toolchain", family)["toolchain_family_ca_update"] == update


@pytest.mark.parametrize("family, cgo", [
    ("Debian", {"gcc", "libc6-dev"}),
    ("RedHat", {"gcc", "glibc-static"}),
    ("Void", {"gcc", "glibc-devel"}),
])
def test_toolchain_cgo_packages_per_family(family, cgo):
    assert cgo <= set(load("toolchain", family)["toolchain_family_cgo_packages"])


def test_void_musl_uses_musl_devel():
    assert "musl-devel" in load("toolchain", "Void")["toolchain_family_musl_cgo_packages"]
