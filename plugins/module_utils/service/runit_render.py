# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The same service description as a runit service directory (Void Linux, or runit anywhere).

/etc/sv/<name>/run execs the binary through chpst (user, rlimits, env dir), log/run pipes
into svlogd, env/<VAR> holds the environment (0600, directory 0700: it is secret), and a
`down` file means "do not start at boot" (enabled: false).  What runit cannot express
(systemd sandboxing, cgroup quotas, start limits...) is listed by unsupported_options() so
the module can report it instead of silently dropping it.  Pure functions, no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shlex

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.service.go_runtime import go_runtime_env, parse_size
from ansible_collections.gofleet.golang.plugins.module_utils.service.spec import (
    HEADER,
    RESTART_DEFAULTS,
    default_env_file,
    restart_settings,
)

SV_DIR = "/etc/sv"
SERVICE_DIR = "/var/service"

# systemd rlimit -> chpst flag.  chpst -m sets RLIMIT_DATA, STACK, MEMLOCK and AS at once,
# so it stands for LimitAS (address space), not for a cgroup MemoryMax: measured, a Go server
# under `chpst -m 512M` dies at start ("failed to reserve page summary memory").
# LimitNOFILE is not chpst -o: that sets the soft limit only, and the Go runtime raises its soft
# limit to the hard one at start, so the run script uses `ulimit -n` (soft and hard) instead.
ULIMIT_NOFILE = "LimitNOFILE"
CHPST_LIMITS = (
    ("LimitNPROC", "-p", False),
    ("LimitCORE", "-c", True),
    ("LimitFSIZE", "-f", True),
    ("LimitDATA", "-d", True),
    ("LimitAS", "-m", True),
)
# Restart policies runsv can honour: it always restarts a service that exits.
_RUNIT_RESTART = ("always", "on-failure", "on-abnormal", "on-abort")


def q(word):
    return shlex.quote(str(word))


def _limit_value(key, value, is_size):
    text = str(value).split(":", 1)[0].strip()   # soft:hard -> chpst sets one value
    if text == "infinity":
        return None
    if is_size:
        size = parse_size(text, what="limits.%s" % key)
        if size is None:   # '' or a percentage: rlimits take bytes, and "None" would reach chpst
            raise GofleetError("limits.%s %r must be a size such as 512M, or infinity" % (key, value))
        return str(size)
    if not text.isdigit():
        raise GofleetError("limits.%s %r must be a number or infinity" % (key, value))
    return text


def effective_user(spec):
    """(user, group) chpst runs the service as.  DynamicUser has no runit equivalent: nobody."""
    if spec.get("user"):
        return spec["user"], spec.get("group")
    if spec.get("dynamic_user"):
        return "nobody", spec.get("group")
    return None, spec.get("group")


def service_env(spec, total_memory=None):
    """{VAR: value} for the env dir: the user's environment plus derived GOMAXPROCS/GOMEMLIMIT."""
    env = dict((k, "" if v is None else str(v)) for k, v in (spec.get("environment") or {}).items())
    for key in sorted(env):
        if env[key][-1:] in (" ", "\t"):
            # chpst -e strips trailing blanks: refused rather than silently giving the service another value
            raise GofleetError("environment %s ends with a space or tab, which runit's chpst -e strips; "
                               "under runit such a value cannot be carried (the value is not shown)" % key)
    for key, value in go_runtime_env(spec.get("limits"), env, total_memory):
        env[key] = value
    return env


def render_run(spec, sv_dir=SV_DIR, total_memory=None):
    name = spec["name"]
    words = ["chpst"]
    user, group = effective_user(spec)
    if user:
        words += ["-u", "%s:%s" % (user, group) if group else user]
    if service_env(spec, total_memory):
        words += ["-e", "%s/%s/env" % (sv_dir, name)]
    limits = spec.get("limits") or {}
    nofile = None
    if limits.get(ULIMIT_NOFILE) is not None:
        nofile = _limit_value(ULIMIT_NOFILE, limits[ULIMIT_NOFILE], False)
    for key, flag, is_size in CHPST_LIMITS:
        if limits.get(key) is not None:
            value = _limit_value(key, limits[key], is_size)
            if value is not None:
                words += [flag, value]
    words += [spec["binary"]] + [str(a) for a in spec.get("args") or []]
    lines = ["#!/bin/sh", HEADER, "exec 2>&1"]
    if spec.get("working_directory"):
        lines.append("cd %s || exit 1" % q(spec["working_directory"]))
    if nofile is not None:
        lines.append("ulimit -n %s || exit 1" % nofile)
    lines.append("exec " + " ".join(q(w) for w in words))
    return "\n".join(lines) + "\n"


