# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go.env rendering: the tarball's defaults with the managed values on top."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import go_env
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

UPSTREAM = """# This file contains the initial defaults for go command configuration.

# Use the Go module mirror and checksum database by default.
GOPROXY=https://proxy.golang.org,direct
GOSUMDB=sum.golang.org

# Automatically download newer toolchains as directed by go.mod files.
GOTOOLCHAIN=auto
"""

H = go_env.HEADER

# (id, upstream text, env option, rendered go.env)
RENDER = [
    ("defaults-force-local", UPSTREAM, {},
     H + "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=local\n"),
    ("override-in-place-and-append-new", UPSTREAM, {"GOPROXY": "https://goproxy.internal,off", "GOFLAGS": "-mod=mod"},
     H + "GOPROXY=https://goproxy.internal,off\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=local\nGOFLAGS=-mod=mod\n"),
    ("toolchain-override", UPSTREAM, {"GOTOOLCHAIN": "go1.23.5"},
     H + "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=go1.23.5\n"),
    ("null-drops-to-tarball-default", UPSTREAM, {"GOTOOLCHAIN": None, "GOPROXY": None},
     H + "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=auto\n"),
    ("bool-and-int", UPSTREAM, {"GOSUMDB": False, "GOAMD64": 3},
     H + "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=off\nGOTOOLCHAIN=local\nGOAMD64=3\n"),
    ("no-upstream-sorted", "", {"GOPRIVATE": "*.corp", "GOFLAGS": "-mod=readonly"},
     H + "GOFLAGS=-mod=readonly\nGOPRIVATE=*.corp\nGOTOOLCHAIN=local\n"),
    ("duplicate-upstream-key-first-wins", "A=1\nA=2\n", {}, H + "A=1\nGOTOOLCHAIN=local\n"),
]


@pytest.mark.parametrize("upstream,env,expected", [c[1:] for c in RENDER], ids=[c[0] for c in RENDER])
def test_render(upstream, env, expected):
    assert go_env.render(upstream, env) == expected
    # Rendering what was rendered gives the same text: a second run changes nothing.
    assert go_env.render(expected, env) == expected


@pytest.mark.parametrize("env,words", [
    ({"goproxy": "x"}, ["env key 'goproxy'"]),
    ({"GO PROXY": "x"}, ["env key 'GO PROXY'"]),
    ({"GOFLAGS": "a\nb"}, ["env value for GOFLAGS", "single line"]),
    # str() of a list shows a newline as \\n: each item is checked, or it injects a go.env line
    ({"GOPROXY": ["https://proxy.internal\nGOINSECURE=*"]}, ["env value for GOPROXY", "single line"]),
    ({"GOPATH": ["/srv/go\nGOFLAGS=-toolexec=/tmp/x"]}, ["env value for GOPATH", "single line"]),
])
def test_validate_names_the_key(env, words):
    with pytest.raises(GofleetError) as err:
        go_env.validate(env)
    for word in words:
        assert word in err.value.message


def test_parse_skips_comments_and_blank_lines():
    assert go_env.parse(UPSTREAM) == [
        ("GOPROXY", "https://proxy.golang.org,direct"), ("GOSUMDB", "sum.golang.org"), ("GOTOOLCHAIN", "auto")]


# Lists are joined the way Go reads each variable: GOFLAGS and CGO_*FLAGS space-separated,
# the pattern and proxy lists comma-separated, GOPATH colon-separated.
@pytest.mark.parametrize("env,line", [
    ({"GOFLAGS": ["-mod=mod"]}, "GOFLAGS=-mod=mod\n"),
    ({"GOFLAGS": ["-mod=readonly", "-trimpath"]}, "GOFLAGS=-mod=readonly -trimpath\n"),
    ({"CGO_CFLAGS": ["-O2", "-g"]}, "CGO_CFLAGS=-O2 -g\n"),
    ({"GOPRIVATE": ["*.corp", "git.internal/*"]}, "GOPRIVATE=*.corp,git.internal/*\n"),
    ({"GOPROXY": ["https://goproxy.internal", "off"]}, "GOPROXY=https://goproxy.internal,off\n"),
    ({"GOPATH": ["/srv/go", "/opt/go"]}, "GOPATH=/srv/go:/opt/go\n"),
], ids=["goflags-one", "goflags-two", "cgo-cflags", "goprivate", "goproxy", "gopath"])
def test_list_values_are_joined_the_go_way(env, line):
    go_env.validate(env)
    rendered = go_env.render("", env)
    assert line in rendered.splitlines(True)
    assert "[" not in rendered and "'" not in rendered
    assert go_env.render(rendered, env) == rendered


@pytest.mark.parametrize("env,words", [
    ({"GOFLAGS": {"mod": "mod"}}, ["env value for GOFLAGS", "dict"]),
    ({"GOFLAGS": [["-mod=mod"]]}, ["env value for GOFLAGS", "list of strings"]),
    ({"GOFLAGS": ["-mod=mod", None]}, ["env value for GOFLAGS", "list of strings"]),
    ({"GOFLAGS": ["-ldflags=-s -w"]}, ["env value for GOFLAGS", "space"]),
    ({"GOPRIVATE": ["a,b"]}, ["env value for GOPRIVATE", "','"]),
    ({"GOTOOLCHAIN": ["local"]}, ["env value for GOTOOLCHAIN", "one value"]),
    ({"GOAMD64": 2.5}, ["env value for GOAMD64", "float"]),
], ids=["dict", "nested-list", "none-in-list", "space-in-flag", "comma-in-pattern", "list-for-scalar", "float"])
def test_other_types_are_refused_in_one_line(env, words):
    with pytest.raises(GofleetError) as err:
        go_env.validate(env)
    assert "\n" not in err.value.message
    for word in words:
        assert word in err.value.message, err.value.message
