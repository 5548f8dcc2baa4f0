# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolve a host to the distro family whose per-family role files apply to it.

gofleet's roles know three families: RedHat (dnf, SELinux: Rocky, RHEL, openEuler, Kylin),
Debian (apt: Debian, Ubuntu, UOS, Deepin) and Void (xbps, runit).  Ansible's own os_family
decides when it names one of them; a derivative it does not know resolves through the
ID and ID_LIKE fields of /etc/os-release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shlex

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

FAMILIES = ("RedHat", "Debian", "Void")

# os-release IDs (and ID_LIKE words) -> family.  Lower case, as os-release writes them.
_ID_TO_FAMILY = {
    "rhel": "RedHat", "fedora": "RedHat", "centos": "RedHat", "rocky": "RedHat", "almalinux": "RedHat",
    "openeuler": "RedHat", "kylin": "RedHat", "anolis": "RedHat", "ol": "RedHat",
    "debian": "Debian", "ubuntu": "Debian", "uos": "Debian", "deepin": "Debian", "linuxmint": "Debian",
    "void": "Void",
}


def parse_os_release(text):
    """KEY=value pairs of /etc/os-release, with shell quoting undone."""
    fields = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        try:
            words = shlex.split(value)
        except ValueError:
            words = [value.strip("\"'")]
        fields[key.strip()] = " ".join(words)
    return fields


def resolve(facts, os_release_text=None):
    """The family for a host, from its facts (os_family, distribution) and os-release text."""
    facts = facts or {}
    os_family = facts.get("os_family") or facts.get("ansible_os_family")
    if os_family in FAMILIES:
        return os_family
    release = parse_os_release(os_release_text)
    # ID_LIKE first: one ID can name editions of both families (Kylin desktop is
    # Ubuntu-like, Kylin server RHEL-like), and ID_LIKE says which this one is.
    candidates = release.get("ID_LIKE", "").split() + [release.get("ID", "")]
    candidates += [str(os_family or ""), str(facts.get("distribution") or facts.get("ansible_distribution") or "")]
    for word in candidates:
        family = _ID_TO_FAMILY.get(word.strip().lower().split(" ")[0])
        if family:
            return family
    raise GofleetError(
        "unsupported distribution %s (os_family=%s, ID=%s, ID_LIKE=%s): gofleet supports the RedHat, Debian and Void families"
        % (facts.get("distribution") or "unknown", os_family or "unknown",
           release.get("ID") or "unknown", release.get("ID_LIKE") or "none")
    )
