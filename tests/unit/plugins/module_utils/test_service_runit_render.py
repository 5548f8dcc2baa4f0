# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""runit run scripts (chpst), env dir files, unsupported options and `sv status` parsing."""

import shlex

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.service import runit_manager
from ansible_collections.gofleet.golang.plugins.module_utils.service import runit_render as rs
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


def spec(**kw):
    base = dict(name="hello", binary="/usr/local/bin/hello", args=["-addr", ":8080"], user="hello",
                group="hello", hardening="none")
    base.update(kw)
    return base


def exec_words(script):
    last = [l for l in script.splitlines() if l.startswith("exec ") and "2>&1" not in l][-1]
    return shlex.split(last)[1:]


@pytest.mark.parametrize("extra,words", [
    ({}, ["chpst", "-u", "hello:hello", "/usr/local/bin/hello", "-addr", ":8080"]),
    ({"group": None}, ["chpst", "-u", "hello", "/usr/local/bin/hello", "-addr", ":8080"]),
    ({"user": None, "group": None, "dynamic_user": True}, ["chpst", "-u", "nobody", "/usr/local/bin/hello", "-addr", ":8080"]),
    ({"environment": {"A": "1"}},
     ["chpst", "-u", "hello:hello", "-e", "/etc/sv/hello/env", "/usr/local/bin/hello", "-addr", ":8080"]),
    ({"limits": {"LimitNOFILE": 65536, "LimitNPROC": 64, "LimitAS": "1G", "LimitCORE": 0}},
     ["chpst", "-u", "hello:hello", "-p", "64", "-c", "0", "-m", "1073741824",
      "/usr/local/bin/hello", "-addr", ":8080"]),
    ({"limits": {"LimitNOFILE": "infinity"}}, ["chpst", "-u", "hello:hello", "/usr/local/bin/hello", "-addr", ":8080"]),
    ({"limits": {"CPUQuota": "150%"}},   # derived GOMAXPROCS lands in the env dir
     ["chpst", "-u", "hello:hello", "-e", "/etc/sv/hello/env", "/usr/local/bin/hello", "-addr", ":8080"]),
    ({"args": ["a b", "it's", "$HOME"]}, ["chpst", "-u", "hello:hello", "/usr/local/bin/hello", "a b", "it's", "$HOME"]),
])
def test_run_script_words(extra, words):
    script = rs.render_run(spec(**extra))
    assert script.startswith("#!/bin/sh\n")
    assert "exec 2>&1" in script
    assert exec_words(script) == words


@pytest.mark.parametrize("value,line", [(65536, "ulimit -n 65536 || exit 1"), ("1024:4096", "ulimit -n 1024 || exit 1"),
                                        ("infinity", None)])
def test_nofile_is_a_hard_limit_through_ulimit(value, line):
    """chpst -o sets only the soft limit, which Go raises to the hard one: ulimit -n sets both."""
    script = rs.render_run(spec(limits={"LimitNOFILE": value}))
    if line:
        assert line in script.splitlines()
        assert script.index(line) < script.index("exec chpst")
    else:
        assert "ulimit" not in script
    assert "-o" not in exec_words(script)


def test_advisories_warn_about_address_space_limits():
    assert rs.advisories(spec(limits={"LimitAS": "512M"}))
    assert rs.advisories(spec(limits={"LimitNOFILE": 10})) == []


def test_working_directory_and_log_run():
    script = rs.render_run(spec(working_directory="/srv/my app"))
    assert "cd '/srv/my app' || exit 1" in script.splitlines()
    log = rs.render_log_run("hello")
    assert log.splitlines()[-1] == "exec svlogd -tt /var/log/hello"


def test_desired_files_modes_and_env_encoding():
    files = rs.desired_files(spec(environment={"TOKEN": "s3cret", "MULTI": "a\nb"}, limits={"MemoryMax": "512M"}))
    by_path = dict((p, (d, m)) for p, d, m in files)
    assert by_path["/etc/sv/hello/run"][1] == 0o755
    assert by_path["/etc/sv/hello/log/run"][1] == 0o755
    assert by_path["/etc/sv/hello/env/TOKEN"] == (b"s3cret\n", 0o600)
    assert by_path["/etc/sv/hello/env/MULTI"] == (b"a\0b\n", 0o600)
    assert by_path["/etc/sv/hello/env/GOMEMLIMIT"] == (b"460MiB\n", 0o600)
    assert b"s3cret" not in by_path["/etc/sv/hello/run"][0]


