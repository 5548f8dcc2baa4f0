# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan and apply Go toolchain installs: what go_toolchain does, without the module around it.

Request parses the options, NodeState reads the node (inspect), plan() decides (the same code
in check mode and in a real run, so the prediction is exact), apply() carries the plan out
with every step atomic, result() reports. Receipts (toolchain_receipt), verification
(toolchain_verify), install and repair steps (toolchain_install) and links (toolchain_links)
live beside it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib
import os
import re
import stat

from ansible_collections.gofleet.golang.plugins.module_utils import artifact, artifact_options, atomic, drift, go_env, manifest, safe_tar
from ansible_collections.gofleet.golang.plugins.module_utils import toolchain_artifact, toolchain_install, toolchain_links
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.toolchain_links import BINARIES
from ansible_collections.gofleet.golang.plugins.module_utils.toolchain_receipt import (
    MANAGED_FILES, full_verify_due, leftover_receipt_temps, load_receipt, receipt_path, record_verification, remove_receipt)
from ansible_collections.gofleet.golang.plugins.module_utils.toolchain_verify import install_owner, tarball_reference

_VERSION_RE = re.compile(r"^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?((?:rc|beta)\d+)?$")
LOCK_FILE = ".gofleet.lock"


def parse_version(value):
    """'1.22.12' or 'go1.22.12' -> '1.22.12'; anything else fails naming `version`."""
    match = _VERSION_RE.match(str(value or "").strip())
    if not match:
        raise GofleetError("version must look like 1.22.12 or go1.22.12, got %r" % (value,))
    major, minor, patch, pre = match.groups()
    return "%s.%s%s%s" % (major, minor, "." + patch if patch else "", pre or "")


def version_key(version):
    major, minor, patch, pre = _VERSION_RE.match(version).groups()
    # A release sorts after its own betas and release candidates.
    return (int(major), int(minor), int(patch or 0), pre is None, pre or "")


class Request(object):
    """Validated options of one go_toolchain call."""

    def __init__(self, params, arch):
        self.version = parse_version(params["version"])
        self.state = params["state"]
        self.arch = arch
        self.src = params.get("src")
        if params.get("url"):
            artifact.check_url(params["url"], "url")
        # Set by the go_toolchain action plugin, which ships it to src only when this run needs it:
        # a missing or stale src (tarball or zip) is then not an error but Plan.tarball_needed.
        self.controller_src = params.get("controller_src")
        # checksum, checksum_url, signature, keyring, verify and url_*: the shared artifact options.
        self.checks = artifact_options.ArtifactChecks(params, module_zips=True)
        fmt = params.get("format") or "auto"
        if fmt == "auto" and self.checks.h1 and not (self.src or params.get("url") or params.get("goproxy")):
            fmt = toolchain_artifact.MODULE_ZIP  # an installed zip toolchain, checked against its h1 with no source
        # A go.dev tarball or the official toolchain module zip (src, url, or goproxy's URL for it).
        self.artifact = toolchain_artifact.Artifact(self.version, arch, fmt, self.src, params.get("url"), params.get("goproxy"))
        self.url = self.artifact.url
        self.url_options = self.checks.url_options
        self.checksum = self.checks.checksum
        self.checksum_url = self.checks.checksum_url
        self.signature = self.checks.signature
        self.keyring = self.checks.keyring
        self.install_root = _absolute(params.get("install_root") or "/usr/local/lib/go", "install_root")
        self.link = _absolute(params.get("link") or "/usr/local/go", "link")
        self.bin_dir = _absolute(params["bin_dir"], "bin_dir") if params.get("bin_dir") else None
        self.activate = params.get("activate", True)
        self.keep = params.get("keep")
        self.env = params.get("env") or {}
        self.verify = self.checks.verify
        self.verify_full_every = params.get("verify_full_every") or 0
        self.force = params.get("force", False)
        self.max_unpacked = int(params.get("max_unpacked_size") or safe_tar.DEFAULT_MAX_UNPACKED)
        self._check()

    def _check(self):
        if self.src and not os.path.isabs(self.src):
            raise GofleetError("src must be an absolute path on the node, got %r" % self.src)
        if self.controller_src and not self.src:
            raise GofleetError("controller_src %s needs src, the path on the node to ship it to" % self.controller_src)
        if self.state == "present" and not self.checks.given:
            raise GofleetError("checksum (sha256:<hex>%s) or checksum_url is required with state=present"
                               % (", h1:<base64> or the zip's go.sum line" if self.artifact.is_zip else ""))
        if self.checks.h1 and not self.artifact.is_zip:
            raise GofleetError("checksum %s is a module zip's h1 hash, but %s is a tarball: give its sha256"
                               % (self.checks.h1, self.artifact.name))
        if self.keep is not None and self.keep < 1:
            raise GofleetError("keep must be at least 1, got %r" % self.keep)
        if not isinstance(self.verify_full_every, int) or self.verify_full_every < 0:
            raise GofleetError("verify_full_every must be 0 (never) or a number of days, got %r" % (self.verify_full_every,))
        go_env.validate(self.env)

    @property
    def goroot(self):
        return os.path.join(self.install_root, "go" + self.version)

    @property
    def tarball_name(self):
        """The artifact's file name (a tarball's or a module zip's)."""
        return self.artifact.name

    def expected(self, fetch_text=artifact.fetch_text):
        """("sha256", hex) or ("h1", hash) the artifact must match."""
        return self.checks.expected(self.artifact.name, self.artifact.module, fetch_text)


