# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_offline_mirror's Request -> NodeState -> plan -> apply -> report, and the shared artifact options."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import gomod_mirror as gm
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
# The fixtures these tests share with test_gomod_mirror (pytest finds them by name).
from ansible_collections.gofleet.golang.tests.unit.plugins.module_utils.test_gomod_mirror import (  # noqa: F401  pylint: disable=unused-import
    app, upstream, bundles, go, no_run)

SUM0 = "sha256:" + "0" * 64


def present_params(target, bundle, **extra):
    return dict(dict(state="present", path=str(target), bundle=bundle), **extra)


def test_check_mode_report_is_the_real_plan(no_run, tmp_path, bundles):
    """One plan serves both: the check-mode report equals the real run's, and only apply writes."""
    target = tmp_path / "srv"
    path, checksum = bundles["one"]
    req = gm.Request(present_params(target, path, checksum=checksum))
    node = gm.NodeState(req)
    plan = gm.plan(req, node, gm.Runner(no_run), check_mode=True)
    try:
        predicted = gm.report(req, node, plan)
        assert plan.changed and not target.exists()  # planning wrote nothing
        gm.apply(req, node, plan)
        done = gm.report(req, node, plan)
    finally:
        plan.close()
    assert predicted == done and os.readlink(str(target / "current")) == "releases/" + done["release"]
    again = gm.run(present_params(target, path, checksum=checksum), gm.Runner(no_run), False)
    assert again["changed"] is False


def test_checksum_url_reads_the_sha256_file_that_built_writes(no_run, tmp_path, bundles):
    path, checksum = bundles["one"]
    sums = path + ".sha256"
    assert open(sums).read().split()[0] == checksum.split(":", 1)[1]
    res = gm.run(present_params(tmp_path / "srv", path, checksum_url="file://" + sums), gm.Runner(no_run), False)
    assert res["changed"] is True and res["bundle_sha256"] == checksum.split(":", 1)[1]


@pytest.mark.parametrize("sums_text,words", [
    ("%s  other.tar.gz\n" % ("ab" * 32), "checksum_url does not list one.tar.gz"),
    ("%s  one.tar.gz\n" % ("ab" * 32), "checksum mismatch for bundle"),
    ("not a sums file\n", "checksum_url line 1 must look like sha256sum's"),
])
def test_checksum_url_refusals_are_one_line_and_write_nothing(no_run, tmp_path, bundles, sums_text, words):
    path = bundles["one"][0]
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(sums_text)
    for check_mode in (True, False):
        with pytest.raises(GofleetError) as err:
            gm.run(present_params(tmp_path / "srv", path, checksum_url=sums.as_uri()), gm.Runner(no_run), check_mode)
        assert words in err.value.message and "\n" not in err.value.message
    assert not (tmp_path / "srv").exists()


def test_signature_url_is_fetched_and_checked_with_gpg_only_against_the_keyring(tmp_path, bundles):
    path, checksum = bundles["one"]
    served = tmp_path / "www"
    served.mkdir()
    shutil.copy(path, str(served / "one.tar.gz.asc"))  # any bytes: gpg is the seam here
    keyring = tmp_path / "keys.gpg"
    keyring.write_text("keys")
    calls = []

    def gpg(cmd, **kw):
        calls.append(list(cmd))
        if "--verify" in cmd:
            return 0, "[GNUPG:] VALIDSIG %s 0\n" % ("AB" * 20), ""
        return 0, "", ""

    res = gm.run(present_params(tmp_path / "srv", path, checksum=checksum, keyring=str(keyring),
                                signature=(served / "one.tar.gz.asc").as_uri()), gm.Runner(gpg, "/usr/bin/gpg"), False)
    assert res["changed"] is True
    verify = [c for c in calls if "--verify" in c][0]
    assert verify[-1] == path and verify[-2] != str(served / "one.tar.gz.asc")  # a fetched copy
    assert not os.path.exists(verify[-2])  # the fetched copy is gone with the plan's scratch
    assert [c for c in calls if "--import" in c][0][-1] == str(keyring)


@pytest.mark.parametrize("params,words", [
    (dict(state="built", path="/srv/m", requirements=["example.com/a@v1.0.0"], url_username="ci"),
     "options url_username apply only to state=present"),
    (dict(state="built", path="/srv/m", requirements=["example.com/a@v1.0.0"], verify="full"),
     "options verify apply only to state=present"),
    (dict(state="present", path="/srv/m", bundle="/b.tgz", checksum=SUM0, upstream="https://p"),
     "options upstream apply only to state=built"),
    (dict(state="present", path="/srv/m", bundle="/b.tgz"), "state=present needs bundle and checksum"),
    (dict(state="present", path="/srv/m", bundle="/b.tgz", checksum_url="ftp://m/S"), "checksum_url must be an http"),
    (dict(state="present", path="/srv/m", bundle="/b.tgz", checksum=SUM0, keyring="/k"), "keyring /k needs a signature"),
    (dict(state="built", path="/srv/m", requirements=[]), "requirements: at least one"),
    (dict(state="built", path="/srv/m", requirements=["x@v1"], go_env={"GOPROXY": "x"}), "go_env: GOPROXY is set by"),
])
def test_request_refuses_in_one_line(params, words):
    with pytest.raises(GofleetError) as err:
        gm.Request(params)
    assert words in err.value.message and "\n" not in err.value.message


def test_request_resolves_a_bare_go_on_path(tmp_path):
    go = tmp_path / "go"
    go.write_text("#!/bin/sh\n")
    go.chmod(0o755)
    params = dict(state="built", path="/srv/m", requirements=["example.com/a@v1.0.0"])
    assert gm.Request(params, find_bin=lambda name: str(go)).go == str(go)
    with pytest.raises(GofleetError, match="^go go is not an executable"):
        gm.Request(params, find_bin=lambda name: None)
