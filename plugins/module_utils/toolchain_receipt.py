# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain's install receipts: where they live, the one shape trusted, what is torn.

A receipt (JSON, outside the GOROOT it describes) records the version, the artifact's kind
(tarball or module_zip), sha256 (and a zip's h1), source and signer, what `go version` printed,
the time of the last full verification and a manifest of every file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import re
import time

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, manifest
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

RECEIPT_DIR = ".receipts"
RECEIPT_SCHEMA = 2  # 2 records owners and the last full verification; 1 (and unversioned) still read
# go.env is managed content, compared on its own; the rest of the tree must match the tarball.
MANAGED_FILES = ("go.env",)
# What atomic.write_file leaves in .receipts when killed mid-write: .go<version>.json.XXXXXXXX
_RECEIPT_TEMP_RE = re.compile(r"^\.go[^/]+\.json\.[^/]+$")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def receipt_path(install_root, version):
    return os.path.join(install_root, RECEIPT_DIR, "go%s.json" % version)


def leftover_receipt_temps(install_root):
    """Temporary receipts of a write that was killed; never read, removed by the next run."""
    receipts = os.path.join(install_root, RECEIPT_DIR)
    try:
        names = os.listdir(receipts)
    except OSError:
        return []
    return sorted(os.path.join(receipts, n) for n in names if _RECEIPT_TEMP_RE.match(n))


def load_receipt(install_root, version):
    """(receipt, None), (None, None) when there is none, or (None, why it is torn).

    Anything that is not what this module writes (a kill mid-write, a hand edit, a forged
    shape) is torn: the plan reinstalls rather than trusting or crashing on it.
    """
    try:
        text = atomic.read_file(receipt_path(install_root, version))
    except ValueError:  # UnicodeDecodeError
        return None, "not UTF-8"
    except (IOError, OSError) as e:
        return None, "unreadable: %s" % (getattr(e, "strerror", None) or e)
    if text is None:
        return None, None
    try:
        data = json.loads(text)
    except ValueError:
        return None, "not JSON"
    problem = receipt_problem(data, version)
    return (None, problem) if problem else (data, None)


def receipt_problem(data, version):
    """None when `data` has the shape this module writes, else what is wrong, in a few words."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if data.get("schema", 1) not in (1, RECEIPT_SCHEMA):
        return "schema %r is not one this module knows" % (data.get("schema"),)
    if "version" in data and data["version"] != version:
        return "written for go%s" % (data["version"],)
    tarball = data.get("tarball")
    if not isinstance(tarball, dict) or not _is_text(tarball.get("sha256")):
        return "tarball sha256 missing or not text"
    for key in ("upstream_go_env", "installed_at", "verified_full_at", "go_version"):
        if data.get(key) is not None and not _is_text(data[key]):
            return "%s is not text" % key
    for key in ("format", "h1", "module"):
        if tarball.get(key) is not None and not _is_text(tarball[key]):
            return "tarball %s is not text" % key
    files = data.get("manifest")
    if not isinstance(files, dict):
        return "manifest is not a mapping"
    for rel, entry in files.items():
        if not _valid_entry(rel, entry):
            return "manifest entry %r is malformed" % (rel,)
    return None


def _is_text(value):
    return isinstance(value, str)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


_ENTRY_FIELDS = {"f": ("size", "mtime", "mode"), "d": ("mode",), "l": ()}


def _valid_entry(rel, entry):
    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return False
    if not isinstance(entry, dict) or entry.get("t") not in _ENTRY_FIELDS:
        return False
    if not all(_is_int(entry.get(key)) for key in _ENTRY_FIELDS[entry["t"]]):
        return False
    if entry["t"] == "l" and not _is_text(entry.get("target")):
        return False
    if "sha256" in entry and not _is_text(entry["sha256"]):
        return False
    return all(_is_int(entry[key]) for key in ("uid", "gid") if key in entry)


def full_verify_due(receipt, every):
    """With verify_full_every=N, a fast run verifies fully once N calendar days (UTC) have passed
    since the last full verification (or the install). An unreadable or future time is due."""
    if not every:
        return False
    last = receipt.get("verified_full_at") or receipt.get("installed_at")
    try:
        days = (datetime.date(*time.gmtime()[:3]) - datetime.datetime.strptime(last, TIME_FORMAT).date()).days
    except (TypeError, ValueError):
        return True
    return days < 0 or days >= every


def remove_receipt(install_root, version):
    path = receipt_path(install_root, version)
    if os.path.exists(path):
        os.unlink(path)


def record_verification(req, p, receipt):
    """The receipt after a repair or a full verification: repaired paths re-recorded from the
    tree (so a forged entry does not outlive the repair), and the time of a full verification."""
    receipt = dict(receipt, manifest=dict(receipt["manifest"]))
    for rel in set(i["item"] for i in p.drift_items):
        path = os.path.join(req.goroot, rel)
        if os.path.lexists(path):
            receipt["manifest"][rel] = manifest.entry_of(path, with_hash=True, with_owner=True)
        else:
            receipt["manifest"].pop(rel, None)
    if p.record_full:
        receipt["verified_full_at"] = time.strftime(TIME_FORMAT, time.gmtime())
    try:
        atomic.write_file(receipt_path(req.install_root, req.version), json.dumps(receipt, sort_keys=True), 0o644)
    except (IOError, OSError) as e:
        raise GofleetError("writing the receipt of go%s failed: %s" % (req.version, getattr(e, "strerror", None) or e))
    return receipt