def _absolute(path, option):
    if not os.path.isabs(path):
        raise GofleetError("%s must be an absolute path, got %r" % (option, path))
    return os.path.normpath(path)


def check_install_root(install_root):
    """Refuse an install_root that others could write: whoever can write there can swap a GOROOT.

    A link at install_root itself is followed (an admin may relocate it to a bigger disk); the
    directory it leads to must be owned by root (or the user running) and not group/other writable.
    """
    try:
        st = os.lstat(install_root)
        if stat.S_ISLNK(st.st_mode):
            st = os.stat(install_root)
    except OSError as e:
        if e.errno == errno.ENOENT and not os.path.islink(install_root):
            # Missing: the first install creates it. lstat first, so a root that a concurrent run
            # creates right now is never mistaken for a dangling link.
            return
        raise GofleetError("install_root %s is not a directory (%s)" % (install_root, e.strerror or e))
    if not stat.S_ISDIR(st.st_mode):
        raise GofleetError("install_root %s is not a directory" % install_root)
    if st.st_uid not in (0, os.geteuid()):
        raise GofleetError("install_root %s is owned by uid %d, not root; chown it to root" % (install_root, st.st_uid))
    if st.st_mode & 0o022:
        raise GofleetError("install_root %s is writable by group or others (mode %04o); anyone who can write there "
                           "can swap a GOROOT: chmod go-w it" % (install_root, stat.S_IMODE(st.st_mode)))


class NodeState(object):
    """What is on the node now, read without changing anything."""

    def __init__(self, req):
        check_install_root(req.install_root)
        self.installed = installed_versions(req.install_root)
        self.link_target = atomic.read_link(req.link)
        self.active_version = version_of_goroot(req.install_root, self.link_target)
        self.receipt, self.receipt_problem = load_receipt(req.install_root, req.version)
        self.receipt_exists = os.path.lexists(receipt_path(req.install_root, req.version))
        # By lstat: a GOROOT that is a link (even to a perfect copy) is not the tree the receipt describes.
        self.goroot_kind = atomic.path_kind(req.goroot)
        self.goroot_exists = self.goroot_kind == "directory"
        self.goroot_link = atomic.read_link(req.goroot)
        self.go_env_text = atomic.read_file(os.path.join(req.goroot, "go.env")) if self.goroot_exists else None
        self.bin_links = dict(
            (name, atomic.read_link(os.path.join(req.bin_dir, name))) for name in BINARIES
        ) if req.bin_dir else {}
        # Whatever is where a link belongs but is not a link: {path: (kind, description)}.
        self.not_links = {}
        for path in [req.link] + [os.path.join(req.bin_dir, name) for name in BINARIES if req.bin_dir]:
            kind = atomic.path_kind(path)
            if kind not in ("missing", "symlink"):
                self.not_links[path] = (kind, atomic.describe(path))
        self.leftovers = atomic.leftover_staging_dirs(req.install_root)
        self.receipt_temps = leftover_receipt_temps(req.install_root)


def installed_versions(install_root):
    try:
        names = os.listdir(install_root)
    except OSError:
        return []
    found = []
    for name in names:
        if name.startswith("go") and _VERSION_RE.match(name) and atomic.path_kind(os.path.join(install_root, name)) == "directory":
            found.append(parse_version(name))
    return sorted(found, key=version_key)


