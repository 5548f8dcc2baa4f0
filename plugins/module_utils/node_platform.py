# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the gofleet.golang.platform module tells roles about a node, read from the node itself.

One answer per host: the family (distro_family.resolve, the only family table), the
distribution as Ansible's own collector names it (the names of a role's vars files), the init
system, the SELinux state, the package manager and the Go architecture.  Every reader takes
its paths as arguments so the unit tests point them at a temporary tree.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

from ansible_collections.gofleet.golang.plugins.module_utils import distro_family
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import MACHINE_TO_TARBALL_ARCH

OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")
SELINUXFS_ROOTS = ("/sys/fs/selinux", "/selinux")
SELINUX_CONFIG = "/etc/selinux/config"
MUSL_LOADERS = ("/lib/ld-musl-*.so.1", "/usr/lib/ld-musl-*.so.1")


def read_os_release(paths=OS_RELEASE_PATHS):
    """The text of the first os-release file that exists ('' when none does)."""
    for path in paths:
        try:
            with open(path) as f:
                return f.read()
        except (IOError, OSError):
            continue
    return ""


def selinux_state(roots=SELINUXFS_ROOTS, config=SELINUX_CONFIG):
    """enforcing / permissive from selinuxfs; disabled when only the config is there; else absent."""
    for root in roots:
        try:
            with open(os.path.join(root, "enforce")) as f:
                return "enforcing" if f.read().strip() == "1" else "permissive"
        except (IOError, OSError):
            continue
    return "disabled" if os.path.exists(config) else "absent"


def init_system(run_dir="/run/systemd/system", which=None):
    """systemd when it is PID 1 (sd_booted's test), runit when its tools are here, else other."""
    if os.path.isdir(run_dir):
        return "systemd"
    if which is not None and (which("runsvdir") or which("sv")):
        return "runit"
    return "other"


def libc(patterns=MUSL_LOADERS):
    """musl when its loader is there (Void musl, Alpine), else glibc."""
    for pattern in patterns:
        if glob.glob(pattern):
            return "musl"
    return "glibc"


def describe(distro_facts, os_release_text, package_tools, machine, init, selinux, c_library):
    """The gofleet_platform fact; GofleetError (one line) for an unsupported distribution."""
    family = distro_family.resolve(distro_facts, os_release_text, package_tools)
    release = distro_family.parse_os_release(os_release_text)
    return dict(
        family=family,
        distribution=distro_facts.get("distribution") or release.get("NAME") or release.get("ID") or "unknown",
        distribution_major_version=str(distro_facts.get("distribution_major_version")
                                       or (release.get("VERSION_ID") or "").split(".")[0] or "NA"),
        init=init,
        selinux=selinux,
        pkg_mgr=distro_family.PKG_MGR[family],
        machine=machine,
        go_arch=MACHINE_TO_TARBALL_ARCH.get(machine),
        libc=c_library,
    )
