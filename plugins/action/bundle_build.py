# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gofleet.golang.bundle_build runs on the controller: it writes a local bundle directory, so
nothing is sent to a node (the module file only documents the options)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shutil

from ansible.plugins.action import ActionBase

from ansible_collections.gofleet.golang.plugins.module_utils import fleet_build
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.fleet_args import BUILD_SPEC
from ansible_collections.gofleet.golang.plugins.module_utils.fleet_controller import run_command


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=BUILD_SPEC)
        inputs = None
        try:
            inputs = fleet_build.Inputs(args)
            entries, modules = fleet_build.plan(inputs)
            generated = fleet_build.render(inputs, entries, modules)
            changed = not fleet_build.up_to_date(inputs, generated, entries, run_command, shutil.which("gpg"))
            before = self._old_sums(inputs)
            archive_sha = None
            if changed and not self._task.check_mode:
                archive_sha = fleet_build.apply(inputs, entries, generated, run_command, shutil.which("gpg"))
        except GofleetError as e:
            return dict(result, failed=True, msg=e.message)
        except (IOError, OSError) as e:
            return dict(result, failed=True, msg="bundle_build: %s: %s" % (getattr(e, "filename", "") or "", e.strerror or e))
        finally:
            if inputs is not None:
                fleet_build.cleanup(inputs)  # the toolchain zips plan() fetched
        if archive_sha is None:
            archive_sha = self._recorded(inputs.archive)
        result.update(
            changed=changed, dest=inputs.dest, archive=inputs.archive, archive_sha256=archive_sha,
            files=sorted(e["name"] for e in entries) + sorted(generated),
            toolchains=[dict(name=e["name"], version=e["version"], arch=e["arch"], sha256=e["sha256"],
                             format=e.get("format"), h1=e.get("h1"))
                        for e in entries if e["kind"] == "toolchain"],
            modules=len(modules),
            diff=dict(before=before, after=generated["SHA256SUMS"].decode("utf-8"),
                      before_header=inputs.dest + "/SHA256SUMS", after_header=inputs.dest + "/SHA256SUMS"),
        )
        return result

    @staticmethod
    def _old_sums(inputs):
        try:
            with open(inputs.dest + "/SHA256SUMS", "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (IOError, OSError):
            return ""

    @staticmethod
    def _recorded(archive):
        try:
            with open(archive + ".sha256") as f:
                return f.read().split()[0]
        except (IOError, OSError, IndexError):
            return None
