# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Go runtime settings a service's resource limits imply (GOMAXPROCS, GOMEMLIMIT), and systemd sizes.

Shared by the systemd and runit renderers: both derive the same environment from `limits`.
Pure functions, no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

_SIZE_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGTPE]?)(i?B?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "P": 1 << 50, "E": 1 << 60}


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