def version_of_goroot(install_root, target):
    if not target:
        return None
    target = os.path.normpath(os.path.join(install_root, target))
    if os.path.dirname(target) != os.path.normpath(install_root):
        return None
    name = os.path.basename(target)
    return parse_version(name) if _VERSION_RE.match(name) else None


class Plan(object):
    def __init__(self):
        self.actions = []
        self.install = None          # None, or why: "missing", "unfinished", "tarball changed", "drift"
        self.repair = False          # the drift can be put back in place (the GOROOT is a real directory)
        self.expected = None          # ("sha256", hex) or ("h1", hash): what the artifact must match
        self.drift = []              # drift.line() of each item
        self.drift_items = []        # drift.item() dicts: path, aspect, expected, found
        self.verify = None           # the verification this run does: fast, full or none
        self.reference = None        # the manifest the tree was compared against
        self.owner = None            # the owner expected where the reference records none
        self.record_full = False     # a full verification against the tarball: recorded in the receipt
        # With controller_src: this run needs the tarball at src and it is missing or does not match
        # its sha256; nothing is applied, the action plugin ships it and runs the module again.
        self.tarball_needed = False
        self.warnings = []
        self.goroot_drift = None     # drift.item for a GOROOT that is not a real directory
        # drift.item for go.env and the links of an installed version (never repaired from the
        # tarball: written as any run writes them)
        self.managed_drift = []
        self.env_before = None
        self.env_after = None
        self.env_after_from = None   # a tarball or zip on the node to render env_after from, when asked
        self.link_change = None      # (before, after)
        self.bin_changes = []        # [(path, before, after)]
        self.prune = []
        self.remove = False
        self.cleanup = []
        self.active_after = None

    @property
    def changed(self):
        return bool(self.actions)

    @property
    def needs_apply(self):
        """Also true for a full verification with nothing to repair: its time goes into the receipt."""
        return self.changed or self.record_full

    @property
    def expected_sha256(self):
        """The artifact's expected sha256, when that is the hash it is pinned by (else None)."""
        return self.expected[1] if self.expected and self.expected[0] == "sha256" else None


def plan(req, node, fetch_text=artifact.fetch_text):
    p = Plan()
    p.cleanup = list(node.leftovers)
    if p.cleanup:
        p.actions.append("clean %d leftover staging director%s" % (len(p.cleanup), "y" if len(p.cleanup) == 1 else "ies"))
    if node.receipt_temps:
        p.cleanup.extend(node.receipt_temps)
        count = len(node.receipt_temps)
        p.actions.append("clean %d leftover receipt temp file%s" % (count, "" if count == 1 else "s"))
    if req.state == "absent":
        return _plan_absent(req, node, p)
    p.expected = req.expected(fetch_text)
    p.install = _install_reason(req, node, p)
    if p.install:
        p.actions.append("%s go%s (%s)" % ("repair" if p.drift else "install", req.version, p.install))
        if not (req.src or req.url):
            raise GofleetError("go%s needs installing (%s) but neither src nor url is given" % (req.version, p.install))
        if req.src and not os.path.isfile(req.src):
            # Known before anything is done: check mode must fail as the real run will.
            _tarball_needed(req, p, GofleetError("src %s does not exist on the node" % req.src))
        elif req.src:
            # Hashing a local tarball (or zip) costs far less than the install it guards, and lets
            # check mode fail on a wrong checksum exactly as the real run will. The install checks
            # it again without re-hashing an unchanged file (Artifact.check).
            try:
                req.artifact.check(req.src, p.expected, "src %s" % req.src)
            except GofleetError as e:
                _tarball_needed(req, p, e)
    p.env_before = node.go_env_text if node.goroot_exists else None
    if not p.install or p.repair:
        # A repair keeps the installed go.env, so it is compared and written like without drift.
        p.env_after = go_env.render(node.receipt.get("upstream_go_env") or "", req.env)
        if p.env_before != p.env_after:
            p.actions.append("write %s/go.env" % req.goroot)
            if node.receipt is not None and not _rendered_by_gofleet(p.env_before, node.receipt):
                p.managed_drift.append(drift.item("go.env", "content" if p.env_before is not None else "missing",
                                                  _text_hash(p.env_after), _text_hash(p.env_before)))
    elif req.src and not p.tarball_needed:
        # Read from the artifact only if the diff asks (a real install renders it from the tree it
        # extracts): finding go/go.env decompresses the tarball's first members, ~0.5 s of CPU.
        p.env_after_from = req.src
    else:
        # The tarball is not on the node yet (url): say what will be set, not a guess of the text.
        p.env_after = "# rendered from the tarball's go.env with: %s\n" % ", ".join(
            "%s=%s" % kv for kv in sorted(go_env.managed(req.env).items()))
    p.active_after = node.active_version
    if req.activate:
        toolchain_links.plan_activation(req, node, p)
    _plan_prune(req, node, p)
    return p


