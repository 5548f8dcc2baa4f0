# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: go_arch
short_description: Go's architecture label (amd64, arm64, loong64, ...) for a host's machine name
version_added: 0.2.0
author: gofleet founders
description:
  - Maps C(ansible_facts['architecture']) (C(uname -m)) to the label of Go's official tarballs
    (C(goV.linux-<label>.tar.gz)) with the same table the modules use (C(module_utils/platform_arch.py)).
  - x86_64 is amd64, aarch64 is arm64, loongarch64 is loong64, i386/i686 are 386, armv7l/armv6l are armv6l;
    riscv64, ppc64le and s390x keep their names.
  - There is no default. An unknown machine fails naming it, unless O(missing) is given.
options:
  _input:
    description: The machine name, as in C(ansible_facts['architecture']).
    type: str
    required: true
  missing:
    description: Returned for an unknown machine instead of failing (for a task that words its own failure).
    type: str
"""

EXAMPLES = r"""
- name: Pick this host's toolchain
  ansible.builtin.set_fact:
    tarball: "go1.22.12.linux-{{ ansible_facts['architecture'] | gofleet.golang.go_arch }}.tar.gz"
"""

RETURN = r"""
_value:
  description: The Go architecture label, or O(missing) for an unknown machine.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import tarball_arch


def go_arch(machine, missing=None):
    try:
        return tarball_arch(str(machine))
    except GofleetError as e:
        if missing is not None:
            return missing
        raise AnsibleFilterError(e.message)


class FilterModule(object):
    def filters(self):
        return {"go_arch": go_arch}
