# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain's links: the O(link) to the active GOROOT and the bin_dir links through it,
planned (a file or directory where a link belongs is refused the same in check mode) and
swapped by renaming a new link over the old one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, drift

BINARIES = ("go", "gofmt")


def plan_activation(req, node, p):
    p.active_after = req.version
    # Links are drift only around a version that was installed and activated before: a first
    # install or a switch between managed versions is a change asked for, not drift.
    installed = node.goroot_exists and node.receipt is not None
    if node.link_target != req.goroot:
        p.link_change = (_link_before(req, node, req.link, node.link_target), req.goroot)
        p.actions.append("point %s at %s%s" % (req.link, req.goroot, _replacing(node, req.link)))
        if installed and node.active_version is None:
            p.managed_drift.append(_link_drift(node, req.link, req.goroot, node.link_target))
    for name in BINARIES if req.bin_dir else ():
        path = os.path.join(req.bin_dir, name)
        wanted = os.path.join(req.link, "bin", name)
        if node.bin_links.get(name) != wanted:
            p.bin_changes.append((path, _link_before(req, node, path, node.bin_links.get(name)), wanted))
            p.actions.append("link %s to %s%s" % (path, wanted, _replacing(node, path)))
            if installed and node.link_target is not None:
                p.managed_drift.append(_link_drift(node, path, wanted, node.bin_links.get(name)))


def _link_drift(node, path, wanted, target):
    if path in node.not_links:
        return drift.item(path, "type", "symlink", node.not_links[path][1])
    if target is None:
        return drift.item(path, "missing", wanted)
    return drift.item(path, "link", wanted, target)


def _link_before(req, node, path, target):
    """What a link replaces, for the diff; refuses here what apply would refuse, so check mode fails alike."""
    kind, found = node.not_links.get(path, (None, None))
    if kind:
        atomic.check_link_slot(path, kind, replace_file=req.force)
    return found or target


def _replacing(node, path):
    return " (replacing a regular file, force)" if path in node.not_links else ""


def apply_links(req, p):
    if p.link_change:
        if p.link_change[1]:
            atomic.replace_symlink(p.link_change[1], req.link, replace_file=req.force)
        elif os.path.islink(req.link):
            os.unlink(req.link)
    for path, _before, after in p.bin_changes:
        if after:
            atomic.replace_symlink(after, path, replace_file=req.force)
        elif os.path.islink(path):
            os.unlink(path)