def _install_reason(req, node, p):
    if node.goroot_kind == "missing":
        return "missing"
    if node.goroot_kind != "directory":
        # Never verified or repaired through: a fresh tree replaces the link (or file) itself.
        found = "symlink to %s" % node.goroot_link if node.goroot_kind == "symlink" else (
            "regular file" if node.goroot_kind == "file" else "special file")
        p.goroot_drift = drift.item(req.goroot, "type", "directory", found)
        p.drift_items = [p.goroot_drift]
        p.drift = [drift.line(p.goroot_drift)]
        return "GOROOT is a %s, not a directory" % found.split(" to ", 1)[0]
    if node.receipt is None:
        if node.receipt_problem:
            return "torn receipt %s: %s" % (receipt_path(req.install_root, req.version), node.receipt_problem)
        return "unfinished"
    if not toolchain_artifact.receipt_matches(node.receipt["tarball"], p.expected):
        return "%s changed" % ("module zip" if req.artifact.is_zip else "tarball")
    p.verify = req.verify
    if req.verify == "fast" and full_verify_due(node.receipt, req.verify_full_every):
        p.verify = "full"
    p.reference, p.owner = node.receipt["manifest"], install_owner()
    if p.verify == "full":
        reference = None
        if req.controller_src and not os.path.isfile(req.src):
            p.tarball_needed = True
        else:
            try:
                reference = tarball_reference(req, p)
            except GofleetError as e:
                _tarball_needed(req, p, e)
        if reference is None and not p.tarball_needed:
            p.warnings.append("verify=full compared go%s against its receipt only: neither src nor url gives the tarball"
                              " to compare against" % req.version)
        else:
            p.reference, p.record_full = reference, True
    p.drift_items = manifest.compare(req.goroot, p.reference, p.verify, exclude=MANAGED_FILES, owner=p.owner)
    p.drift = [drift.line(i) for i in p.drift_items]
    paths = len(set(i["item"] for i in p.drift_items))
    if paths:
        p.repair = True
        return "drift in %d path%s" % (paths, "" if paths == 1 else "s")
    return None


def _tarball_needed(req, p, error):
    """A missing or stale src: fatal, unless the action plugin ships it from controller_src."""
    if not req.controller_src:
        raise error
    p.tarball_needed = True


def _plan_prune(req, node, p):
    if not req.keep:
        return
    after = sorted(set(node.installed) | {req.version}, key=version_key, reverse=True)
    # The versions that are never pruned count towards `keep`; the newest others fill the rest.
    keep = {req.version}
    if p.active_after:
        keep.add(p.active_after)
    for version in after:
        if len(keep) >= req.keep:
            break
        keep.add(version)
    p.prune = [v for v in after if v not in keep]
    p.actions.extend("prune go%s" % v for v in p.prune)


def _plan_absent(req, node, p):
    if not (node.goroot_kind != "missing" or node.receipt or node.receipt_exists):
        return p
    if node.active_version == req.version:
        if not req.force:
            raise GofleetError("go%s is the active version (%s); set force: true to remove it" % (req.version, req.link))
        p.link_change = (node.link_target, None)
        p.actions.append("remove %s" % req.link)
        p.active_after = None
        for name, target in node.bin_links.items():
            if target == os.path.join(req.link, "bin", name):
                p.bin_changes.append((os.path.join(req.bin_dir, name), target, None))
                p.actions.append("remove %s" % os.path.join(req.bin_dir, name))
    else:
        p.active_after = node.active_version
    p.remove = True
    p.actions.append("remove go%s" % req.version)
    return p


def _rendered_by_gofleet(text, receipt):
    """go.env as a run with some env wrote it: a different env asked for is a change, not drift.
    A hand edit (an added line, a duplicate key, no header) does not re-render to itself."""
    if text is None:
        return False
    return go_env.render(receipt.get("upstream_go_env") or "", dict(go_env.parse(text))) == text


