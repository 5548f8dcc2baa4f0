# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""state=present: a verified bundle merged with the current release into a new release.

Releases live in `<path>/releases/<id>` (id: the merged index's hash) with a file manifest
beside each; `<path>/current` is switched atomically. inspect() reads the current release and
its drift, plan() verifies the bundle and decides (the same in check mode), apply() builds the
new release in a staging directory, or repairs the drifted paths of the current one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import tempfile

from ansible_collections.gofleet.golang.plugins.module_utils import artifact, atomic, gomod_drift, safe_tar
from ansible_collections.gofleet.golang.plugins.module_utils import drift as ddrift
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_bundle as gb
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_index as gi
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_tree as gt
from ansible_collections.gofleet.golang.plugins.module_utils import manifest as mf
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import sha256_file
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

LOST_MANIFEST = "missing: (release manifest)"


def inspect(path, verify):
    """The current release, its index and its drift (per verify), changing nothing."""
    release, current_dir = current_release(path)
    current = gi.load_doc_file(os.path.join(current_dir, gi.MANIFEST)) if current_dir else None
    if current_dir and current is None:
        raise GofleetError("%s has no readable %s; remove %s/current to start over" % (current_dir, gi.MANIFEST, path))
    found = release_drift(current_dir, release_manifest_path(path, release), verify) if current_dir else []
    # How each path drifted (expected vs found), read before any repair touches it.
    items = gomod_drift.items(current_dir, release_manifest_path(path, release), found,
                              LOST_MANIFEST) if found else []
    return {"release": release, "current_dir": current_dir, "current": current, "drift": found, "drift_items": items}


class Plan(object):
    """What a present run does: nothing, repair the current release, or switch to a new one."""

    def __init__(self):
        self.scratch = None          # a signature fetched from a URL
        self.source = None           # the open, verified Bundle
        self.expected_sha256 = None
        self.merged = None
        self.sources = None
        self.new_id = None
        self.action = None           # None, "repair" or "release"
        self.repairs = []            # [(rel, fix)] for "repair"

    @property
    def changed(self):
        return self.action is not None

    def close(self):
        if self.source:
            self.source.close()
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


def plan(req, node, run_command, gpg):
    """Verify the bundle and decide; what the real run would refuse, check mode refuses too."""
    p = Plan()
    bundle = req.bundle
    if not os.path.isfile(bundle):
        raise GofleetError("bundle %s does not exist" % bundle)
    p.expected_sha256 = req.checks.expected_sha256(os.path.basename(bundle))
    artifact.require_sha256(bundle, p.expected_sha256, "bundle %s" % bundle)
    if req.checks.signature:
        p.scratch = tempfile.mkdtemp(prefix="gofleet-mirror-")
        req.checks.check_signature(run_command, gpg, bundle, p.scratch, "bundle %s" % bundle)
    p.source = gb.Bundle(bundle)
    # The files, not the manifest, say what the bundle serves; judged the same in check mode.
    gb.verify(bundle, p.source.doc)
    current_dir = node["current_dir"]
    base = node["current"] or gi.empty_doc()
    p.merged, p.sources = gi.merge(base, p.source.doc, lambda rel: gi.read_bytes(os.path.join(current_dir, rel)),
                                   p.source.read)
    p.new_id = gi.doc_id(p.merged)[:12]
    if p.new_id == node["release"]:
        if node["drift"]:
            p.action = "repair"
            p.repairs = _repair_plan(req.path, current_dir, p.merged, p.sources, p.source, node["drift"])
    else:
        p.action = "release"
        _check_base_files(current_dir, p.merged, p.sources, p.source.doc, bundle)
    return p


def apply(req, node, p):
    releases = os.path.join(req.path, "releases")
    atomic.makedirs(releases, 0o755)
    if p.action == "repair":
        _repair(req.path, node["current_dir"], node["release"], p.merged, p.sources, p.source, p.repairs,
                LOST_MANIFEST in node["drift"], req.checks.verify)
        return
    staging = atomic.make_staging_dir(releases, p.new_id)
    try:
        safe_tar.extract(req.bundle, staging, top=gb.BUNDLE_TOP, label="bundle %s" % req.bundle)
        tree = os.path.join(staging, gb.BUNDLE_TOP)
        _assemble(tree, node["current_dir"], p.merged, p.sources, p.source.doc, req.bundle)
        final = os.path.join(releases, p.new_id)
        atomic.remove_tree(final)
        os.rename(tree, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    atomic.write_file(release_manifest_path(req.path, p.new_id),
                      json.dumps(mf.build(final), sort_keys=True), 0o644)
    atomic.replace_symlink(os.path.join("releases", p.new_id), os.path.join(req.path, "current"))
    _prune(releases, keep=(p.new_id, node["release"]))


def report(req, node, p):
    base = node["current"] or gi.empty_doc()
    diff = {"before": gi.diff_text(node["current"]), "after": gi.diff_text(p.merged)}
    items = node["drift_items"]
    return {
        "changed": p.changed,
        "release": p.new_id,
        "current": os.path.join(req.path, "current"),
        "modules": gi.module_keys(p.merged),
        "added": sorted(set(p.merged["modules"]) - set(base["modules"])),
        "drift": node["drift"],
        "drift_items": items,
        "bundle_sha256": p.expected_sha256,
        "diff": [diff, ddrift.diff(items, os.path.join(req.path, "current"))] if items else diff,
    }


def release_manifest_path(path, release):
    return os.path.join(path, "releases", release + ".manifest.json")


def current_release(path):
    target = atomic.read_link(os.path.join(path, "current"))
    if not target:
        if os.path.lexists(os.path.join(path, "current")):
            raise GofleetError("%s/current is not a symlink; move it away so gofleet can manage the mirror" % path)
        return None, None
    release = os.path.basename(target.rstrip("/"))
    directory = os.path.join(path, "releases", release)
    return release, directory if os.path.isdir(directory) else None


def release_drift(release_dir, manifest_file, mode):
    if mode == "none":
        return []
    recorded = None
    try:
        recorded = json.loads(gi.read_bytes(manifest_file).decode("utf-8"))
    except (IOError, OSError, ValueError):
        pass
    if not isinstance(recorded, dict):
        return [LOST_MANIFEST]
    return mf.drift(release_dir, recorded, mode)


def _assemble(tree, current_dir, merged, sources, bundle_doc, bundle):
    """Turn an extracted bundle into the merged release: checks, base files, derived files."""
    for dirpath, dirnames, filenames in os.walk(tree):
        for name in dirnames + filenames:
            if os.path.islink(os.path.join(dirpath, name)):
                # walk_files skips links, so one would reach the release without any check.
                raise GofleetError("bundle %s contains the symlink %s; a mirror holds regular files only"
                                   % (bundle, os.path.relpath(os.path.join(dirpath, name), tree)))
    for rel in gi.walk_files(tree):
        if rel == gi.MANIFEST:
            continue
        if rel not in bundle_doc["files"]:
            raise GofleetError("bundle %s contains %s, which its manifest does not list" % (bundle, rel))
        if sha256_file(os.path.join(tree, rel)) != bundle_doc["files"][rel]:
            raise GofleetError("bundle %s: %s does not match the sha256 in its manifest" % (bundle, rel))
        # The bundle's copy serves whenever it is the merged content (fresher than a base copy).
        if isinstance(sources.get(rel), bytes) or merged["files"].get(rel) != bundle_doc["files"][rel]:
            os.unlink(os.path.join(tree, rel))
    for rel, src in sorted(sources.items()):
        target = os.path.join(tree, rel)
        if isinstance(src, bytes):
            gt.place_file(target, data=src)
        elif src == "base" and not os.path.isfile(target):
            origin = os.path.join(current_dir, rel)
            if not os.path.isfile(origin) or sha256_file(origin) != merged["files"][rel]:
                raise GofleetError(
                    "%s in the current release is missing or altered and the bundle %s does not carry it; "
                    "ship a bundle that contains it" % (rel, bundle))
            gt.place_file(target, source=origin, link=True)
        elif not os.path.isfile(target):
            raise GofleetError("bundle %s lists %s but does not contain it" % (bundle, rel))
    gt.place_file(os.path.join(tree, gi.MANIFEST), data=gi.dump_doc(merged))
    gt.prune_empty_dirs(tree)
    gt.normalize_tree(tree)


def _base_missing_or_altered(current_dir, rel, merged):
    origin = os.path.join(current_dir, rel)
    return not os.path.isfile(origin) or sha256_file(origin) != merged["files"][rel]


def _check_base_files(current_dir, merged, sources, bundle_doc, bundle):
    """Every file a new release takes from the current one (the bundle lacks it) is intact."""
    for rel, src in sorted(sources.items()):
        if src == "base" and bundle_doc["files"].get(rel) != merged["files"][rel]:
            if _base_missing_or_altered(current_dir, rel, merged):
                raise GofleetError(
                    "%s in the current release is missing or altered and the bundle %s does not carry it; "
                    "ship a bundle that contains it" % (rel, bundle))


def _repair_plan(path, current_dir, merged, sources, source, drift):
    """[(rel, fix)] for each drifted path of the current release; refuses one nothing can fix."""
    if LOST_MANIFEST in drift:
        # Without the recorded manifest, the merged index's sha256 are the reference.
        drift = ["changed: %s" % rel for rel in sorted(merged["files"])
                 if _base_missing_or_altered(current_dir, rel, merged)]
        drift += ["added: %s" % rel for rel in gi.walk_files(current_dir)
                  if rel not in merged["files"] and rel != gi.MANIFEST]
        drift.append("changed: %s" % gi.MANIFEST)
    plan = []
    for item in drift:
        how, rel = item.split(": ", 1)
        if how == "added":
            fix = "remove"
        elif rel == gi.MANIFEST:
            fix = "manifest"
        elif isinstance(sources.get(rel), bytes):
            fix = "derived"
        elif rel in merged["files"] and source.doc["files"].get(rel) == merged["files"][rel]:
            fix = "bundle"
        elif rel not in merged["files"]:
            fix = "directory"  # a directory of the tree: recreate it or put its mode back
        else:
            raise GofleetError("%s/current/%s has drifted (%s) and bundle %s does not carry it to repair it"
                               % (path, rel, how, source.path))
        plan.append((rel, fix))
    return plan


def _repair(path, current_dir, release, merged, sources, source, plan, lost_manifest, verify):
    """Put drifted files of the current release back from the bundle (or regenerate them)."""
    manifest_file = release_manifest_path(path, release)
    for rel, fix in plan:
        target = os.path.join(current_dir, rel)
        if fix == "remove":
            atomic.remove_tree(target)
            continue
        if fix == "directory":
            atomic.makedirs(target, 0o755)
            gt.normalize(target, is_dir=True)
            continue
        if fix == "manifest":
            data = gi.dump_doc(merged)
        elif fix == "derived":
            data = sources[rel]
        else:
            data = source.read(rel)
        if os.path.isdir(target) and not os.path.islink(target):
            atomic.remove_tree(target)
        gt.place_file(target, data=data)
    if lost_manifest:
        gt.prune_empty_dirs(current_dir)
        gt.normalize_tree(current_dir)
        atomic.write_file(manifest_file, json.dumps(mf.build(current_dir), sort_keys=True), 0o644)
    left = release_drift(current_dir, manifest_file, verify)
    if left:
        raise GofleetError("repair of %s/current left drift: %s" % (path, ", ".join(left[:5])))


def _prune(releases, keep):
    """Keep the current and the previous release (for a manual rollback); drop older ones."""
    # Under the host lock, staging trees of runs that were interrupted are only garbage.
    for leftover in atomic.leftover_staging_dirs(releases):
        atomic.remove_tree(leftover)
    for name in sorted(os.listdir(releases)):
        stem = name[:-len(".manifest.json")] if name.endswith(".manifest.json") else name
        if name.startswith(".") or stem in keep:
            continue
        full = os.path.join(releases, name)
        if os.path.isdir(full) and not os.path.islink(full):
            atomic.remove_tree(full)
        elif name.endswith(".manifest.json"):
            os.unlink(full)
