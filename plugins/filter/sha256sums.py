# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: sha256sums
short_description: Read a SHA256SUMS text into a mapping of file name to sha256
version_added: 0.2.0
author: gofleet founders (@gofleet)
description:
  - Turns what C(sha256sum FILE...) writes into a mapping of file name to lower-case hex sum, with the parser the
    modules use (C(module_utils/artifact.py)), so a play and a module never read one SHA256SUMS two ways.
  - Lines are C(<64 hex>  <name>) or C(<64 hex> *<name>); blank lines are skipped. Any other line, or a name listed
    twice with two sums, fails in one line naming the O(source) and the line number.
options:
  _input:
    description: The text of a SHA256SUMS file.
    type: str
    required: true
  source:
    description: How the failure message names the text, for example its path.
    type: str
    default: SHA256SUMS
"""

EXAMPLES = r"""
- name: Check a tarball against the bundle's SHA256SUMS on the controller
  ansible.builtin.assert:
    that: >-
      (lookup('ansible.builtin.file', bundle ~ '/SHA256SUMS') | gofleet.golang.sha256sums(bundle ~ '/SHA256SUMS'))
      .get('go1.22.12.linux-amd64.tar.gz') == tarball_stat.stat.checksum

- name: The checksum option of go_toolchain, from the bundle
  ansible.builtin.set_fact:
    toolchain_checksum: "sha256:{{ (lookup('ansible.builtin.file', bundle ~ '/SHA256SUMS') | gofleet.golang.sha256sums)[tarball] }}"
"""

RETURN = r"""
_value:
  description: File name to lower-case hex sha256.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import parse_sha256sums
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


def sha256sums(text, source="SHA256SUMS"):
    try:
        return parse_sha256sums(to_text(text), source)
    except GofleetError as e:
        raise AnsibleFilterError(e.message)


class FilterModule(object):
    def filters(self):
        return {"sha256sums": sha256sums}
