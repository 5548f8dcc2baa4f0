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
def test_family_only_variables_are_used_only_by_that_family(role):
    """A variable some family lacks may only be read by the task files of the families that
    define it; read anywhere else, it is undefined on the other families' hosts."""
    role_dir = ROOT / "roles" / role
    defined = dict((family, set(load(role, family))) for family in FAMILIES)
    union = set.union(*defined.values())
    shared_files = [p for p in role_dir.rglob("*")
                    if p.is_file() and p.suffix in (".yml", ".j2")
                    and not (p.parent.name in ("vars", "tasks") and p.stem in FAMILIES)]
    misused = {}
    for name in sorted(union):
        owners = [f for f in FAMILIES if name in defined[f]]
        if len(owners) == len(FAMILIES):
            continue
        readers = [str(p.relative_to(role_dir)) for p in shared_files if name in p.read_text()]
        readers += ["tasks/%s.yml" % f for f in FAMILIES if f not in owners
                    and (role_dir / "tasks" / ("%s.yml" % f)).is_file()
                    and name in (role_dir / "tasks" / ("%s.yml" % f)).read_text()]
        if readers:
            misused[name] = {"defined_for": owners, "read_by": readers}
    assert not misused, misused


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
