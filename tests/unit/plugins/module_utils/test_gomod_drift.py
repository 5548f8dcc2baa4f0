# -*- coding: utf-8 -*-
"""Drift of an installed mirror release as drift items: each tampered file with its expected and
found size, sha256 and mode, in `drift_items` and in the diff that --check --diff prints."""

import hashlib
import os

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import drift
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_release as grel
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_tree as gt
from ansible_collections.gofleet.golang.tests.mirror_fixtures import present
from ansible_collections.gofleet.golang.tests.unit.plugins.module_utils.test_gomod_bundle import build_honest, no_run

ZIP = "example.com/lib/@v/v1.1.0.zip"


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    return build_honest(tmp_path_factory.mktemp("honest"))


def content(data):
    return "size %d, sha256 %s" % (len(data), hashlib.sha256(data).hexdigest())


def tamper(current, how):
    """Plant one kind of drift; returns the drift items a check must report for it."""
    z = current / ZIP
    good = z.read_bytes()
    if how == "append":
        z.write_bytes(good + b"x")
        return [drift.item(ZIP, "content", content(good), content(good + b"x"))]
    if how == "same_size_same_mtime":
        bad = good[:-1] + bytes([good[-1] ^ 1])
        z.write_bytes(bad)
        os.utime(str(z), (gt.FIXED_MTIME, gt.FIXED_MTIME))
        return [drift.item(ZIP, "content", content(good), content(bad))]
    if how == "touch":
        os.utime(str(z), (gt.FIXED_MTIME + 60, gt.FIXED_MTIME + 60))
        return [drift.item(ZIP, "content", content(good) + ", mtime 2000-01-01T00:00:00Z",
                           content(good) + ", mtime 2000-01-01T00:01:00Z")]
    if how == "chmod":
        z.chmod(0o666)
        return [drift.item(ZIP, "mode", "0644", "0666")]
    if how == "append_and_chmod":
        z.write_bytes(good + b"x")
        z.chmod(0o755)
        return [drift.item(ZIP, "content", content(good), content(good + b"x")), drift.item(ZIP, "mode", "0644", "0755")]
    if how == "delete":
        z.unlink()
        return [drift.item(ZIP, "missing", content(good), None)]
    if how == "extra_file":
        (current / "evil.sh").write_bytes(b"#!/bin/sh\n")
        return [drift.item("evil.sh", "added", None, content(b"#!/bin/sh\n"))]
    if how == "symlink":
        z.unlink()
        z.symlink_to("/etc/passwd")
        return [drift.item(ZIP, "type", "file", "symlink")]
    raise AssertionError(how)


@pytest.mark.parametrize("verify, how", [
    ("fast", "append"), ("full", "same_size_same_mtime"), ("fast", "touch"), ("fast", "chmod"),
    ("fast", "append_and_chmod"), ("fast", "delete"), ("fast", "extra_file"), ("fast", "symlink"),
])
def test_drift_items_show_expected_and_found(tmp_path, honest, verify, how):
    target = tmp_path / "srv"
    present(no_run, False, str(target), *honest)
    want = tamper(target / "current", how)
    plan = present(no_run, True, str(target), *honest, verify=verify)
    assert plan["changed"] is True and plan["drift_items"] == want
    assert sorted(set(line.split(": ", 1)[1] for line in plan["drift"])) == sorted(set(e["item"] for e in want))
    assert drift.diff(want, str(target / "current")) in plan["diff"]
    fixed = present(no_run, False, str(target), *honest, verify=verify)
    assert fixed["drift_items"] == want
    again = present(no_run, False, str(target), *honest, verify="full")
    assert again["changed"] is False and again["drift_items"] == [] and again["drift"] == []


def test_lost_release_manifest_is_one_item(tmp_path, honest):
    target = tmp_path / "srv"
    first = present(no_run, False, str(target), *honest)
    recorded = grel.release_manifest_path(str(target), first["release"])
    os.unlink(recorded)
    plan = present(no_run, True, str(target), *honest)
    assert plan["drift_items"] == [drift.item("(release manifest)", "missing", recorded, None)]
