# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""mirror_urls: one mirror URL or a list of them, checked entry by entry (issue 12, item 6)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.gofleet.golang.plugins.filter.mirror_urls import FilterModule, mirror_urls


@pytest.mark.parametrize("value,urls", [
    ("http://m1:8080", ["http://m1:8080"]),                       # a string stays valid
    ("  http://m1:8080/ ", ["http://m1:8080"]),
    ("", []), ("   ", []), (None, []), ([], []),
    (["http://m1:8080", "https://m2.example/goproxy/"], ["http://m1:8080", "https://m2.example/goproxy"]),
    (("HTTP://M1",), ["HTTP://M1"]),
    (["http://[fd00::1]:8080"], ["http://[fd00::1]:8080"]),
])
def test_valid(value, urls):
    assert mirror_urls(value, "offline_mirror_url") == urls
    assert mirror_urls(value, "offline_mirror_url", errors=True) == []
    assert FilterModule().filters()["mirror_urls"](value) == urls


@pytest.mark.parametrize("value,bad,why", [
    ("ftp://m1", "'ftp://m1'", "http or https"),
    ("file:///srv/gomirror/current", "'file:///srv/gomirror/current'", "http or https"),
    ("m1:8080", "'m1:8080'", "http or https"),
    ("http://m1|http://m2", "'http://m1|http://m2'", "',' or '|'"),
    (["http://m1,http://m2"], "'http://m1,http://m2'", "',' or '|'"),
    (["http://m1", "http://bob:s3cret@m2"], "'http://bob:***@m2'", "credentials"),
    (["http://bob@m2"], "'http://bob@m2'", "credentials"),
    # A password with '/' or '@' in it is masked whole, whatever urlsplit makes of the rest.
    (["https://u:pa/ss@m2/x"], "'https://u:***@m2/x'", ""),
    (["https://u:p@ss@m2"], "'https://u:***@m2'", "credentials"),
    (["http://m1", ""], "'' is empty", "empty"),
    (["http://m1", "http://m1/"], "'http://m1/'", "twice"),
    (["http:///path"], "'http:///path'", "no host"),
    (["http://m1:port"], "'http://m1:port'", "port"),
    (["http://m1/?x=1"], "'http://m1/?x=1'", "query"),
    (["http://m1 http://m2"], "'http://m1 http://m2'", "blank"),
])
def test_invalid_entry_fails_naming_it(value, bad, why):
    problems = mirror_urls(value, "offline_mirror_url", errors=True)
    assert len(problems) == 1, problems
    assert problems[0].startswith("offline_mirror_url entry ") and bad in problems[0] and why in problems[0], problems
    assert "s3cret" not in problems[0]
    with pytest.raises(AnsibleFilterError) as err:
        mirror_urls(value, "offline_mirror_url")
    assert str(err.value) == problems[0] and "\n" not in str(err.value)


@pytest.mark.parametrize("value", [{"url": "http://m1"}, 8080, [8080], [["http://m1"]]])
def test_not_a_url_or_list(value):
    problems = mirror_urls(value, "toolchain_bundle_url", errors=True)
    assert len(problems) == 1 and problems[0].startswith("toolchain_bundle_url ") and "must be a URL" in problems[0]


def test_every_bad_entry_is_named_in_one_line():
    problems = mirror_urls(["ftp://a", "http://ok", "http://u:p@b"], "offline_mirror_url", errors=True)
    assert len(problems) == 2 and "'ftp://a'" in problems[0] and "'http://u:***@b'" in problems[1]
    with pytest.raises(AnsibleFilterError) as err:
        mirror_urls(["ftp://a", "http://ok", "http://u:p@b"], "offline_mirror_url")
    assert "\n" not in str(err.value) and "ftp://a" in str(err.value) and "u:***@b" in str(err.value)


def test_mirror_answers_splits_a_looped_uri_result():
    from ansible_collections.gofleet.golang.plugins.filter.mirror_answers import mirror_answers
    results = [
        {"item": "http://m1:8080", "url": "http://m1:8080/", "status": -1,
         "msg": "Status code was -1 and not [200]: Request failed: <urlopen error [Errno 111] Connection refused>"},
        {"item": "http://m2:8080", "url": "http://m2:8080/", "status": 404},
        {"item": "http://m3:8080", "url": "http://m3:8080/", "status": 502},
        {"item": "http://m4:8080", "skipped": True},
    ]
    assert mirror_answers(results) == {"answering": ["http://m2:8080"], "silent": [
        "http://m1:8080/ ([Errno 111] Connection refused)", "http://m3:8080/ (HTTP 502)"]}
    assert mirror_answers(results, ok=[200])["answering"] == []
    assert mirror_answers([]) == {"answering": [], "silent": []}
