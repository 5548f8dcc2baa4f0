# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resolve a host to the distro family whose per-family role files apply to it.

gofleet's roles know three families: RedHat (dnf, SELinux: Rocky, RHEL, openEuler, Kylin),
Debian (apt: Debian, Ubuntu, UOS, Deepin) and Void (xbps, runit).  Ansible's own os_family
decides when it names one of them; a derivative it does not know resolves through the
ID and ID_LIKE fields of /etc/os-release.  An ID that names editions of both families
(UOS Server 1050e is rpm-based, 1050a/d and the desktop Debian-based) with no ID_LIKE is
decided by the package tools the host really has: Ansible maps such a name to one family
whatever the edition (and then reports pkg_mgr for that family), so its facts cannot say.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shlex

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

FAMILIES = ("RedHat", "Debian", "Void")
# The package manager each family's roles install with.
PKG_MGR = {"RedHat": "dnf", "Debian": "apt", "Void": "xbps"}

# os-release IDs (and ID_LIKE words) -> family.  Lower case, as os-release writes them.
_ID_TO_FAMILY = {
    "rhel": "RedHat", "fedora": "RedHat", "centos": "RedHat", "rocky": "RedHat", "almalinux": "RedHat",
    "openeuler": "RedHat", "kylin": "RedHat", "anolis": "RedHat", "ol": "RedHat",
    "debian": "Debian", "ubuntu": "Debian", "uos": "Debian", "deepin": "Debian", "linuxmint": "Debian",
    "void": "Void",
}


# IDs shipped in rpm-based and Debian-based editions alike; without ID_LIKE, probe the host.
AMBIGUOUS_IDS = ("uos", "kylin")
# Front ends first (a Debian host may carry the rpm package, not dnf), then the databases.
_DEB_FRONTENDS = ("/usr/bin/apt-get",)
_RPM_FRONTENDS = ("/usr/bin/dnf", "/usr/bin/yum")
_DEB_DATABASES = ("/usr/bin/dpkg",)
_RPM_DATABASES = ("/usr/bin/rpm",)
PACKAGE_TOOLS = _DEB_FRONTENDS + _RPM_FRONTENDS + _DEB_DATABASES + _RPM_DATABASES


def package_tool_probes(os_release_text):
    """The paths a role must stat for resolve(): none when os-release decides on its own."""
    release = parse_os_release(os_release_text)
    if release.get("ID", "").lower() in AMBIGUOUS_IDS and not release.get("ID_LIKE", "").strip():
        return list(PACKAGE_TOOLS)
    return []


def present_package_tools(os_release_text, exists=os.path.exists):
    """On the node: which of package_tool_probes() exist (an empty list when none are needed)."""
    return [path for path in package_tool_probes(os_release_text) if exists(path)]


def _family_by_package_tools(release, tools):
    present = set(tools)
    for deb, rpm in ((_DEB_FRONTENDS, _RPM_FRONTENDS), (_DEB_DATABASES, _RPM_DATABASES)):
        has_deb, has_rpm = bool(present.intersection(deb)), bool(present.intersection(rpm))
        if has_deb != has_rpm:
            return "Debian" if has_deb else "RedHat"
    raise GofleetError(
        "ID=%s without ID_LIKE in /etc/os-release, and the package tools found (%s) name neither apt nor rpm alone: "
        "add ID_LIKE (debian or rhel) to /etc/os-release" % (release.get("ID"), ", ".join(sorted(present)) or "none"))


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


def resolve(facts, os_release_text=None, package_tools=None):
    """The family for a host, from its facts (os_family, distribution) and os-release text.

    package_tools: the paths of package_tool_probes() that exist on the host; when given and
    os-release leaves the family open, they decide (Ansible's os_family is only a name mapping).
    """
    facts = facts or {}
    os_family = facts.get("os_family") or facts.get("ansible_os_family")
    release = parse_os_release(os_release_text)
    if package_tools is not None and package_tool_probes(os_release_text):
        return _family_by_package_tools(release, package_tools)
    if os_family in FAMILIES:
        return os_family
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
