# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: distro_family
short_description: The gofleet distro family (RedHat, Debian or Void) of a host
version_added: 0.1.0
author: gofleet founders
description:
  - Returns the family whose per-family role files apply to a host.
  - Uses Ansible's C(os_family) when it is one of RedHat, Debian or Void; otherwise the C(ID) and C(ID_LIKE)
    fields of C(/etc/os-release), so derivatives Ansible does not know (UOS, Deepin, Kylin, openEuler) resolve too.
  - Fails with a clear message for an unsupported distribution.
options:
  _input:
    description: The host's facts (C(ansible_facts)).
    type: dict
    required: true
  os_release:
    description: The text of C(/etc/os-release) on the host.
    type: str
    default: ""
  package_tools:
    description:
      - Which of the paths that P(gofleet.golang.distro_family_probes#filter) returns exist on the host.
      - When C(/etc/os-release) leaves the family open (C(ID=uos) or C(ID=kylin) without C(ID_LIKE); both come in
        rpm-based and Debian-based editions), these decide, not Ansible's C(os_family), which only maps the name.
        Omitted, the family is taken from C(os_family) as before.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Pick the per-family variables
  ansible.builtin.include_vars: "{{ ansible_facts | gofleet.golang.distro_family(os_release_text) }}.yml"

# distro_family_probes(os_release_text) lists the package tools to look for (none when
# os-release decides on its own, so the stat below is skipped on most hosts).
- name: Look for the package tools when os-release leaves the family open
  ansible.builtin.stat:
    path: "{{ item }}"
    get_checksum: false
  loop: "{{ os_release_text | gofleet.golang.distro_family_probes }}"
  register: package_tools

- name: Pick the family by what the host has
  ansible.builtin.set_fact:
    family: >-
      {{ ansible_facts | gofleet.golang.distro_family(os_release_text,
           package_tools.results | selectattr('stat.exists') | map(attribute='item') | list) }}
"""

RETURN = r"""
_value:
  description: One of C(RedHat), C(Debian), C(Void).
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.gofleet.golang.plugins.module_utils.distro_family import resolve
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


def distro_family(facts, os_release="", package_tools=None):
    try:
        return resolve(facts, os_release, package_tools)
    except GofleetError as e:
        raise AnsibleFilterError(e.message)


class FilterModule(object):
    def filters(self):
        return {"distro_family": distro_family}