def render_log_run(name, log_dir=None):
    log_dir = log_dir or "/var/log/%s" % name
    return "\n".join([
        "#!/bin/sh",
        HEADER,
        "mkdir -p %s" % q(log_dir),
        "exec svlogd -tt %s" % q(log_dir),
    ]) + "\n"


def env_file_content(value):
    """chpst -e reads the first line of each file; NUL bytes in it become newlines."""
    return value.replace("\n", "\0") + "\n"


def desired_files(spec, sv_dir=SV_DIR, total_memory=None):
    """[(path, bytes, mode)] of the service directory (env files included, 0600)."""
    base = "%s/%s" % (sv_dir, spec["name"])
    files = [
        (base + "/run", render_run(spec, sv_dir, total_memory).encode("utf-8"), 0o755),
        (base + "/log/run", render_log_run(spec["name"]).encode("utf-8"), 0o755),
    ]
    for key, value in sorted(service_env(spec, total_memory).items()):
        files.append(("%s/env/%s" % (base, key), env_file_content(value).encode("utf-8"), 0o600))
    return files


def unsupported_options(spec):
    """Options given in `spec` that a runit service cannot honour (each a short reason)."""
    out = []
    hardening = spec.get("hardening") or "strict"
    if hardening != "none":
        out.append("hardening=%s (systemd sandboxing directives; runit has no equivalent)" % hardening)
        out.append("address_families (enforced only by systemd's RestrictAddressFamilies)")
    if not spec.get("user") and spec.get("dynamic_user"):
        out.append("dynamic_user (runit runs the service as nobody instead)")
    limits = spec.get("limits") or {}
    mapped = set(k for k, _f, _s in CHPST_LIMITS) | set([ULIMIT_NOFILE])
    for key in sorted(limits):
        if key not in mapped and limits[key] is not None:
            extra = ""
            if key == "CPUQuota":
                extra = "; GOMAXPROCS still follows it"
            elif key == "MemoryMax":
                extra = "; GOMEMLIMIT still follows it"
            out.append("limits.%s (cgroup setting, not enforced under runit%s)" % (key, extra))
    restart = restart_settings(spec.get("restart"))
    given = spec.get("restart") or {}
    if restart["policy"] not in _RUNIT_RESTART:
        out.append("restart.policy=%s (runsv always restarts a service that exits)" % restart["policy"])
    for key in ("start_limit_interval_sec", "start_limit_burst"):
        if given.get(key) is not None:
            out.append("restart.%s (runsv has no start limit)" % key)
    if given.get("sec") is not None and str(given["sec"]) != str(RESTART_DEFAULTS["sec"]):
        out.append("restart.sec (runsv waits a fixed 1 second)")
    for section in ("unit", "service", "install"):
        for key in sorted(spec.get(section) or {}):
            out.append("%s.%s (systemd unit setting)" % (section, key))
    # With `environment`, its values land in the env dir whatever the file would have been
    # called; only a file the user named, or one referenced without `environment`, is lost.
    env_file = spec.get("environment_file")
    if env_file and (spec.get("environment") is None or env_file != default_env_file(spec["name"])):
        out.append("environment_file (runit reads the environment from %s/%s/env)" % (SV_DIR, spec["name"]))
    return out


def advisories(spec):
    """Settings runit honours but that are known to hurt a Go program."""
    out = []
    limits = spec.get("limits") or {}
    if limits.get("LimitAS") is not None and str(limits["LimitAS"]) != "infinity":
        out.append("limits.LimitAS becomes chpst -m (data, stack, memlock and address space): the Go runtime "
                   "reserves several GiB of address space at start and dies below that")
    return out
