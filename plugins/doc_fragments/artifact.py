# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The artifact options, declared once in module_utils/artifact_options.py (artifact_argument_spec,
    # url_argument_spec). "The artifact" is what the module installs: a Go tarball, a mirror bundle.
    DOCUMENTATION = r"""
options:
  checksum:
    description:
      - The artifact's sha256 as V(sha256:<hex>), V(SHA256:<hex>) or the bare 64-hex sum (as C(SHA256SUMS) and
        go.dev list it). Installing needs O(checksum) or O(checksum_url).
      - Where the module installs Go module zips (M(gofleet.golang.go_toolchain)'s toolchain module zip), also the
        zip's V(h1:<base64>) hash or its go.sum line V(<module> <version> h1:<base64>), as go.sum and the checksum
        database record it.
      - The artifact is hashed before anything is unpacked; a missing, malformed or wrong checksum fails naming
        the artifact.
    type: str
  checksum_url:
    description:
      - http, https or file URL of a C(SHA256SUMS) file (as C(sha256sum) writes it) or of a go.dev style JSON
        download index that lists the artifact's file name (or, for a module zip, a go.sum-style file that lists
        the module and version). Used when O(checksum) is not given.
      - A C(SHA256SUMS) line of another shape fails, naming the URL and the line number.
    type: str
  signature:
    description:
      - The artifact's detached GPG signature (C(.asc) or C(.sig)), as an absolute path on the node or an http,
        https or file URL (fetched with O(url_username), O(url_password), O(validate_certs), O(ca_path) and
        O(timeout)).
      - Checked with gpg in a throw-away home directory against O(keyring) only, so the node's own keys and trust
        settings take no part. O(signature) and O(keyring) go together.
    type: str
  keyring:
    description:
      - Absolute path on the node of the public key(s) (armored or binary) that may sign the artifact.
        O(signature) and O(keyring) go together.
    type: path
  verify:
    description:
      - How what the artifact installed is checked on every run against what was recorded when it was installed.
      - V(fast) compares metadata (type, size, mtime, mode and, where recorded, owner and link target); V(full)
        also compares the sha256 of every file; V(none) skips the check.
      - Drift is reported in RV(drift) and RV(drift_items) and in the diff and, outside check mode, repaired from
        the verified artifact. The module's notes say what each check trusts.
    type: str
    choices: [fast, full, none]
    default: fast
"""

    # How every URL option of a module is fetched (the artifact's own URL, O(checksum_url), O(signature)).
    URL = r"""
options:
  url_username:
    description: User name for basic authentication against every URL the module fetches.
    type: str
  url_password:
    description: Password for basic authentication. Never logged.
    type: str
  validate_certs:
    description: Verify TLS certificates of https URLs.
    type: bool
    default: true
  ca_path:
    description: PEM file of the CA that signed the internal mirror's certificate.
    type: path
  timeout:
    description: Seconds to wait for each URL.
    type: int
    default: 60
"""
