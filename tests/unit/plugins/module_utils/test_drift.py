# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared drift shape: items, their one-line form, and the diff built from them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import drift


def test_item_carries_expected_and_found_as_strings():
    entry = drift.item("bin/gofmt", "mode", drift.octal(0o755), drift.octal(0o757))
    assert entry == {"item": "bin/gofmt", "aspect": "mode", "expected": "0755", "found": "0757"}
    assert drift.line(entry) == "mode: bin/gofmt (0755 -> 0757)"


def test_missing_item_has_no_found_value_and_a_short_line():
    entry = drift.item("bin/gofmt", "missing", expected="file")
    assert entry["found"] is None
    assert drift.line(entry) == "missing: bin/gofmt"


def test_unknown_aspect_is_refused():
    with pytest.raises(ValueError):
        drift.item("x", "colour")


def test_diff_shows_found_before_and_expected_after():
    items = [drift.item("bin/go", "owner", "0:0", "65534:0"), drift.item("lib/x", "added", found="file")]
    shown = drift.diff(items, "/usr/local/lib/go/go1.22.12")
    assert shown["before"] == "owner bin/go: 65534:0\nadded lib/x: file\n"
    assert shown["after"] == "owner bin/go: 0:0\nadded lib/x: (absent)\n"
    assert "found" in shown["before_header"] and "expected" in shown["after_header"]
