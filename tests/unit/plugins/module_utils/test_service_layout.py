# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service package's layering, read from its source: one concern per file, no private reach-ins."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[4] / "plugins" / "module_utils" / "service"
PREFIX = "ansible_collections.gofleet.golang.plugins.module_utils.service"
RENDERERS = {"systemd_render", "runit_render"}


def imports(path):
    """[(sibling module, name or None)] that `path` imports from the service package."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == PREFIX:
            out += [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PREFIX + "."):
            out += [(node.module[len(PREFIX) + 1:], a.name) for a in node.names]
    return out


FILES = sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py")


def test_the_package_has_its_concerns():
    assert {p.stem for p in FILES} == {
        "spec", "go_runtime", "systemd_syntax", "systemd_render", "runit_render", "binary", "dropins",
        "plan", "systemd_manager", "runit_manager", "systemd_plan", "runit_plan"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_private_helper_of_a_sibling_is_imported(path):
    private = [(mod, name) for mod, name in imports(path) if name and name.startswith("_")]
    assert private == []


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
def test_a_renderer_never_imports_the_other(renderer):
    used = {mod for mod, _name in imports(PACKAGE / (renderer + ".py"))}
    assert not (used & (RENDERERS - {renderer})), used


def test_the_old_flat_files_are_gone():
    flat = PACKAGE.parent
    left = [p.name for p in flat.glob("*.py")
            if p.name.startswith("gounit_") or p.name in ("runit_service.py", "service_manager.py")]
    assert left == []
