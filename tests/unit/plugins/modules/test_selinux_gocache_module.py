# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The thin main(): argument parsing, wiring of the bindings, one-line failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.gofleet.golang.plugins.module_utils import selinux_labels as sl
from ansible_collections.gofleet.golang.plugins.modules import selinux_gocache

from ansible_collections.gofleet.golang.tests.unit.plugins.module_utils.test_selinux_labels import (
    FakePolicy, FakeSelinux, FakeSeobject)


class Exit(Exception):
    pass


def run_main(monkeypatch, args, bindings, present=True):
    out = {}

    def exit_json(self, **kw):
        out.update(kw)
        raise Exit()

    def fail_json(self, **kw):
        kw["failed"] = True
        out.update(kw)
        raise Exit()

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, *a, **k: None)
    monkeypatch.setattr(sl, "import_bindings", lambda: bindings)
    monkeypatch.setattr(sl, "host_has_selinux", lambda *a, **k: present)
    monkeypatch.setattr(sl, "default_home_dirs", lambda: ["/home", "/root"])
    with patch_module_args(args):
        with pytest.raises(Exit):
            selinux_gocache.main()
    json.dumps(out)  # what a module returns must serialise
    return out


def fakes(policy):
    return FakeSelinux(policy), FakeSeobject(policy), []


@pytest.mark.parametrize("args, words", [
    ({"path": ["var/cache/go-build"]}, "path 'var/cache/go-build' is relative"),
    ({"path": ["/var/cache/go-build"], "setype": "nosuch_t"}, "setype nosuch_t"),
    ({"path": ["/data/x"]}, "path /data/x: no type to choose"),
])
def test_failures_are_one_line(monkeypatch, args, words):
    out = run_main(monkeypatch, args, fakes(FakePolicy()))
    assert out["failed"] and words in out["msg"] and "\n" not in out["msg"]


def test_no_selinux_host(monkeypatch):
    out = run_main(monkeypatch, {"path": ["/var/cache/go-build"]}, (None, None, ["selinux", "seobject"]),
                   present=False)
    assert out["changed"] is False and "SELinux is not present" in out["msg"]


def test_adds_rule_and_hides_diff_unless_asked(monkeypatch):
    policy = FakePolicy()
    out = run_main(monkeypatch, {"path": ["/var/cache/go-build"]}, fakes(policy))
    assert out["changed"] is True and "diff" not in out
    assert out["rules"][0]["setype"] == "var_t"
    assert list(policy.local) == [(r"/var/cache/go-build(/.*)?", "all files")]


def test_check_and_diff_mode(monkeypatch):
    policy = FakePolicy()
    out = run_main(monkeypatch, {"path": ["/var/cache/go-build"], "_ansible_check_mode": True,
                                 "_ansible_diff": True}, fakes(policy))
    assert out["changed"] is True and policy.local == {}
    assert out["diff"]["after"].startswith(r"/var/cache/go-build(/.*)?")
    assert out["msg"].startswith("would add")
