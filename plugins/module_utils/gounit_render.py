# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text of a hardened systemd unit for a Go service, and the Go runtime settings it implies.

Pure functions only (no I/O): the module plans with them, unit tests table them.

Hardening profiles are ordered (directive, value, minimum systemd version) triples. The
`strict` profile is measured to bring `systemd-analyze security` to about 1.2 for a network
service (the remaining exposure is the network itself), while keeping what a Go binary needs
at start: the runtime raises RLIMIT_NOFILE with setrlimit/prlimit64, so `@resources` is never
denied (a `~@resources` filter kills every Go program with SIGSYS before main()).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

HEADER = "# Managed by gofleet.golang.systemd_gounit: local edits are overwritten."
DEFAULT_ADDRESS_FAMILIES = ["AF_INET", "AF_INET6", "AF_UNIX"]
# Where `environment` lands when no environment_file is given (root-only, 0600).
DEFAULT_ENV_DIR = "/etc/gofleet/env"

# name, value, first systemd version that knows it.  AddressFamilies are filled in from
# the `address_families` option (see render_unit).
_STRICT = [
    ("NoNewPrivileges", "yes", 187),
    ("ProtectSystem", "strict", 232),
    ("ProtectHome", "yes", 214),
    ("PrivateTmp", "yes", 1),
    ("PrivateDevices", "yes", 209),
    ("DevicePolicy", "closed", 1),
    ("PrivateUsers", "yes", 232),
    ("PrivateMounts", "yes", 239),
    ("ProtectHostname", "yes", 242),
    ("ProtectClock", "yes", 245),
    ("ProtectKernelTunables", "yes", 232),
    ("ProtectKernelModules", "yes", 232),
    ("ProtectKernelLogs", "yes", 244),
    ("ProtectControlGroups", "yes", 232),
    ("ProtectProc", "invisible", 247),
    ("ProcSubset", "pid", 247),
    ("RestrictAddressFamilies", None, 211),
    ("RestrictNamespaces", "yes", 233),
    ("RestrictRealtime", "yes", 231),
    ("RestrictSUIDSGID", "yes", 242),
    ("LockPersonality", "yes", 235),
    ("MemoryDenyWriteExecute", "yes", 231),
    ("RemoveIPC", "yes", 232),
    ("KeyringMode", "private", 235),
    ("UMask", "0077", 1),
    ("CapabilityBoundingSet", "", 1),
    ("AmbientCapabilities", "", 229),
    ("SystemCallArchitectures", "native", 1),
    # Allow-list first, then deny the privileged group.  Not ~@resources: Go needs setrlimit.
    ("SystemCallFilter", ["@system-service", "~@privileged"], 239),
    ("SystemCallErrorNumber", "EPERM", 1),
]

_BASELINE = [
    ("NoNewPrivileges", "yes", 187),
    ("ProtectSystem", "full", 1),
    ("ProtectHome", "read-only", 214),
    ("PrivateTmp", "yes", 1),
    ("PrivateDevices", "yes", 209),
    ("ProtectKernelTunables", "yes", 232),
    ("ProtectKernelModules", "yes", 232),
    ("ProtectControlGroups", "yes", 232),
    ("ProtectKernelLogs", "yes", 244),
    ("ProtectClock", "yes", 245),
    ("ProtectHostname", "yes", 242),
    ("RestrictAddressFamilies", None, 211),
    ("RestrictNamespaces", "yes", 233),
    ("RestrictRealtime", "yes", 231),
    ("RestrictSUIDSGID", "yes", 242),
    ("LockPersonality", "yes", 235),
    # Keeps CAP_NET_BIND_SERVICE and the like; drops what no Go service should hold.
    ("CapabilityBoundingSet", "~CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_BOOT "
                              "CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_MAC_ADMIN CAP_MAC_OVERRIDE "
                              "CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_SYSLOG CAP_LINUX_IMMUTABLE "
                              "CAP_AUDIT_CONTROL CAP_AUDIT_WRITE CAP_AUDIT_READ CAP_WAKE_ALARM "
                              "CAP_BLOCK_SUSPEND CAP_LEASE CAP_SYS_PACCT CAP_SYS_NICE CAP_SYS_RESOURCE", 1),
    ("SystemCallArchitectures", "native", 1),
]

PROFILES = {"strict": _STRICT, "baseline": _BASELINE, "none": []}

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
_SIZE_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTPE]?)(i?B?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50, "E": 1 << 60}


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


