# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_arch: ansible_facts['architecture'] -> the label of Go's linux tarballs (issue 10, item 4)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gofleet.golang.plugins.filter.go_arch import FilterModule, go_arch


@pytest.mark.parametrize("machine,arch", [
    ("x86_64", "amd64"), ("aarch64", "arm64"), ("loongarch64", "loong64"), ("i386", "386"), ("i686", "386"),
    ("armv7l", "armv6l"), ("armv6l", "armv6l"), ("riscv64", "riscv64"), ("ppc64le", "ppc64le"), ("s390x", "s390x"),
])
def test_map(machine, arch):
    assert go_arch(machine) == arch
    assert FilterModule().filters()["go_arch"](machine) == arch


@pytest.mark.parametrize("machine", ["mips64", "", "sparc64", "X86_64"])
def test_unknown_fails_naming_it_unless_missing_is_given(machine):
    with pytest.raises(AnsibleFilterError) as err:
        go_arch(machine)
    assert repr(machine) in str(err.value) and "\n" not in str(err.value)
    assert go_arch(machine, missing="") == ""
