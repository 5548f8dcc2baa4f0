# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One Go service as go_service manages it: the checked spec both init backends render from.

normalise() turns the module's parameters into the spec (input errors raise GofleetError, one
line naming the input); the validate_* functions and the constants here are shared by the
systemd and runit renderers, so neither imports the other.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.gofleet.golang.plugins.module_utils.artifact import parse_checksum
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.service.binary import binary_of_exec_start
from ansible_collections.gofleet.golang.plugins.module_utils.service.systemd_syntax import exec_start_line

# The module's old name stays in the header: a new header would rewrite, and so restart, every
# service deployed before the rename.
HEADER = "# Managed by gofleet.golang.systemd_gounit: local edits are overwritten."
DEFAULT_ADDRESS_FAMILIES = ["AF_INET", "AF_INET6", "AF_UNIX"]
# Where `environment` lands when no environment_file is given (root-only, 0600).
DEFAULT_ENV_DIR = "/etc/gofleet/env"
# Resource settings accepted in `limits`, and the section they belong to.
LIMIT_KEYS = (
    "CPUQuota", "CPUWeight", "AllowedCPUs", "MemoryMax", "MemoryHigh", "MemorySwapMax",
    "TasksMax", "IOWeight", "LimitNOFILE", "LimitNPROC", "LimitCORE", "LimitFSIZE",
    "LimitDATA", "LimitAS", "LimitSTACK", "LimitMEMLOCK", "LimitRSS",
)

RESTART_POLICIES = ("no", "always", "on-success", "on-failure", "on-abnormal", "on-abort", "on-watchdog")
RESTART_DEFAULTS = {"policy": "on-failure", "sec": 1, "start_limit_interval_sec": 60, "start_limit_burst": 5}

_NAME_RE = re.compile(r"^[A-Za-z0-9:_.-]+(@[A-Za-z0-9:_.-]*)?$")
_ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_AF_RE = re.compile(r"^AF_[A-Z0-9]+$")


def default_env_file(name):
    return "%s/%s.env" % (DEFAULT_ENV_DIR, name)


def validate_name(name):
    """'hello' or 'hello.service' -> 'hello'; anything that is not a plain unit name fails."""
    base = name[:-len(".service")] if name and name.endswith(".service") else name
    if not base or not _NAME_RE.match(base) or base in (".", ".."):
        raise GofleetError("name %r is not a valid service name (letters, digits, ':_.-@')" % (name,))
    return base


def validate_environment(env):
    for key in env or {}:
        if not _ENV_KEY_RE.match(key):
            raise GofleetError("environment key %r is not a valid variable name" % (key,))


def validate_address_families(families):
    for fam in families:
        if not _AF_RE.match(fam):
            raise GofleetError("address_families entry %r is not an AF_* name (e.g. AF_INET)" % (fam,))


def validate_limits(limits):
    for key in limits or {}:
        if key not in LIMIT_KEYS:
            raise GofleetError("limits key %r is not supported; use one of %s (or put it in service:)"
                               % (key, ", ".join(LIMIT_KEYS)))


# Options whose text is written on one line of the unit file, and the dicts whose keys and values
# are: a line break in any of them would end that line and start a directive of its own.
SINGLE_LINE_OPTIONS = ("description", "user", "group", "working_directory", "environment_file", "exec_start")
SECTION_OPTIONS = ("unit", "service", "install", "limits", "restart")


def validate_single_line(spec):
    for option in SINGLE_LINE_OPTIONS:
        _require_single_line(option, spec.get(option))
    for option in SECTION_OPTIONS:
        for key, value in (spec.get(option) or {}).items():
            _require_single_line("%s key %r" % (option, key), key)
            for item in value if isinstance(value, (list, tuple)) else [value]:
                _require_single_line("%s.%s" % (option, key), item)


def _require_single_line(what, value):
    if value is not None and re.search(r"[\r\n]", str(value)):
        raise GofleetError("%s contains a line break, which would end its line in the unit file" % what)


def restart_settings(restart):
    """`restart` dict with defaults filled in; the policy is checked."""
    out = dict(RESTART_DEFAULTS)
    for key, value in (restart or {}).items():
        if value is not None:
            out[key] = value
    if out["policy"] not in RESTART_POLICIES:
        raise GofleetError("restart.policy %r is not one of %s" % (out["policy"], ", ".join(RESTART_POLICIES)))
    return out


def normalise(params):
    """Module parameters -> the spec the renderers take; input errors raise GofleetError."""
    p = dict(params)
    p["name"] = validate_name(p["name"])
    if p["user"] and p["dynamic_user"]:
        raise GofleetError("user=%s and dynamic_user=true exclude each other" % p["user"])
    if not p["user"] and p["dynamic_user"] is None:
        p["dynamic_user"] = True
    validate_single_line(p)
    validate_environment(p["environment"])
    validate_limits(p["limits"])
    validate_address_families(p["address_families"])
    restart_settings(p["restart"])
    if p["environment"] is not None and not p["environment_file"]:
        p["environment_file"] = default_env_file(p["name"])
    refuse_relative_paths(p)
    if p.get("binary_sha256"):
        p["binary_sha256"] = parse_checksum(p["binary_sha256"], "binary_sha256")
    if p["state"] == "absent":
        return p
    if p["exec_start"]:
        if p["args"]:
            raise GofleetError("args go with binary, not with exec_start")
        p["binary"], p["args"] = binary_of_exec_start(p["exec_start"])
    elif p["binary"]:
        if not os.path.isabs(p["binary"]):
            raise GofleetError("binary must be an absolute path, got %s" % p["binary"])
        p["exec_start"] = exec_start_line(p["binary"], p["args"])
    else:
        raise GofleetError("state=%s needs binary or exec_start" % p["state"])
    return p


def refuse_relative_paths(p):
    """systemd ignores a relative EnvironmentFile= or WorkingDirectory= (the service then runs without
    its secrets), and a relative environment file or stage would be written in the module's cwd."""
    checks = [("install_from", p.get("install_from"))]
    # systemd's own forms: "-" (ignore when missing) before a path, "~" (the user's home)
    wd = p.get("working_directory")
    checks.append(("working_directory", None if wd == "~" else (wd[1:] if wd and wd.startswith("-") else wd)))
    env_file = p.get("environment_file")
    if env_file and env_file.startswith("-") and p.get("environment") is None:
        env_file = env_file[1:]   # referenced, not written: "-" marks it optional
    checks.append(("environment_file", env_file))
    for option, value in checks:
        if value and not os.path.isabs(value):
            raise GofleetError("%s must be an absolute path, got %r" % (option, p.get(option)))
