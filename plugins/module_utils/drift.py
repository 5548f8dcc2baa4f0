# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one drift shape every gofleet module reports.

A drift item is a dict: what was checked (`item`: a path relative to the managed tree, a unit
name, a rule), which `aspect` of it differs, and the `expected` and `found` values as strings
(None where there is nothing: a missing file has no found value, an added one no expected).
Modules return the items as `drift_items`, the one-line form as `drift`, and the items again in
the diff, so `--check --diff` shows each expected and found value without -v.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# What can differ, in the order a person reads it.
ASPECTS = (
    "missing",   # expected, not there
    "added",     # there, not expected
    "type",      # file / directory / symlink / other
    "content",   # sha256, size or mtime of a file
    "mode",      # permission bits, as 4-digit octal
    "owner",     # user:group, as uid:gid numbers
    "link",      # symlink target
    "unit",      # unit file or run script text
    "state",     # enabled / active / running
    "rule",      # an SELinux file-context rule
    "label",     # an SELinux label on a path
)


def item(name, aspect, expected=None, found=None):
    """One drift item; refuses an aspect outside ASPECTS so every module speaks the same words."""
    if aspect not in ASPECTS:
        raise ValueError("unknown drift aspect %r" % (aspect,))
    return {
        "item": name,
        "aspect": aspect,
        "expected": None if expected is None else str(expected),
        "found": None if found is None else str(found),
    }


def octal(mode):
    return "%04o" % mode


def line(entry):
    """'missing: bin/gofmt', 'mode: bin/go (0755 -> 0757)': the one-line form of an item."""
    text = "%s: %s" % (entry["aspect"], entry["item"])
    if entry["expected"] is not None and entry["found"] is not None:
        text += " (%s -> %s)" % (entry["expected"], entry["found"])
    return text


def diff(items, header):
    """An Ansible diff dict showing each item's expected value (after) against what was found (before)."""
    before = []
    after = []
    for entry in items:
        label = "%s %s" % (entry["aspect"], entry["item"])
        before.append("%s: %s\n" % (label, "(absent)" if entry["found"] is None else entry["found"]))
        after.append("%s: %s\n" % (label, "(absent)" if entry["expected"] is None else entry["expected"]))
    return {
        "before_header": "%s (found)" % header,
        "after_header": "%s (expected)" % header,
        "before": "".join(before),
        "after": "".join(after),
    }
