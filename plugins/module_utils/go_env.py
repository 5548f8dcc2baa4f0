# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Render <GOROOT>/go.env: the toolchain's own defaults with the managed ones on top.

go.env is read by every `go` invocation (users, cron, services), at the lowest precedence,
so settings written here reach processes that never source a login profile.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

HEADER = "# Managed by gofleet.golang.go_toolchain: edits here are replaced on the next run.\n"
# An offline host must never try to download a newer toolchain.
DEFAULT_ENV = {"GOTOOLCHAIN": "local"}
_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Go variables that hold a list, and the separator `go` splits them on. A list value for any
# other key is refused: str() of it would write a Python repr that breaks every `go` command.
_SPACE_LISTS = ("GOFLAGS", "CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS")
_COMMA_LISTS = ("GOPROXY", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE", "GODEBUG", "GOEXPERIMENT", "GOVCS")
LIST_SEPARATORS = dict([(k, " ") for k in _SPACE_LISTS] + [(k, ",") for k in _COMMA_LISTS] + [("GOPATH", ":")])


def parse(text):
    """KEY=value pairs of a go.env text (comments and blank lines ignored), in order."""
    pairs = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        pairs.append((key.strip(), value.strip()))
    return pairs


def validate(env):
    for key, value in (env or {}).items():
        if not _KEY_RE.match(str(key)):
            raise GofleetError("env key %r is not a Go environment variable name" % key)
        if isinstance(value, (list, tuple)):
            _validate_list(key, value)
        elif value is not None and not isinstance(value, (str, bool, int)):
            raise GofleetError("env value for %s must be a string (or a list for list-valued Go variables), got %s%s"
                               % (key, type(value).__name__, ": quote it" if isinstance(value, float) else ""))
        # each item, not str(list): a repr shows a newline as \\n, and a joined one would add a go.env line
        if any("\n" in str(v) for v in (value if isinstance(value, (list, tuple)) else [value])):
            raise GofleetError("env value for %s must be a single line" % key)


def _validate_list(key, items):
    sep = LIST_SEPARATORS.get(key)
    if sep is None:
        raise GofleetError("env value for %s takes one value, not a list (lists are joined only for %s)"
                           % (key, ", ".join(sorted(LIST_SEPARATORS))))
    for item in items:
        if not isinstance(item, str) or not item:
            raise GofleetError("env value for %s must be a list of strings, got the item %r" % (key, item))
        if sep == " " and any(c.isspace() for c in item):
            raise GofleetError("env value for %s: item %r contains a space, which go splits %s on"
                               % (key, item, key))
        if sep != " " and sep in item:
            raise GofleetError("env value for %s: item %r contains %r, which joins the items: give each one alone"
                               % (key, item, sep))


def managed(env):
    """The user's env on top of gofleet's defaults; None values drop a key."""
    merged = dict(DEFAULT_ENV)
    for key, value in (env or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _stringify(value, key)
    return merged


def _stringify(value, key=None):
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATORS.get(key, " ").join(value)
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def render(upstream_text, env):
    """The go.env to install: the tarball's keys in their order, managed values replacing them."""
    wanted = managed(env)
    lines = [HEADER]
    done = set()
    for key, value in parse(upstream_text):
        if key in done:
            continue
        done.add(key)
        lines.append("%s=%s\n" % (key, wanted.get(key, value)))
    for key in sorted(set(wanted) - done):
        lines.append("%s=%s\n" % (key, wanted[key]))
    return "".join(lines)
