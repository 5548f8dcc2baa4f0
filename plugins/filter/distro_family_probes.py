# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: distro_family_probes
short_description: The package tools to look for before gofleet.golang.distro_family can decide
version_added: 0.1.0
author: gofleet founders
description:
  - Returns the paths (C(/usr/bin/apt-get), C(/usr/bin/dnf), C(/usr/bin/yum), C(/usr/bin/dpkg), C(/usr/bin/rpm))
    whose presence decides the family when C(/etc/os-release) names an ID that comes in rpm-based and
    Debian-based editions (C(uos), C(kylin)) and gives no C(ID_LIKE).
  - Returns an empty list when C(/etc/os-release) decides on its own, so a stat looped over it is skipped.
options:
  _input:
    description: The text of C(/etc/os-release) on the host.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Look for the package tools when os-release leaves the family open
  ansible.builtin.stat:
    path: "{{ item }}"
    get_checksum: false
  loop: "{{ os_release_text | gofleet.golang.distro_family_probes }}"
  register: package_tools
"""

RETURN = r"""
_value:
  description: Paths to stat on the host; empty when none are needed.
  type: list
  elements: str
"""

from ansible_collections.gofleet.golang.plugins.module_utils.distro_family import package_tool_probes


def distro_family_probes(os_release=""):
    return package_tool_probes(os_release)


class FilterModule(object):
    def filters(self):
        return {"distro_family_probes": distro_family_probes}
