#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: platform
short_description: The gofleet platform of a host (family, init, SELinux, package manager, Go architecture)
version_added: 0.2.0
description:
  - Sets the fact C(gofleet_platform), the one answer every gofleet role takes its per-platform choices
    from. The roles call it once per host and skip it when the fact is already set.
  - Reads everything on the node, so it needs no gathered facts (C(gather_facts=false) and minimal fact
    subsets work). The distribution is named by Ansible's own distribution collector, so the names match
    C(ansible_facts.distribution) when facts are gathered.
  - The family comes from the same table as the P(gofleet.golang.distro_family#filter) filter, C(ID_LIKE)
    before C(ID). An os-release C(ID) that comes in rpm-based and Debian-based editions (C(uos), C(kylin))
    without C(ID_LIKE) is decided by the package tools the host has.
  - An unsupported distribution fails in one line naming it.
extends_documentation_fragment:
  - gofleet.golang.attributes
options: {}
notes:
  - Changes nothing; check mode returns the same facts.
seealso:
  - plugin: gofleet.golang.distro_family
    plugin_type: filter
author:
  - gofleet founders (@gofleet)
"""

EXAMPLES = r"""
- name: Learn the platform once per host
  gofleet.golang.platform:
  when: ansible_facts.gofleet_platform is not defined

- name: Load the role's variables, most general first (linux-system-roles' set_vars)
  ansible.builtin.include_vars: "{{ __vars_file }}"
  loop:
    - "{{ ansible_facts.gofleet_platform.family }}.yml"
    - "{{ ansible_facts.gofleet_platform.distribution }}.yml"
    - "{{ ansible_facts.gofleet_platform.distribution }}_{{ ansible_facts.gofleet_platform.distribution_major_version }}.yml"
  vars:
    __vars_file: "{{ role_path }}/vars/{{ item }}"
  when: __vars_file is file
"""

RETURN = r"""
ansible_facts:
  description: The facts set.
  returned: always
  type: dict
  contains:
    gofleet_platform:
      description: The host's platform.
      type: dict
      contains:
        family:
          description: C(RedHat), C(Debian) or C(Void).
          type: str
        distribution:
          description: The distribution as Ansible names it (C(Rocky), C(Debian), C(Kylin Linux Advanced Server), ...).
          type: str
        distribution_major_version:
          description: Its major version, as Ansible reports it.
          type: str
        init:
          description: C(systemd) when systemd is PID 1, C(runit) when runit's tools are installed, else C(other).
          type: str
        selinux:
          description:
            - C(enforcing) or C(permissive) from selinuxfs; C(disabled) when the kernel has no selinuxfs but
              C(/etc/selinux/config) exists; C(absent) otherwise.
          type: str
        pkg_mgr:
          description: C(dnf), C(apt) or C(xbps), the family's package manager.
          type: str
        machine:
          description: C(uname -m).
          type: str
        go_arch:
          description: The Go architecture (C(amd64), C(arm64), C(loong64), ...), null when Go has none for I(machine).
          type: str
        libc:
          description: C(musl) when the musl loader is installed, else C(glibc).
          type: str
  sample:
    gofleet_platform:
      family: RedHat
      distribution: Rocky
      distribution_major_version: "9"
      init: systemd
      selinux: enforcing
      pkg_mgr: dnf
      machine: x86_64
      go_arch: amd64
      libc: glibc
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.facts.system.distribution import DistributionFactCollector

from ansible_collections.gofleet.golang.plugins.module_utils import distro_family, node_platform
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


def distribution_facts(module):
    """What gather_facts would say about the distribution (the seam the unit tests replace)."""
    return DistributionFactCollector().collect(module=module)


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    os_release = node_platform.read_os_release()
    try:
        facts = node_platform.describe(
            distribution_facts(module), os_release, distro_family.present_package_tools(os_release),
            machine=os.uname()[4], init=node_platform.init_system(which=module.get_bin_path),
            selinux=node_platform.selinux_state(), c_library=node_platform.libc())
    except GofleetError as e:
        module.fail_json(msg=e.message)
    module.exit_json(changed=False, ansible_facts=dict(gofleet_platform=facts))


if __name__ == "__main__":
    main()
