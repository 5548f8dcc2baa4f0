# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text of a hardened systemd unit for a Go service, and of its environment file.

Every value that systemd would expand specifiers in (Description=, User=, Group=,
WorkingDirectory=, Environment=, EnvironmentFile=, the ExecStart= words built from binary and
args) is written with each % doubled; the unit/service/install dicts and exec_start are systemd
syntax and written as given. Pure functions only (no I/O): the module plans with them, unit tests table them.

Hardening profiles are ordered (directive, value, minimum systemd version) triples. The
`strict` profile is measured to bring `systemd-analyze security` to about 1.2 for a network
service (the remaining exposure is the network itself), while keeping what a Go binary needs
at start: the runtime raises RLIMIT_NOFILE with setrlimit/prlimit64, so `@resources` is never
denied (a `~@resources` filter kills every Go program with SIGSYS before main()).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.service.go_runtime import go_runtime_env
from ansible_collections.gofleet.golang.plugins.module_utils.service.spec import (
    DEFAULT_ADDRESS_FAMILIES,
    HEADER,
    LIMIT_KEYS,
    restart_settings,
)
from ansible_collections.gofleet.golang.plugins.module_utils.service.systemd_syntax import escape_specifiers

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
