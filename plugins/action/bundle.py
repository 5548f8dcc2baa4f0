# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gofleet.golang.bundle verifies a bundle directory on the controller, before any host is
touched: signature (with a keyring), then the file set and every sum, with the parser the
node modules use.  A failure is one line naming the file; the play stops there."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil

from ansible.plugins.action import ActionBase

from ansible_collections.gofleet.golang.plugins.module_utils import fleet_bundle as fb
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.fleet_args import VERIFY_SPEC
from ansible_collections.gofleet.golang.plugins.module_utils.fleet_controller import run_command


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec=VERIFY_SPEC)
        try:
            doc = fb.verify(args["path"], args["keyring"], run_command, shutil.which("gpg"))
            toolchains = fb.toolchains(doc)
            if not toolchains:
                raise GofleetError("bundle %s holds no toolchain" % args["path"])
            version = fb.newest_version(doc)
            if args["version"]:
                version = fb.normalize_version(args["version"], "version")
                if version not in toolchains:
                    raise GofleetError("bundle %s has no go%s (it has %s)" % (
                        args["path"], version, ", ".join("go" + v for v in sorted(toolchains, key=fb.version_key))))
        except GofleetError as e:
            return dict(result, failed=True, msg=e.message)
        except (IOError, OSError) as e:
            return dict(result, failed=True, msg="bundle %s: %s" % (args["path"], e.strerror or e))
        result.update(
            changed=False, path=args["path"], name=doc.get("name"), signer=doc["signer"], version=version,
            versions=sorted(toolchains, key=fb.version_key),
            arches=sorted(toolchains[version]),
            toolchains=dict((v, dict((a, dict(name=e["name"], sha256=e["sha256"], size=e["size"],
                                              format=e.get("format") or "tarball", h1=e.get("h1")))
                                     for a, e in arches.items())) for v, arches in toolchains.items()),
            files=doc["files"],
        )
        if not args["keyring"] and os.path.isfile(os.path.join(args["path"], fb.SIGNATURE)):
            # Nothing skipped silently: the sums were checked, the signature over them was not.
            result["warnings"] = ["bundle %s carries %s but no keyring was given: its signature was not checked" % (
                args["path"], fb.SIGNATURE)]
        return result
