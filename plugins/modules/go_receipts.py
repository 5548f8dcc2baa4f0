#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: go_receipts
short_description: Read the install receipts of the Go toolchains on a host (for inventories and SBOMs)
version_added: 0.2.0
description:
  - Reads every receipt M(gofleet.golang.go_toolchain) wrote under O(install_root)/.receipts and returns its
    provenance (version, architecture, install time, last full verification, tarball file name, source, sha256,
    signature and signer), without the file manifest.
  - Also says which version O(link) points at, and which release an offline mirror at O(mirror_path) serves.
  - Changes nothing. A receipt of another shape than go_toolchain writes is listed with C(problem) set.
  - C(playbooks/fleet_inventory.yml) uses it to write the fleet SBOM and inventory table.
extends_documentation_fragment:
  - gofleet.golang.attributes
options:
  install_root:
    description: The O(gofleet.golang.go_toolchain#module:install_root) the toolchains were installed into.
    type: path
    default: /usr/local/lib/go
  link:
    description: The link that selects the active version.
    type: path
    default: /usr/local/go
  mirror_path:
    description: The O(gofleet.golang.go_offline_mirror#module:path) of a mirror served from this host, if any.
    type: path
author:
  - gofleet founders (@gofleet)
"""

EXAMPLES = r"""
- name: Read the receipts
  gofleet.golang.go_receipts:
  register: go_receipts

- name: Receipts of a custom root and the mirror release
  gofleet.golang.go_receipts:
    install_root: /opt/go
    link: /opt/go/current
    mirror_path: /srv/gomirror
"""

RETURN = r"""
receipts:
  description: One entry per receipt, by version.
  returned: always
  type: list
  elements: dict
  contains:
    version:
      description: The Go version.
      type: str
    path:
      description: Path of the receipt.
      type: str
    goroot:
      description: The GOROOT it describes.
      type: str
    arch:
      description: The tarball's architecture label (C(amd64), C(arm64), C(loong64)).
      type: str
    installed_at:
      description: Install time, UTC.
      type: str
    verified_full_at:
      description: Time of the last full verification against the tarball, UTC.
      type: str
    tarball:
      description: C(filename), C(source), C(sha256), C(signature) and C(signer_fingerprint) of the tarball.
      type: dict
    active:
      description: O(link) points at this version.
      type: bool
    problem:
      description: Why the receipt is not one go_toolchain wrote (null when it is).
      type: str
  sample:
    - version: 1.22.12
      path: /usr/local/lib/go/.receipts/go1.22.12.json
      goroot: /usr/local/lib/go/go1.22.12
      arch: amd64
      installed_at: "2026-12-06T03:15:00Z"
      verified_full_at: "2026-12-06T03:15:00Z"
      tarball: {filename: go1.22.12.linux-amd64.tar.gz, sha256: 4fa4f8..., signer_fingerprint: null}
      active: true
      problem: null
active_version:
  description: The version O(link) points at; null when it points at none of O(install_root).
  returned: always
  type: str
mirror_release:
  description: The release the mirror's C(current) link points at; null without O(mirror_path) or a release.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.gofleet.golang.plugins.module_utils import receipts


def main():
    module = AnsibleModule(
        argument_spec=dict(
            install_root=dict(type="path", default="/usr/local/lib/go"),
            link=dict(type="path", default="/usr/local/go"),
            mirror_path=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        result = receipts.read_all(p["install_root"], p["link"], p["mirror_path"])
    except (IOError, OSError) as e:
        module.fail_json(msg="go_receipts: reading %s failed: %s" % (p["install_root"], e))
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