# ---------------------------------------------------------------- Go runtime settings

def parse_cpu_quota(value):
    """'150%' -> 1.5 CPUs; '' or 'infinity' -> None."""
    text = str(value).strip()
    if text in ("", "infinity"):
        return None
    m = re.match(r"^([0-9]+(?:\.[0-9]+)?)%$", text)
    if not m:
        raise GofleetError("limits.CPUQuota %r must be a percentage such as 150%%" % (value,))
    return float(m.group(1)) / 100.0


def parse_size(value, what="limits.MemoryMax", total_memory=None):
    """systemd memory size -> bytes (K/M/G/T are powers of 1024). None for infinity.

    A percentage needs `total_memory` (bytes of RAM on the node).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text in ("", "infinity"):
        return None
    if text.endswith("%"):
        try:
            pct = float(text[:-1])
        except ValueError:
            raise GofleetError("%s %r is not a size" % (what, value))
        if total_memory is None:
            return None
        return int(total_memory * pct / 100.0)
    m = _SIZE_RE.match(text)
    if not m:
        raise GofleetError("%s %r is not a size such as 512M or 2G" % (what, value))
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def gomaxprocs_for(cpu_quota):
    """CPUQuota=150% -> '2': Go should not run more threads than the quota lets it use."""
    cpus = parse_cpu_quota(cpu_quota)
    if cpus is None:
        return None
    return str(max(1, int(math.ceil(cpus - 1e-9))))


def gomemlimit_for(memory_max, total_memory=None, ratio=0.9):
    """MemoryMax=512M -> '460MiB': a soft heap goal 10% under the hard cgroup limit."""
    limit = parse_size(memory_max, total_memory=total_memory)
    if limit is None:
        return None
    soft = int(limit * ratio)
    if soft >= (1 << 20):
        return "%dMiB" % (soft // (1 << 20))
    return "%dB" % max(soft, 1)


def go_runtime_env(limits, environment, total_memory=None):
    """Environment the Go runtime should get from the resource limits (user values win)."""
    limits = limits or {}
    environment = environment or {}
    derived = []
    if "CPUQuota" in limits and "GOMAXPROCS" not in environment:
        procs = gomaxprocs_for(limits["CPUQuota"])
        if procs is not None:
            derived.append(("GOMAXPROCS", procs))
    if "MemoryMax" in limits and "GOMEMLIMIT" not in environment:
        mem = gomemlimit_for(limits["MemoryMax"], total_memory)
        if mem is not None:
            derived.append(("GOMEMLIMIT", mem))
    return derived


# ---------------------------------------------------------------- quoting

def quote_exec_arg(arg):
    """One ExecStart= word: % and $ escaped, quoted when it holds blanks or quotes."""
    text = str(arg).replace("%", "%%").replace("$", "$$")
    if text == "" or re.search(r"[\s\"'\\;]", text):
        # systemd C-unescapes ExecStart= words: a line break must be \n, since a literal one ends
        # the line and turns the rest of the argument into a directive of its own.
        text = '"%s"' % (text.replace("\\", "\\\\").replace('"', '\\"')
                         .replace("\n", "\\n").replace("\r", "\\r"))
    return text


def escape_specifiers(value):
    """'%u' -> '%%u': systemd expands specifiers in User=, WorkingDirectory=, Description= ...;
    a literal % must reach it doubled, or `user: "%u"` runs the service as root."""
    return None if value is None else str(value).replace("%", "%%")


def exec_start_line(binary, args):
    return " ".join(quote_exec_arg(w) for w in [binary] + list(args or []))


def env_file_text(environment):
    """EnvironmentFile= text: double-quoted values with shell double-quote escapes."""
    lines = [HEADER] + [env_entry(key, environment[key]) for key in sorted(environment or {})]
    return "\n".join(lines) + "\n"


def env_entry(key, value):
    """One KEY="value" entry of the environment file (a value's line breaks stay in its quotes)."""
    value = "" if value is None else str(value)
    return '%s="%s"' % (key, re.sub(r'([\\"`$])', r"\\\1", value))


def env_diff_text(before_keys, after_env, changed_keys):
    """A diff-able view of the environment file that never shows a value."""
    lines = []
    for key in sorted(after_env or {}):
        lines.append("%s=********%s" % (key, " (value changed)" if key in changed_keys else ""))
    return "\n".join(lines) + ("\n" if lines else "")


def _fmt(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    return str(value)


# ---------------------------------------------------------------- the unit

def hardening_directives(profile, address_families, systemd_version=None):
    """([(key, value)], [skipped key]) for `profile` on a systemd of `systemd_version`."""
    if profile not in PROFILES:
        raise GofleetError("hardening %r is not one of %s" % (profile, ", ".join(sorted(PROFILES))))
    out, skipped = [], []
    for key, value, since in PROFILES[profile]:
        if key == "RestrictAddressFamilies":
            value = " ".join(address_families) if address_families else "none"
            if not address_families:
                since = 249
        if systemd_version is not None and systemd_version < since:
            skipped.append(key)
            continue
        out.append((key, value))
    return out, skipped


def _merge(pairs, extra):
    """Ordered (key, value) pairs with `extra` (a dict) replacing or removing (None) keys."""
    extra = extra or {}
    out = []
    seen = set()
    for key, value in pairs:
        if key in extra:
            if key in seen:
                continue
            seen.add(key)
            value = extra[key]
            if value is None:
                continue
        out.append((key, value))
    for key, value in extra.items():
        if key not in seen and value is not None:
            out.append((key, value))
    return out


def _section(name, pairs):
    lines = ["[%s]" % name]
    for key, value in pairs:
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            lines.append("%s=%s" % (key, _fmt(v)))
    return lines


def render_unit(spec, systemd_version=None, total_memory=None):
    """Unit text for `spec` (the module's parameters, normalised) -> (text, info).

    info: skipped (hardening directives this systemd does not know), derived_env.
    """
    name = spec["name"]
    restart = restart_settings(spec.get("restart"))
    limits = spec.get("limits") or {}
    families = spec.get("address_families")
    if families is None:
        families = DEFAULT_ADDRESS_FAMILIES
    hardening, skipped = hardening_directives(spec.get("hardening") or "strict", families, systemd_version)

    unit = [
        ("Description", escape_specifiers(spec.get("description") or "%s (Go service managed by gofleet)" % name)),
        ("After", "network-online.target"),
        ("Wants", "network-online.target"),
        ("StartLimitIntervalSec", restart["start_limit_interval_sec"]),
        ("StartLimitBurst", restart["start_limit_burst"]),
    ]

    service = [("Type", "simple"), ("ExecStart", spec["exec_start"])]
    if spec.get("user"):
        service.append(("User", escape_specifiers(spec["user"])))
        if spec.get("group"):
            service.append(("Group", escape_specifiers(spec["group"])))
    elif spec.get("dynamic_user"):
        service.append(("DynamicUser", "yes"))
        if spec.get("group"):
            service.append(("Group", escape_specifiers(spec["group"])))
    if spec.get("working_directory"):
        service.append(("WorkingDirectory", escape_specifiers(spec["working_directory"])))
    derived = go_runtime_env(limits, spec.get("environment"), total_memory)
    for key, value in derived:
        service.append(("Environment", escape_specifiers("%s=%s" % (key, value))))
    if spec.get("environment_file"):
        service.append(("EnvironmentFile", escape_specifiers(spec["environment_file"])))
    service.append(("Restart", restart["policy"]))
    service.append(("RestartSec", restart["sec"]))
    for key in LIMIT_KEYS:
        if key in limits and limits[key] is not None:
            service.append((key, limits[key]))
    service.extend(hardening)

    install = [("WantedBy", "multi-user.target")]

    lines = [HEADER, "# hardening: %s" % (spec.get("hardening") or "strict")]
    lines += _section("Unit", _merge(unit, spec.get("unit")))
    lines.append("")
    lines += _section("Service", _merge(service, spec.get("service")))
    lines.append("")
    lines += _section("Install", _merge(install, spec.get("install")))
    return "\n".join(lines) + "\n", {"skipped": skipped, "derived_env": dict(derived)}


def parse_systemd_version(text):
    """'systemd 252 (252.38-1~deb12u1)' -> 252; None when unreadable."""
    m = re.search(r"systemd\s+([0-9]+)", text or "")
    return int(m.group(1)) if m else None


def parse_exposure(text):
    """The number on 'Overall exposure level for x.service: 1.2 OK' (None if absent)."""
    m = re.search(r"Overall exposure level for \S+:\s*([0-9]+(?:\.[0-9]+)?)", text or "")
    return float(m.group(1)) if m else None
