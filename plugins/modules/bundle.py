#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: bundle
short_description: Verify a fleet bundle on the controller before any host is touched
version_added: 0.2.0
description:
  - Runs on the controller (an action plugin) and changes nothing.
  - With O(keyring), C(SHA256SUMS.asc) must be a valid signature of C(SHA256SUMS) by one of its keys. Then every
    file in the bundle must be listed in C(SHA256SUMS), every listed file must exist and match its sum (parsed as
    the node modules parse it), and C(MANIFEST.json) must agree with the sums.
  - A toolchain module zip (C(format=module_zip) in C(MANIFEST.json)) must also hash to the C(h1:) the manifest
    records (Go's dirhash, checked with Go's module zip rules), which C(SHA256SUMS) does not cover.
  - A flipped byte, a missing file, an extra file or a signature by another key fails in one line naming the
    file. Run it once per play (C(run_once), delegated to the controller) before anything is shipped.
  - Returns the toolchains by version and architecture, so roles pick each host's tarball from it.
author:
  - gofleet founders (@gofleet)
extends_documentation_fragment:
  - gofleet.golang.attributes
options:
  path:
    description: Absolute path of the bundle directory on the controller.
    type: path
    required: true
  keyring:
    description: Public keys that may sign C(SHA256SUMS); when given, an unsigned bundle is refused.
    type: path
  version:
    description: Go version the play activates; must be in the bundle. Default the newest in the bundle.
    type: str
"""

EXAMPLES = r"""
- name: Verify the bundle on the controller
  gofleet.golang.bundle:
    path: /srv/gofleet/bundle
    keyring: /srv/gofleet/release-keys.gpg
  delegate_to: localhost
  run_once: true
  register: gofleet_bundle
"""

RETURN = r"""
path:
  description: The bundle directory.
  type: str
  returned: success
name:
  description: The bundle's name from C(MANIFEST.json).
  type: str
  returned: success
signer:
  description: Fingerprint of the key that signed C(SHA256SUMS), null without O(keyring).
  type: str
  returned: success
version:
  description: The version to activate (O(version), else the newest in the bundle).
  type: str
  returned: success
versions:
  description: Every Go version in the bundle, oldest first.
  type: list
  elements: str
  returned: success
arches:
  description: The architectures the bundle has for RV(version).
  type: list
  elements: str
  returned: success
toolchains:
  description:
    - Every toolchain by version, then by architecture, each with C(name), C(sha256), C(size), C(format) (V(tarball) or
      V(module_zip)) and C(h1) (a module zip's; null for a tarball).
  type: dict
  returned: success
files:
  description: The entries of C(MANIFEST.json) (name, sha256, size, kind, version, arch, origin).
  type: list
  elements: dict
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.gofleet.golang.plugins.module_utils.fleet_args import VERIFY_SPEC


def main():
    # The action plugin does the work on the controller; reaching this means it was bypassed.
    module = AnsibleModule(argument_spec=VERIFY_SPEC, supports_check_mode=True)
    module.fail_json(msg="gofleet.golang.bundle runs on the controller only (its action plugin was not used)")


if __name__ == "__main__":
    main()
