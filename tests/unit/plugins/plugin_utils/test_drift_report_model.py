# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report's model (what is copied, outcomes, summary) and its directories (naming, pruning)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.gofleet.golang.plugins.plugin_utils import drift_report as dr
from ansible_collections.gofleet.golang.plugins.plugin_utils import report_dirs


@pytest.mark.parametrize("action, name", [
    ("gofleet.golang.go_toolchain", "go_toolchain"),
    ("gofleet.golang.systemd_gounit", "systemd_gounit"),
    ("gofleet.golang.go_service", "go_service"),
    ("go_toolchain", "go_toolchain"),
    ("other.coll.go_toolchain", None),
    ("ansible.builtin.copy", None),
    ("gofleet.golang.go_receipts", None),
    (None, None),
])
def test_module_name(action, name):
    assert dr.module_name(action) == name


@pytest.mark.parametrize("status, changed, check, drift, outcome", [
    ("ok", True, True, 2, "would_repair"),
    ("ok", True, False, 2, "repaired"),
    ("ok", True, False, 0, "changed"),
    ("ok", True, True, 0, "would_change"),
    ("ok", False, False, 0, "ok"),
    ("failed", False, False, 3, "failed"),
    ("skipped", False, False, 0, "skipped"),
])
def test_outcome(status, changed, check, drift, outcome):
    assert dr.outcome(status, changed, check, drift) == outcome


def test_entry_copies_only_named_fields_and_censors():
    raw = {"changed": True, "drift_items": [{"item": "bin/go", "aspect": "mode", "expected": "0755", "found": "0777",
                                             "extra": "x"}],
           "actions": ["repair"], "version": "1.22.12", "invocation": {"module_args": {"url_password": "pw"}},
           "diff": [{"before": "secret"}], "msg": "boom"}
    e = dr.entry("go_toolchain", "t", "ok", raw, False, False)
    assert e["drift_items"] == [{"item": "bin/go", "aspect": "mode", "expected": "0755", "found": "0777"}]
    assert "invocation" not in e and "diff" not in e and "msg" not in e and e["version"] == "1.22.12"
    censored = dr.entry("go_toolchain", "t", "failed", raw, False, True)
    assert censored["censored"] is True and censored["drift_items"] == [] and "version" not in censored
    assert "pw" not in repr(censored) and "boom" not in repr(censored)


def test_finish_summary_and_exit_status():
    a, b, c = dr.new_host(), dr.new_host(), dr.new_host()
    item = {"item": "x", "aspect": "missing", "expected": "file", "found": None}
    a["results"].append(dr.entry("go_toolchain", "t", "ok", {"changed": True, "drift_items": [item, item],
                                                             "version": "1.22.12", "active_version": "1.22.12"},
                                 True, False))
    b["results"].append(dr.entry("selinux_gocache", "t", "failed", {"msg": "no"}, True, False))
    c["unreachable"] = True
    report = dr.finish({"a": a, "b": b, "c": c}, "check", "2026-12-06T00:00:00Z", True)
    s = report["summary"]
    assert (s["hosts_checked"], s["hosts_with_drift"], s["hosts_failed"], s["items_to_repair"], s["items_repaired"],
            s["failures"], s["unreachable"]) == (3, 1, 2, 2, 0, 1, 1)
    assert [report["hosts"][h]["status"] for h in "abc"] == ["drift", "failed", "failed"]
    assert report["exit_status"] == 10 and report["hosts"]["a"]["toolchains"][0]["active"] is True
    assert dr.finish({"a": a}, "real", "t", True)["exit_status"] == 0   # only a check run fails on drift
    assert dr.finish({"a": a}, "check", "t", False)["exit_status"] == 0  # only when asked


def test_markdown_cells_are_escaped():
    assert dr._md("a|b`c\nd") == "a\\|b\\`c d" and dr._md(None) == "-"


def test_dirs_named_by_time_and_pruned(tmp_path):
    parent = str(tmp_path / "r")
    made = [report_dirs.create(parent, "check", now=1765000000 + i) for i in range(4)]
    made.append(report_dirs.create(parent, "real", now=1765000003))
    again = report_dirs.create(parent, "real", now=1765000003)  # same second and mode: a -1 suffix
    assert again == made[-1] + "-1"
    os.rmdir(again)
    assert os.path.basename(made[-1]).endswith("Z-real") and len(set(made)) == 5
    os.mkdir(os.path.join(parent, "mine"))  # not a report directory: never removed
    removed = report_dirs.prune(parent, 2)
    assert removed == made[:3]
    assert sorted(os.listdir(parent)) == sorted(["mine"] + [os.path.basename(m) for m in made[3:]])
    assert report_dirs.prune(parent, 0) == []
