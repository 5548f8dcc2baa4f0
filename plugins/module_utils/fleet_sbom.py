# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bundle's SBOM: an SPDX 2.3 JSON document, byte-stable for the same inputs.

Every toolchain is a package `pkg:golang/stdlib@V?arch=A` (the purl scanners match Go's
standard library by) with the tarball's (or toolchain module zip's) sha256; a module zip also
carries its module as a second purl and its h1 as an externalRef of category OTHER, type
`go-module-h1` (SPDX checksums are hex digests only), and its comment says which kind it is; every mirrored module is a package
`pkg:golang/<module>@<version>` with its zip's sha256 and its go.sum h1 hashes (SPDX checksums
are hex only, so h1 goes into the package comment).  Other files (CAs, binaries, the mirror
bundle itself) are packages with their sha256.  The namespace is derived from the content, so
two builds of the same inputs give the same document.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import re
import time

from ansible.module_utils.six.moves.urllib.parse import quote

_ID_RE = re.compile(r"[^A-Za-z0-9.-]+")
# The host part as SPDX 2.3 spells a download location: dotted names ending in a 2-5 letter TLD.
_LOCATION_RE = re.compile(r"^https?://([^/\s@]+@)?[a-z0-9]+([-.][a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(/\S*)?$")


def _spdx_id(*parts):
    return "SPDXRef-" + _ID_RE.sub("-", "-".join(parts)).strip("-")


def _purl_path(module):
    # purl: each path segment percent-encoded, '/' kept between them.
    return "/".join(quote(seg, safe="") for seg in module.split("/"))


def _package(spdx_id, name, version, sha256=None, purl=None, location="NOASSERTION", comment=None, purpose=None,
             refs=()):
    pkg = {
        "SPDXID": spdx_id,
        "name": name,
        "versionInfo": version or "NOASSERTION",
        "downloadLocation": location,
        "filesAnalyzed": False,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
    }
    if sha256:
        pkg["checksums"] = [{"algorithm": "SHA256", "checksumValue": sha256}]
    if purl:
        pkg["externalRefs"] = [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                "referenceLocator": purl}]
    if refs:
        pkg.setdefault("externalRefs", []).extend(refs)
    if comment:
        pkg["comment"] = comment
    if purpose:
        pkg["primaryPackagePurpose"] = purpose
    return pkg


def _location(origin):
    """An http(s) origin is where the file came from; a local file URL (or a bare IP, which SPDX's
    download-location grammar has no room for) says nothing to others."""
    return origin if _LOCATION_RE.match(origin or "") else "NOASSERTION"


def _toolchain_comment(entry):
    if entry.get("format") == "module_zip":
        return "Go toolchain %s: module_zip %s, go.sum %s" % (entry["name"], entry["module"], entry["h1"])
    return "Go toolchain %s: %s" % (entry["name"], entry.get("format") or "tarball")


def _toolchain_refs(entry):
    """A module zip's module purl and its h1 (no spaces, as SPDX wants an OTHER locator)."""
    if entry.get("format") != "module_zip":
        return ()
    module, version = entry["module"].split("@", 1)
    return ({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
             "referenceLocator": "pkg:golang/%s@%s" % (_purl_path(module), version)},
            {"referenceCategory": "OTHER", "referenceType": "go-module-h1", "referenceLocator": entry["h1"]})


def render(name, entries, modules, created_epoch):
    """SPDX 2.3 JSON bytes for the bundle `name`.

    entries: manifest entries (name, sha256, kind, version, arch, origin) of every file but
    the SBOM and manifest; modules: [{module, version, h1, h1_mod, sha256}] of mirrored modules.
    """
    packages = []
    for entry in sorted(entries, key=lambda e: e["name"]):
        if entry["kind"] == "toolchain":
            packages.append(_package(
                _spdx_id("go", entry["version"], entry["arch"]), "go", entry["version"], entry["sha256"],
                "pkg:golang/stdlib@%s?arch=%s" % (entry["version"], entry["arch"]), _location(entry["origin"]),
                _toolchain_comment(entry), "APPLICATION", _toolchain_refs(entry)))
        else:
            packages.append(_package(
                _spdx_id("file", entry["name"]), entry["name"], entry.get("version"), entry["sha256"],
                None, _location(entry["origin"]), "%s in the bundle" % entry["kind"],
                {"ca": "FILE", "binary": "APPLICATION", "mirror": "ARCHIVE"}.get(entry["kind"])))
    for mod in sorted(modules, key=lambda m: (m["module"], m["version"])):
        hashes = ", ".join("%s %s" % (label, mod[key]) for key, label in (("h1", "go.sum"), ("h1_mod", "go.mod"))
                           if mod.get(key))
        packages.append(_package(
            _spdx_id("gomod", mod["module"], mod["version"]), mod["module"], mod["version"], mod.get("sha256"),
            "pkg:golang/%s@%s" % (_purl_path(mod["module"]), mod["version"]), "NOASSERTION",
            "Go module from the offline mirror; %s" % (hashes or "no h1 recorded"), "LIBRARY"))
    body = json.dumps(packages, sort_keys=True).encode("utf-8")
    doc = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": "https://gofleet.invalid/spdx/%s-%s" % (
            _ID_RE.sub("-", name), hashlib.sha256(body).hexdigest()),
        "creationInfo": {
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created_epoch)),
            "creators": ["Tool: gofleet.golang.bundle_build"],
        },
        "packages": packages,
        "relationships": [
            {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": p["SPDXID"]}
            for p in packages
        ],
    }
    return (json.dumps(doc, sort_keys=True, indent=1) + "\n").encode("utf-8")
