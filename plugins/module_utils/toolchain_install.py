# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain's install and repair steps: extract beside the target, validate, rename into
place and write the receipt; or put back only the drifted paths from the verified tarball.
Each step is atomic, and a receipt that cannot be written undoes the rename.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, go_env, manifest
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.toolchain_receipt import MANAGED_FILES, RECEIPT_SCHEMA, TIME_FORMAT, receipt_path
from ansible_collections.gofleet.golang.plugins.module_utils.toolchain_verify import through_symlink, validate_tree, verified_tarball


def install(req, p, runner):
    """Fetch, verify, extract beside the target, validate, rename into place, record."""
    staging = atomic.make_staging_dir(req.install_root, "go" + req.version)
    try:
        tarball, source, sha, h1, fingerprint = verified_tarball(req, p, runner, staging)
        tree = os.path.join(staging, "tree")
        os.mkdir(tree, 0o755)
        # A tarball is read once: judged, written and every file hashed for the receipt as it goes.
        # A zip is extracted as before and leaves `hashes` empty: the manifest hashes from disk.
        hashes = {}
        req.artifact.extract(tarball, tree, req.max_unpacked, source, hashes=hashes)
        new_root = os.path.join(tree, "go")
        go_version = validate_tree(req, new_root, source, runner)
        upstream_env = atomic.read_file(os.path.join(new_root, "go.env")) or ""
        p.env_after = go_env.render(upstream_env, req.env)
        atomic.write_file(os.path.join(new_root, "go.env"), p.env_after, 0o644)
        _own_by_root(new_root)
        now = time.strftime(TIME_FORMAT, time.gmtime())
        receipt = {
            "schema": RECEIPT_SCHEMA,
            "version": req.version,
            "goroot": req.goroot,
            "arch": req.arch,
            "installed_by": "gofleet.golang.go_toolchain",
            "installed_at": now,
            # Hashed straight from the verified tarball's extract: as good as a full verification.
            "verified_full_at": now,
            # The artifact: a go.dev tarball or the toolchain module zip (then also its module and h1).
            "tarball": dict({"filename": req.tarball_name, "source": source, "sha256": sha, "format": req.artifact.format,
                             "signature": req.signature, "signer_fingerprint": fingerprint},
                            **({"h1": h1, "module": "%s@%s" % req.artifact.module} if req.artifact.is_zip else {})),
            "go_version": go_version,
            "upstream_go_env": upstream_env,
            "manifest": manifest.build(new_root, exclude=MANAGED_FILES, with_hash=True, with_owner=True,
                                       hashes=dict((name[len("go/"):], sha) for name, sha in hashes.items() if sha) or None),
        }
        # lexists, not isdir: a link (or file) at GOROOT is swapped out as it is, never followed.
        replaced = os.path.lexists(req.goroot)
        if replaced:
            atomic.swap_trees(new_root, req.goroot)  # the drifted tree lands in staging and goes with it
        else:
            os.rename(new_root, req.goroot)
        try:
            atomic.write_file(receipt_path(req.install_root, req.version), json.dumps(receipt, sort_keys=True), 0o644)
        except (IOError, OSError):
            # A tree without its receipt wedges every rerun on a full disk (each extracts a second
            # copy beside it): put back what was there; the old receipt is untouched.
            _undo_rename(new_root, req.goroot, replaced)
            raise
        return receipt
    except (IOError, OSError) as e:
        raise GofleetError("installing go%s into %s failed: %s" % (req.version, req.goroot, getattr(e, "strerror", None) or e))
    finally:
        atomic.remove_tree(staging)


def _undo_rename(new_root, goroot, replaced):
    try:
        if replaced:
            atomic.swap_trees(new_root, goroot)
        else:
            os.rename(goroot, new_root)
    except OSError:
        pass  # the next run removes an unreceipted, inactive tree before installing


def repair(req, p, runner):
    """Put back only the drifted paths, from the verified tarball; True when the tree is whole.

    Each path is renamed into place, so an interrupted repair leaves a tree that is still
    drifted (and repaired by the next run), never a half-written file.  When the repair does
    not bring the tree back to the manifest it was compared against (the receipt's, or the
    tarball's under full), the caller falls back to a full reinstall.
    """
    if atomic.path_kind(req.goroot) != "directory":
        return False  # swapped for a link since planning: only a fresh tree is safe
    staging = atomic.make_staging_dir(req.install_root, "go" + req.version)
    try:
        tarball, source = verified_tarball(req, p, runner, staging)[:2]
        added = sorted(set(i["item"] for i in p.drift_items if i["aspect"] == "added"))
        restore = set("go/" + i["item"] for i in p.drift_items if i["aspect"] != "added")
        files = p.reference
        if any(through_symlink(req.goroot, name[len("go/"):], files) for name in restore):
            # A link planted where a directory (or file) belongs: writing below it, or chmod-ing
            # it, would change whatever it points at outside the tree. Only a fresh tree is safe.
            return False
        for rel in added:
            atomic.remove_tree(os.path.join(req.goroot, rel))
        req.artifact.extract(tarball, req.goroot, req.max_unpacked, source, only=restore)
        if os.geteuid() == 0:
            # Modes came from the tarball without group/other write; owners need resetting.
            for name in restore:
                os.lchown(os.path.join(req.goroot, name[len("go/"):]), 0, 0)
        return not manifest.compare(req.goroot, p.reference, p.verify, exclude=MANAGED_FILES, owner=p.owner)
    except (IOError, OSError) as e:
        raise GofleetError("repairing go%s in %s failed: %s" % (req.version, req.goroot, getattr(e, "strerror", None) or e))
    finally:
        atomic.remove_tree(staging)


def _own_by_root(root):
    """Root-owned, nothing writable by group or others: a GOROOT is code every user runs."""
    as_root = os.geteuid() == 0
    for _rel, path, st in manifest.walk(root):
        if as_root:
            os.lchown(path, 0, 0)
        if not os.path.islink(path) and st.st_mode & 0o022:
            os.chmod(path, st.st_mode & 0o7755)
    if as_root:
        os.lchown(root, 0, 0)
    os.chmod(root, 0o755)
