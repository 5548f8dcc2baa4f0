"""Every role keeps its per-family differences in vars/<family>.yml (over vars/main.yml, which holds
what every family shares), so no family silently misses a setting another one has."""

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


def load_main(role):
    path = ROOT / "roles" / role / "vars" / "main.yml"
    return (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}


def test_roles_have_family_files():
    assert "toolchain" in ROLES_WITH_FAMILY_VARS


@pytest.mark.parametrize("role", ROLES_WITH_FAMILY_VARS)
def test_family_only_variables_are_used_only_by_that_family(role):
    """A variable some family lacks may only be read by the task files of the families that
    define it; read anywhere else, it is undefined on the other families' hosts."""
    role_dir = ROOT / "roles" / role
    shared = set(load_main(role))  # vars/main.yml: defined for every family (a family file may override)
    defined = dict((family, set(load(role, family)) | shared) for family in FAMILIES)
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
    assert load("toolchain", family)["__toolchain_ca_update"] == update


@pytest.mark.parametrize("family, cgo", [
    ("Debian", {"gcc", "libc6-dev"}),
    ("RedHat", {"gcc", "glibc-static"}),
    ("Void", {"gcc", "glibc-devel"}),
])
def test_toolchain_cgo_packages_per_family(family, cgo):
    assert cgo <= set(load("toolchain", family)["__toolchain_cgo_packages"])


def test_void_musl_uses_musl_devel():
    assert "musl-devel" in load_main("toolchain")["__toolchain_musl_cgo_packages"]


@pytest.mark.parametrize("role", ROLES_WITH_FAMILY_VARS)
def test_family_files_set_only_private_names(role):
    """include_vars outranks inventory: a public name set there would silently beat a user's host_vars."""
    public = dict((f, [n for n in load(role, f) if not n.startswith("__%s_" % role)]) for f in FAMILIES)
    public["main"] = [n for n in load_main(role) if not n.startswith("__%s_" % role)]
    assert not any(public.values()), public
