# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The provenance part of every toolchain receipt on a node (what an inventory or SBOM needs)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, toolchain, toolchain_receipt
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

_NAME_RE = re.compile(r"^go(.+)\.json$")
_TARBALL_KEYS = ("filename", "source", "sha256", "signature", "signer_fingerprint")


def read_all(install_root, link, mirror_path=None):
    """{receipts: [...], active_version, mirror_release}; no manifest, nothing changed."""
    active = toolchain.version_of_goroot(install_root, atomic.read_link(link)) if link else None
    found = []
    directory = os.path.join(install_root, toolchain_receipt.RECEIPT_DIR)
    names = sorted(os.listdir(directory)) if os.path.isdir(directory) else []
    for name in names:
        match = _NAME_RE.match(name)
        if not match:
            continue  # a receipt temp file (.go1.22.12.json.XXXX) or anything else
        try:
            version = toolchain.parse_version(match.group(1))
        except GofleetError:  # a name that is no version: not a receipt
            continue
        data, problem = toolchain.load_receipt(install_root, version)
        entry = {"version": version, "path": os.path.join(directory, name), "active": version == active,
                 "problem": problem}
        data = data or {}
        for key in ("goroot", "arch", "installed_at", "verified_full_at"):
            entry[key] = data.get(key)
        tarball = data.get("tarball") or {}
        entry["tarball"] = dict((k, tarball.get(k)) for k in _TARBALL_KEYS)
        found.append(entry)
    found.sort(key=lambda e: toolchain.version_key(e["version"]))
    release = None
    if mirror_path:
        target = atomic.read_link(os.path.join(mirror_path, "current"))
        release = os.path.basename(target.rstrip("/")) if target else None
    return {"receipts": found, "active_version": active, "mirror_release": release}
