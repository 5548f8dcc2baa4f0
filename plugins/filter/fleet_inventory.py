# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_inventory
short_description: The fleet's Go toolchains as an SPDX 2.3 JSON SBOM, a CSV table or an HTML table
version_added: 0.2.0
author: gofleet founders
description:
  - Takes one row per host (built by C(playbooks/fleet_inventory.yml) from M(gofleet.golang.go_receipts)) and
    returns the text of one of three documents.
  - V(spdx) is an SPDX 2.3 JSON document with one package per installed toolchain per host (name C(go), version,
    the tarball's sha256 as checksum, the tarball's source as download location, a C(pkg:golang) purl of the
    official toolchain module, the signer and install time in the package comment and an annotation).
  - V(csv) and V(html) are a table with host, architecture, active and kept Go versions, verification mode,
    last full verification, last drift status and mirror release. The HTML page is self-contained and escaped.
options:
  _input:
    description:
      - Rows, one per host, with keys C(host), C(architecture), C(receipts) (as M(gofleet.golang.go_receipts)
        returns them), C(active_version), C(mirror_release), C(verify) and C(drift_status).
    type: list
    elements: dict
    required: true
  kind:
    description: Which document.
    type: str
    choices: [spdx, csv, html]
    required: true
  created:
    description: Creation time of the SBOM, C(YYYY-MM-DDThh:mm:ssZ) (V(spdx) only; now when omitted).
    type: str
  namespace:
    description: The SBOM's unique C(documentNamespace) URI (V(spdx) only; generated when omitted).
    type: str
"""

EXAMPLES = r"""
- name: Write the fleet SBOM
  ansible.builtin.copy:
    content: "{{ rows | gofleet.golang.fleet_inventory('spdx') }}"
    dest: fleet.spdx.json
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The document's text (JSON, CSV or HTML).
  type: str
"""

import csv
import io
import json
import re
import time
import uuid

from ansible.errors import AnsibleFilterError

from ansible_collections.gofleet.golang.plugins.plugin_utils.drift_report import page, table

COLUMNS = ("host", "architecture", "active", "kept", "verification", "last full verification",
           "last drift status", "mirror release")


def _id(text):
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)


def _verification(row, receipt):
    mode = "sha256+gpg" if (receipt.get("tarball") or {}).get("signer_fingerprint") else "sha256"
    return "%s, verify %s" % (mode, row.get("verify") or "fast")


def table_rows(rows):
    out = []
    for row in sorted(rows, key=lambda r: str(r.get("host"))):
        receipts = row.get("receipts") or []
        active = row.get("active_version")
        kept = [r["version"] for r in receipts if r.get("version") != active]
        current = [r for r in receipts if r.get("version") == active] or receipts[-1:]
        verification = _verification(row, current[0]) if current else "-"
        full = current[0].get("verified_full_at") if current else None
        out.append([row.get("host"), row.get("architecture"), active or "-", " ".join(kept) or "-", verification,
                    full or "-", row.get("drift_status") or "unknown", row.get("mirror_release") or "-"])
    return out


def spdx(rows, created=None, namespace=None):
    created = created or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    namespace = namespace or "https://gofleet.invalid/spdx/fleet-%s" % uuid.uuid4()
    packages, relationships = [], []
    for row in sorted(rows, key=lambda r: str(r.get("host"))):
        host = str(row.get("host"))
        for receipt in row.get("receipts") or []:
            if receipt.get("problem"):
                continue  # a torn receipt proves nothing about where the tree came from
            tarball = receipt.get("tarball") or {}
            arch = receipt.get("arch") or row.get("architecture") or "unknown"
            spdx_id = "SPDXRef-Package-%s-go%s" % (_id(host), _id(receipt["version"]))
            signer = tarball.get("signer_fingerprint")
            source = tarball.get("source") or ""
            comment = "host %s, GOROOT %s, %s, installed %s, signer %s, receipt %s, source %s" % (
                host, receipt.get("goroot"), "active" if receipt.get("active") else "kept",
                receipt.get("installed_at"), signer or "none (sha256 only)", receipt.get("path"), source or "unknown")
            package = {
                "SPDXID": spdx_id,
                "name": "go",
                "versionInfo": receipt["version"],
                "packageFileName": tarball.get("filename") or "NOASSERTION",
                # SPDX wants a URL here; a tarball copied from the controller has only a node path (in the comment).
                "downloadLocation": source if re.match(r"^(https?|ftp|sftp)://", source) else "NOASSERTION",
                "supplier": "Organization: The Go Authors",
                "filesAnalyzed": False,
                "checksums": [{"algorithm": "SHA256", "checksumValue": tarball.get("sha256")}],
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": "BSD-3-Clause",
                "copyrightText": "NOASSERTION",
                "primaryPackagePurpose": "APPLICATION",
                "comment": comment,
                "externalRefs": [{
                    "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                    # The official toolchain as the Go module proxy serves it.
                    "referenceLocator": "pkg:golang/golang.org/toolchain@v0.0.1-go%s.linux-%s" % (receipt["version"], arch),
                }],
            }
            if receipt.get("installed_at"):
                package["annotations"] = [{
                    "annotationDate": receipt["installed_at"], "annotationType": "OTHER",
                    "annotator": "Tool: gofleet.golang.go_toolchain",
                    "comment": "installed on %s at %s%s" % (
                        host, receipt["installed_at"], ", signed by %s" % signer if signer else ""),
                }]
            packages.append(package)
            relationships.append({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                                  "relatedSpdxElement": spdx_id})
    doc = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "gofleet fleet Go toolchains",
        "documentNamespace": namespace,
        "creationInfo": {"created": created, "creators": ["Tool: gofleet.golang-fleet_inventory"]},
        "packages": packages,
        "relationships": relationships,
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def to_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in table_rows(rows):
        # A leading = + - @ would be a formula to a spreadsheet: quote it as text.
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" and c != "-" else c for c in row])
    return out.getvalue()


def to_html(rows):
    body = "<h1>gofleet fleet inventory</h1>%s" % table(COLUMNS, table_rows(rows), cls="inventory")
    return page("gofleet fleet inventory", body)


def fleet_inventory(rows, kind, created=None, namespace=None):
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise AnsibleFilterError("fleet_inventory: input must be a list of host rows (dicts)")
    if kind == "spdx":
        return spdx(rows, created, namespace)
    if kind == "csv":
        return to_csv(rows)
    if kind == "html":
        return to_html(rows)
    raise AnsibleFilterError("fleet_inventory: kind must be spdx, csv or html, got %r" % (kind,))


class FilterModule(object):
    def filters(self):
        return {"fleet_inventory": fleet_inventory}