def _text_hash(text):
    return None if text is None else "sha256 " + hashlib.sha256(text.encode("utf-8")).hexdigest()


def all_drift(p):
    """The tree's drift items, then go.env's and the links': what result() and the diff show."""
    return p.drift_items + p.managed_drift


def diff(req, p):
    """Before/after of what a person cares to review: the link, the bin links, go.env."""
    if p.env_after is None and p.env_after_from:
        p.env_after = go_env.render(req.artifact.read_go_env(p.env_after_from) or "", req.env)
    items = []
    if p.link_change:
        items.append(_diff_item(req.link, p.link_change[0], p.link_change[1]))
    for path, before, after in p.bin_changes:
        items.append(_diff_item(path, before, after))
    if p.env_before != p.env_after:
        items.append({
            "before_header": os.path.join(req.goroot, "go.env"), "after_header": os.path.join(req.goroot, "go.env"),
            "before": p.env_before or "", "after": p.env_after or "",
        })
    if p.remove:
        items.append(_diff_item(req.goroot, "installed", None))
    if all_drift(p):
        items.append(drift.diff(all_drift(p), req.goroot))
    return items


def _diff_item(path, before, after):
    return {"before_header": path, "after_header": path,
            "before": "%s\n" % before if before else "", "after": "%s\n" % after if after else ""}


# ---------------------------------------------------------------- applying a plan


class Runner(object):
    """The two things apply() needs from the module: run_command and finding gpg."""

    def __init__(self, run_command, gpg=None):
        self.run_command = run_command
        self.gpg = gpg


def apply(req, node, p, runner):
    for leftover in p.cleanup:
        atomic.remove_tree(leftover)
    if p.remove:
        toolchain_links.apply_links(req, p)
        atomic.remove_tree(req.goroot)
        remove_receipt(req.install_root, req.version)
        return None
    receipt = node.receipt
    repaired = p.repair and toolchain_install.repair(req, p, runner)
    if p.install and not repaired:
        if node.receipt is None and node.goroot_exists and node.active_version != req.version:
            # An unreceipted, inactive tree is what a run killed (or failed) between the rename and
            # the receipt leaves: remove it first, or the copy extracted beside it needs twice the space.
            atomic.remove_tree(req.goroot)
        receipt = toolchain_install.install(req, p, runner)
    else:
        if p.env_before != p.env_after:
            _require_real_goroot(req)
            atomic.write_file(os.path.join(req.goroot, "go.env"), p.env_after, 0o644)
        if repaired or p.record_full:
            receipt = record_verification(req, p, receipt)
    toolchain_links.apply_links(req, p)
    for version in p.prune:
        atomic.remove_tree(os.path.join(req.install_root, "go" + version))
        remove_receipt(req.install_root, version)
    return receipt


def _require_real_goroot(req):
    if atomic.path_kind(req.goroot) != "directory":
        raise GofleetError("%s changed during the run: it is no longer a directory; run again" % req.goroot)


def result(req, node, p, receipt):
    installed = set(node.installed)
    if req.state == "present":
        installed.add(req.version)
    installed -= set(p.prune)
    if p.remove:
        installed.discard(req.version)
    return {
        "goroot": req.goroot,
        "version": req.version,
        "active_version": p.active_after,
        "previous_version": node.active_version if node.active_version != p.active_after else None,
        "installed_versions": sorted(installed, key=version_key),
        "drift": [drift.line(i) for i in all_drift(p)],
        "drift_items": all_drift(p),
        "verify": p.verify,
        "actions": p.actions,
        "tarball_needed": p.tarball_needed,
        "tarball_sha256": receipt["tarball"]["sha256"] if receipt else p.expected_sha256,
        "artifact_format": receipt["tarball"].get("format", "tarball") if receipt else req.artifact.format,
        "artifact_h1": receipt["tarball"].get("h1") if receipt else (p.expected[1] if p.expected and p.expected[0] == "h1" else None),
        # Provenance for reports; a check run before the first install has no receipt yet.
        "signer": receipt["tarball"].get("signer_fingerprint") if receipt else None,
        "installed_at": receipt.get("installed_at") if receipt else None,
        "receipt": receipt_path(req.install_root, req.version) if not p.remove else None,
    }
