# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the toolchain role does per family: the prerequisites it installs and how it trusts a CA.

The answers come from the role itself, templated by Ansible's own Templar over the role's
task files and variables, so they hold whatever the variables are named. What this assumes:
- variables: defaults/main.yml, then vars/main.yml, then vars/<family>.yml, <distribution>.yml and
  <distribution>_<major>.yml, each that exists, the more specific last (tasks/set_vars.yml);
- the prerequisites are the `name` of the role's one ansible.builtin.package task (with its task
  vars), on a host with none of them installed (installed lists empty);
- the trust store: the CA file is the `dest` of the copy task that notifies the handler, and the
  command is that handler's `argv`.
"""

from pathlib import Path

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

ROLE = Path(__file__).resolve().parents[2] / "roles" / "toolchain"
LOADER = DataLoader()


def load(path):
    return LOADER.load_from_file(str(path), trusted_as_template=True) or {}


def role_vars(family, distribution, major):
    variables = dict(load(ROLE / "defaults" / "main.yml"))
    if (ROLE / "vars" / "main.yml").is_file():
        variables.update(load(ROLE / "vars" / "main.yml"))
    # tasks/set_vars.yml: from the most general file to the most specific, each that exists
    for name in (family, distribution, "%s_%s" % (distribution, major)):
        if (ROLE / "vars" / ("%s.yml" % name)).is_file():
            variables.update(load(ROLE / "vars" / ("%s.yml" % name)))
    # a host where nothing is installed yet, whichever way the role reads that
    variables.update(toolchain_installed_packages=[], ansible_facts=facts(family, distribution, major),
                     __toolchain_xbps_list={"stdout_lines": []}, __toolchain_pkg_probe={"stdout_lines": []})
    return variables


def facts(family, distribution, major, packages=None):
    """What gofleet.golang.platform and package_facts leave in ansible_facts."""
    pkg_mgr = {"Debian": "apt", "RedHat": "dnf", "Void": "xbps"}[family]
    return {"packages": packages or {},
            "gofleet_platform": {"family": family, "distribution": distribution,
                                 "distribution_major_version": major, "pkg_mgr": pkg_mgr, "libc": "glibc"}}


def tasks(kind):
    return [t for path in sorted((ROLE / kind).glob("*.yml")) for t in (load(path) or []) if isinstance(t, dict)]


def one(found, what):
    assert len(found) == 1, "the toolchain role has %d %s, this test knows one" % (len(found), what)
    return found[0]


def resolve(template, variables):
    return Templar(loader=LOADER, variables=variables).template(template)


def prerequisites(family, distribution, major, **inputs):
    task = one([t for t in tasks("tasks") if "ansible.builtin.package" in t], "package tasks")
    variables = dict(role_vars(family, distribution, major), **inputs)
    variables.update(task.get("vars") or {})
    return sorted(resolve(task["ansible.builtin.package"]["name"], variables))


def trust_store(family, distribution, major):
    copy = one([t for t in tasks("tasks") if "ansible.builtin.copy" in t and t.get("notify")
                and "trust" in str(t["notify"])], "copy tasks that notify a trust-store handler")
    handler = one([h for h in tasks("handlers") if h["name"] in str(copy["notify"])], "trust-store handlers")
    variables = role_vars(family, distribution, major)
    return resolve(copy["ansible.builtin.copy"]["dest"], variables), resolve(handler["ansible.builtin.command"]["argv"], variables)


BASE = ["ca-certificates", "gzip", "tar"]

# (family, distribution, major version, with cgo, packages a host with nothing installed gets)
PREREQUISITES = [
    ("Debian", "Debian", "12", False, BASE),
    ("Debian", "Debian", "12", True, sorted(BASE + ["gcc", "libc6-dev"])),
    ("Debian", "Ubuntu", "24", True, sorted(BASE + ["gcc", "libc6-dev"])),
    ("RedHat", "Rocky", "9", False, BASE),
    ("RedHat", "Rocky", "9", True, sorted(BASE + ["gcc", "glibc-devel", "glibc-static"])),
    ("RedHat", "openEuler", "22", True, sorted(BASE + ["gcc", "glibc-devel", "glibc-static"])),
    ("Void", "Void", "", False, BASE),
    ("Void", "Void", "", True, sorted(BASE + ["gcc", "glibc-devel"])),
]


@pytest.mark.parametrize("family,distribution,major,cgo,expected", PREREQUISITES,
                         ids=["%s-%s-cgo=%s" % (c[0], c[1], c[3]) for c in PREREQUISITES])
def test_prerequisites_per_family(family, distribution, major, cgo, expected):
    assert prerequisites(family, distribution, major, toolchain_cgo=cgo) == expected


def test_only_missing_prerequisites_are_installed():
    variables = {"toolchain_installed_packages": ["tar", "gzip"],
                 "ansible_facts": facts("Debian", "Debian", "12", {"tar": [{}], "gzip": [{}]}),
                 # the role's one prerequisite probe (vars/Debian.yml's dpkg-query format)
                 "__toolchain_pkg_probe": {"stdout_lines": ["installed tar", "installed gzip", "not-installed gcc"]}}
    task = one([t for t in tasks("tasks") if "ansible.builtin.package" in t], "package tasks")
    merged = dict(role_vars("Debian", "Debian", "12"), toolchain_cgo=False, **variables)
    merged.update(task.get("vars") or {})
    assert resolve(task["ansible.builtin.package"]["name"], merged) == ["ca-certificates"]


@pytest.mark.parametrize("family,distribution,major,anchor,command", [
    ("Debian", "Debian", "12", "/usr/local/share/ca-certificates/gofleet-internal-ca.crt", ["update-ca-certificates"]),
    ("RedHat", "Rocky", "9", "/etc/pki/ca-trust/source/anchors/gofleet-internal-ca.pem", ["update-ca-trust", "extract"]),
    # Void ships Debian's update-ca-certificates, which reads local anchors from the same place.
    ("Void", "Void", "", "/usr/local/share/ca-certificates/gofleet-internal-ca.crt", ["update-ca-certificates"]),
])
def test_trust_store_per_family(family, distribution, major, anchor, command):
    assert trust_store(family, distribution, major) == (anchor, command)


def test_the_role_has_no_family_this_test_does_not_know():
    """A new vars/<name>.yml is a new platform: add it to the tables above."""
    known = {"main", "default", "Debian", "RedHat", "Void"}
    assert sorted(p.stem for p in (ROLE / "vars").glob("*.yml") if p.stem not in known) == []


@pytest.mark.parametrize("role", sorted(p.name for p in ROLE.parent.iterdir() if (p / "vars").is_dir()))
def test_role_vars_files_set_only_private_names(role):
    """include_vars outranks inventory: a public name set in vars/ would silently beat a user's host_vars."""
    public = {}
    for path in sorted((ROLE.parent / role / "vars").glob("*.yml")):
        names = [n for n in (load(path) or {}) if not n.startswith("__%s_" % role)]
        if names:
            public[path.name] = names
    assert not public, public
