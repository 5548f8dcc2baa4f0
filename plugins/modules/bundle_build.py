#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: bundle_build
short_description: Build a fleet bundle (toolchains, mirror, CAs, binaries, SBOM, sums) on the controller
version_added: 0.2.0
description:
  - Runs on the controller (an action plugin); nothing is sent to a managed node.
  - Writes the bundle directory O(dest) and its deterministic tarball O(archive) (plus C(<archive>.sha256)).
    A bundle holds C(goV.linux-ARCH.tar.gz) (or C(goV.linux-ARCH.zip), see O(goproxy)) for every O(versions) x
    O(arches), optionally C(mirror/),
    C(ca/) and C(bin/) files, C(MANIFEST.json), C(sbom.spdx.json) (SPDX 2.3), C(SHA256SUMS) over every file,
    and C(SHA256SUMS.asc) when O(signing_key) is given.
  - Every toolchain comes from O(source), a directory laid out like go.dev/dl whose C(index.json) is in the
    format go.dev serves at C(?mode=json&include=all). Each tarball is checked against the index (sha256 and
    size) and, with O(keyring), against its C(.asc) before it enters the bundle. A version or architecture the
    index lacks, or a mismatch, fails in one line naming the file.
  - Or every toolchain is the official toolchain module zip C(golang.org/toolchain@v0.0.1-goV.linux-ARCH) from
    O(goproxy), pinned by its C(h1:) hash in O(go_sum) and checked against it (with Go's module zip rules) before it
    enters the bundle. C(MANIFEST.json) records each toolchain's C(format) (V(tarball) or V(module_zip)) and, for a
    zip, its C(module) and C(h1); the SBOM gives every toolchain its SHA256 checksum and a zip its module purl and its
    h1 as an external reference of category C(OTHER), type C(go-module-h1).
  - The same inputs give a byte-identical tarball (sorted members, fixed owner and O(source_date_epoch) mtime,
    no compression). A bundle already holding exactly the planned files is left alone (changed=false)
    without downloading anything; check mode plans from the index and reports the SHA256SUMS diff.
  - The new bundle is assembled in a staging directory beside O(dest), verified, then swapped into place, so an
    interrupted build never leaves a partial bundle at O(dest).
author:
  - gofleet founders (@gofleet)
extends_documentation_fragment:
  - gofleet.golang.attributes
options:
  dest:
    description: Absolute path of the bundle directory to write on the controller.
    type: path
    required: true
  archive:
    description: Absolute path of the bundle tarball; its members are C(<name>/...). Default O(dest) plus C(.tar), not compressed (the toolchains already are).
    type: path
  name:
    description: Name of the bundle (the tarball's top directory, the SBOM's name). Default the base name of O(dest).
    type: str
  source:
    description:
      - http, https or file URL of a go.dev/dl-shaped directory holding C(index.json) and the tarballs.
      - Exactly one of O(source) and O(goproxy) is required.
    type: str
  goproxy:
    description:
      - Take the toolchains as official toolchain module zips from this GOPROXY instead of O(source) tarballs,
        an http, https or file URL (V(https://proxy.golang.org) on a connected host) or an absolute directory laid out
        like a proxy's C(cache/download) (C(golang.org/toolchain/@v/v0.0.1-goV.linux-ARCH.zip)).
      - A zip already in O(dest) whose h1 is still the pinned one is reused; others are fetched into a temporary
        directory (also in check mode, to learn their sha256) that is removed afterwards.
    type: str
  go_sum:
    description:
      - With O(goproxy), a go.sum-style file pinning every toolchain zip
        (V(golang.org/toolchain v0.0.1-go1.22.12.linux-amd64 h1:...)); a zip it does not list, or that hashes to another
        h1, fails in one line naming the zip and this file. The proxy's own C(.ziphash) is never trusted.
    type: path
  versions:
    description: Go versions to include, V(1.22.12) or V(go1.22.12).
    type: list
    elements: str
    required: true
  arches:
    description: Go architectures to include (V(amd64), V(arm64), V(loong64), V(386), V(armv6l), V(ppc64le), V(s390x), V(riscv64)).
    type: list
    elements: str
    required: true
  keyring:
    description:
      - Release keyring; when given every tarball's C(<url>.asc) must be a valid signature by one of its keys.
      - Not with O(goproxy); module zips carry no signature, they are pinned by O(go_sum).
    type: path
  mirror_bundles:
    description: C(go_offline_mirror) bundles to include as C(mirror/<name>); their modules go into the SBOM with h1 hashes.
    type: list
    elements: path
    default: []
  ca:
    description: CA certificate files to include as C(ca/<name>).
    type: list
    elements: path
    default: []
  binaries:
    description: Go service binaries to include as C(bin/<name>).
    type: list
    elements: path
    default: []
  signing_key:
    description:
      - GPG key id or fingerprint that signs C(SHA256SUMS) into C(SHA256SUMS.asc) (detached, armored).
      - The signature carries a time, so two signed builds differ in C(SHA256SUMS.asc) (and the tarball); every
        other file stays byte-identical.
    type: str
  gnupg_home:
    description: GnuPG home holding O(signing_key)'s secret key; default gpg's own.
    type: path
  source_date_epoch:
    description: Time (seconds since 1970) stamped on tarball members, MANIFEST.json and the SBOM, for reproducible builds.
    type: int
    default: 0
  validate_certs:
    description: Verify TLS certificates of an https O(source).
    type: bool
    default: true
  timeout:
    description: Seconds to wait on each URL.
    type: int
    default: 60
"""

EXAMPLES = r"""
- name: Build the fleet bundle from the official toolchain module zips of a GOPROXY
  gofleet.golang.bundle_build:
    dest: /srv/gofleet/bundle
    goproxy: https://proxy.golang.org
    go_sum: /srv/gofleet/toolchains.sum
    versions: [1.22.12]
    arches: [amd64, arm64]

- name: Build the fleet bundle from an internal go.dev/dl mirror
  gofleet.golang.bundle_build:
    dest: /srv/gofleet/bundle
    source: https://golang-mirror.example.internal/dl
    versions: [1.22.12, 1.23.5]
    arches: [amd64, arm64, loong64]
    mirror_bundles: [/srv/gomirror-bundles/gomirror.tar.gz]
    signing_key: 0xA1B2C3D4E5F60718
"""

RETURN = r"""
dest:
  description: The bundle directory.
  type: str
  returned: success
archive:
  description: The bundle tarball.
  type: str
  returned: success
archive_sha256:
  description: sha256 of the tarball (also in C(<archive>.sha256)); null in check mode before the first build.
  type: str
  returned: success
files:
  description: Every file of the bundle but C(SHA256SUMS.asc).
  type: list
  elements: str
  returned: success
toolchains:
  description: The toolchains, each with C(name), C(version), C(arch), C(sha256), C(format) (V(tarball) or V(module_zip)) and C(h1) (null for a tarball).
  type: list
  elements: dict
  returned: success
modules:
  description: How many mirrored module versions the SBOM lists.
  type: int
  returned: success
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.gofleet.golang.plugins.module_utils.fleet_args import BUILD_SPEC


def main():
    # The action plugin does the work on the controller; reaching this means it was bypassed.
    module = AnsibleModule(argument_spec=BUILD_SPEC, supports_check_mode=True)
    module.fail_json(msg="gofleet.golang.bundle_build runs on the controller only (its action plugin was not used)")


if __name__ == "__main__":
    main()
