# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gofleet.golang.go_toolchain on the controller: ship the tarball only when the node needs it.

Without `controller_src` the module runs as it is. With it, the module runs first as it would
anyway, told that `src` may be shipped on demand: a run with nothing to repair (the no-op of
every scheduled drift run) is that one module run, with no transfer and no hashing on the
controller. Only when the module answers `tarball_needed` (the tree is missing, torn or drifted,
the tarball or zip changed, or a full verification is due, and `src` on the node is missing or does
not match its sha256 or h1) is the file copied to `src` and the module run again, without
`controller_src`, so a tarball that does not match fails there in one line. The node verifies
every byte it uses; the controller never hashes the file (the bundle action did once per play).
Agnostic of what the artifact is: it ships whatever `controller_src` names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase

MODULE = "gofleet.golang.go_toolchain"


class ActionModule(ActionBase):
    # False: no temporary directory is made up front, so a no-op over a pipelining connection
    # costs one round trip; _ship() makes one when a tarball has to go.
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        try:
            if not args.get("controller_src"):
                result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
                return result
            result.update(self._run_shipping(args, task_vars))
            return result
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)

    def _run_shipping(self, args, task_vars):
        controller_src, src = args["controller_src"], args.get("src")
        if not src:
            return dict(failed=True, msg="controller_src %s needs src, the path on the node to ship it to" % controller_src)
        try:
            local = self._find_needle("files", controller_src)
        except AnsibleError as e:
            return dict(failed=True, msg="controller_src %s: %s" % (controller_src, to_text(e.message).splitlines()[0]))
        probe = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
        if probe.get("failed") or not probe.get("tarball_needed"):
            return probe
        ship = "copy %s to %s" % (controller_src, src)
        if self._task.check_mode:
            return _shipped(probe, ship, src)
        copied = self._ship(local, src, task_vars)
        if copied.get("failed"):
            return dict(failed=True, msg="copying controller_src %s to %s failed: %s" % (
                controller_src, src, to_text(copied.get("msg", "")).strip().splitlines()[0] if copied.get("msg") else "unknown error"))
        args = dict(args)
        del args["controller_src"]  # a tarball that still does not match is now an error, in one line
        final = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
        if final.get("failed"):
            final["msg"] = "%s (shipped from controller_src %s)" % (to_text(final.get("msg", "")).rstrip(), controller_src)
            return final
        final["tarball_needed"] = True
        return _shipped(final, ship, src)

    def _ship(self, local, dest, task_vars):
        """The file to `dest` on the node (root:root 0644, parents created 0755) through a temporary
        file; the copy module hashes nothing on the controller."""
        if self._connection._shell.tmpdir is None:
            self._make_tmp_path()
        tmp_src = self._connection._shell.join_path(self._connection._shell.tmpdir, "gofleet-tarball")
        self._transfer_file(local, tmp_src)
        self._fixup_perms2((self._connection._shell.tmpdir, tmp_src))
        directory, name = dest.rsplit("/", 1)
        # dest as a directory ending in "/": the copy module creates it (and its parents) when missing.
        return self._execute_module(module_name="ansible.legacy.copy", task_vars=task_vars, module_args=dict(
            src=tmp_src, dest=(directory or "") + "/", owner="root", group="root", mode="0644", directory_mode="0755",
            force=True, _original_basename=name))


def _shipped(result, ship, src):
    result = dict(result)
    result["changed"] = True
    result["actions"] = [ship] + list(result.get("actions") or [])
    if "diff" in result:
        items = result["diff"] if isinstance(result["diff"], list) else [result["diff"]]
        result["diff"] = [{"before_header": src, "after_header": src, "before": "", "after": "%s\n" % ship}] + items
    return result