@pytest.mark.parametrize("extra,expected", [
    ({}, []),
    ({"hardening": "strict"}, ["hardening=strict", "address_families"]),
    ({"hardening": "baseline"}, ["hardening=baseline", "address_families"]),
    ({"limits": {"CPUQuota": "150%", "MemoryMax": "512M", "LimitNOFILE": 10}},
     ["limits.CPUQuota", "limits.MemoryMax"]),
    ({"user": None, "dynamic_user": True}, ["dynamic_user"]),
    ({"restart": {"policy": "no"}}, ["restart.policy=no"]),
    ({"restart": {"policy": "always", "start_limit_burst": 3}}, ["restart.start_limit_burst"]),
    ({"restart": {"sec": "1"}}, []),
    ({"restart": {"sec": "10"}}, ["restart.sec"]),
    ({"service": {"StateDirectory": "x"}, "unit": {"After": "y"}}, ["unit.After", "service.StateDirectory"]),
    ({"environment_file": "/etc/x.env"}, ["environment_file"]),
])
def test_unsupported_options_reported(extra, expected):
    got = rs.unsupported_options(spec(**extra))
    assert [g.split(" ")[0] for g in got] == expected


@pytest.mark.parametrize("line,state,pid,secs", [
    ("run: /var/service/hello: (pid 1234) 56s; run: log: (pid 1233) 56s", "run", 1234, 56),
    ("run: /etc/sv/hello: (pid 77) 0s, normally down", "run", 77, 0),
    ("down: /var/service/hello: 3s, normally up; run: log: (pid 1233) 56s", "down", 0, 3),
    ("finish: /var/service/hello: (pid 9) 1s", "finish", 9, 1),
    ("warning: /var/service/hello: unable to open supervise/ok: file does not exist", "warning", 0, None),
    ("fail: /etc/sv/hello: runsv not running", "fail", 0, None),
    ("", "unknown", 0, None),
])
def test_parse_sv_status(line, state, pid, secs):
    st = runit_manager.parse_sv_status(line)
    assert (st["state"], st["pid"], st["seconds"]) == (state, pid, secs)


@pytest.mark.parametrize("extra,expected", [
    # environment given without environment_file: the default file is systemd's; nothing is lost under runit
    ({"environment": {"A": "1"}, "environment_file": "/etc/gofleet/env/hello.env"}, []),
    ({"environment": {"A": "1"}, "environment_file": "/etc/x.env"}, ["environment_file"]),
    ({"environment": None, "environment_file": "/etc/gofleet/env/hello.env"}, ["environment_file"]),
])
def test_environment_file_reported_only_when_runit_drops_something(extra, expected):
    got = rs.unsupported_options(spec(**extra))
    assert [g.split(" ")[0] for g in got] == expected


@pytest.mark.parametrize("limits,words", [
    ({"LimitCORE": "50%"}, "limits.LimitCORE"),
    ({"LimitFSIZE": ""}, "limits.LimitFSIZE"),
])
def test_chpst_size_limit_that_is_not_a_size_fails_naming_it(limits, words):
    with pytest.raises(GofleetError) as e:
        rs.render_run(spec(limits=limits))
    assert words in e.value.message


@pytest.mark.parametrize("value", ["padded ", "t4b\t", " ", "two lines\nend "])
def test_trailing_blanks_are_refused_naming_the_key_not_the_value(value):
    # chpst -e strips trailing spaces and tabs: the service would get another value than asked
    with pytest.raises(GofleetError, match="environment TOKEN ends with a space or tab") as e:
        rs.desired_files(spec(environment={"TOKEN": value, "OK": "x"}))
    assert "\n" not in e.value.message and (not value.strip() or value.strip() not in e.value.message)


@pytest.mark.parametrize("value", [" leading", "in side", ""])
def test_other_blanks_are_kept(value):
    files = dict((p, data) for p, data, _mode in rs.desired_files(spec(environment={"TOKEN": value})))
    assert files["/etc/sv/hello/env/TOKEN"] == (value + "\n").encode()
