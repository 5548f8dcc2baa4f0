# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan and apply Go toolchain installs: what go_toolchain does, without the module around it.

inspect() reads the node, plan() decides (the same code in check mode and in a real run,
so the prediction is exact), apply() carries the plan out with every step atomic.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import errno
import hashlib
import json
import os
import re
import stat
import time

from ansible_collections.gofleet.golang.plugins.module_utils import artifact, atomic, drift, go_env, manifest, safe_tar
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import require_elf_for

_VERSION_RE = re.compile(r"^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?((?:rc|beta)\d+)?$")
BINARIES = ("go", "gofmt")
RECEIPT_DIR = ".receipts"
LOCK_FILE = ".gofleet.lock"
# go.env is managed content, compared on its own; the rest of the tree must match the tarball.
MANAGED_FILES = ("go.env",)
# What atomic.write_file leaves in .receipts when killed mid-write: .go<version>.json.XXXXXXXX
_RECEIPT_TEMP_RE = re.compile(r"^\.go[^/]+\.json\.[^/]+$")
RECEIPT_SCHEMA = 2  # 2 records owners and the last full verification; 1 (and unversioned) still read
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


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
        self.url = params.get("url")
        self.url_options = artifact.UrlOptions(
            params.get("url_username"), params.get("url_password"),
            params.get("validate_certs", True), params.get("ca_path"), params.get("timeout") or 60,
        )
        self.checksum = artifact.parse_checksum(params["checksum"]) if params.get("checksum") else None
        self.checksum_url = params.get("checksum_url")
        self.signature = params.get("signature")
        self.keyring = params.get("keyring")
        self.install_root = _absolute(params.get("install_root") or "/usr/local/lib/go", "install_root")
        self.link = _absolute(params.get("link") or "/usr/local/go", "link")
        self.bin_dir = _absolute(params["bin_dir"], "bin_dir") if params.get("bin_dir") else None
        self.activate = params.get("activate", True)
        self.keep = params.get("keep")
        self.env = params.get("env") or {}
        self.verify = params.get("verify") or "fast"
        self.verify_full_every = params.get("verify_full_every") or 0
        self.force = params.get("force", False)
        self.max_unpacked = int(params.get("max_unpacked_size") or safe_tar.DEFAULT_MAX_UNPACKED)
        self._check()

    def _check(self):
        if self.url:
            artifact.check_url(self.url, "url")
        if self.checksum_url:
            artifact.check_url(self.checksum_url, "checksum_url")
        if self.src and not os.path.isabs(self.src):
            raise GofleetError("src must be an absolute path on the node, got %r" % self.src)
        if self.state == "present" and not (self.checksum or self.checksum_url):
            raise GofleetError("checksum (sha256:<hex>) or checksum_url is required with state=present")
        if self.keep is not None and self.keep < 1:
            raise GofleetError("keep must be at least 1, got %r" % self.keep)
        if bool(self.signature) != bool(self.keyring) and self.signature:
            raise GofleetError("signature %s needs a keyring to check it against" % self.signature)
        if not isinstance(self.verify_full_every, int) or self.verify_full_every < 0:
            raise GofleetError("verify_full_every must be 0 (never) or a number of days, got %r" % (self.verify_full_every,))
        go_env.validate(self.env)

    @property
    def goroot(self):
        return os.path.join(self.install_root, "go" + self.version)

    @property
    def tarball_name(self):
        source = self.src or self.url
        if source:
            return os.path.basename(source.rstrip("/").split("?", 1)[0])
        return "go%s.linux-%s.tar.gz" % (self.version, self.arch)


def _absolute(path, option):
    if not os.path.isabs(path):
        raise GofleetError("%s must be an absolute path, got %r" % (option, path))
    return os.path.normpath(path)


def receipt_path(install_root, version):
    return os.path.join(install_root, RECEIPT_DIR, "go%s.json" % version)


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


def leftover_receipt_temps(install_root):
    """Temporary receipts of a write that was killed; never read, removed by the next run."""
    receipts = os.path.join(install_root, RECEIPT_DIR)
    try:
        names = os.listdir(receipts)
    except OSError:
        return []
    return sorted(os.path.join(receipts, n) for n in names if _RECEIPT_TEMP_RE.match(n))


def load_receipt(install_root, version):
    """(receipt, None), (None, None) when there is none, or (None, why it is torn).

    Anything that is not what this module writes (a kill mid-write, a hand edit, a forged
    shape) is torn: the plan reinstalls rather than trusting or crashing on it.
    """
    try:
        text = atomic.read_file(receipt_path(install_root, version))
    except ValueError:  # UnicodeDecodeError
        return None, "not UTF-8"
    except (IOError, OSError) as e:
        return None, "unreadable: %s" % (getattr(e, "strerror", None) or e)
    if text is None:
        return None, None
    try:
        data = json.loads(text)
    except ValueError:
        return None, "not JSON"
    problem = receipt_problem(data, version)
    return (None, problem) if problem else (data, None)


def receipt_problem(data, version):
    """None when `data` has the shape this module writes, else what is wrong, in a few words."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if data.get("schema", 1) not in (1, RECEIPT_SCHEMA):
        return "schema %r is not one this module knows" % (data.get("schema"),)
    if "version" in data and data["version"] != version:
        return "written for go%s" % (data["version"],)
    tarball = data.get("tarball")
    if not isinstance(tarball, dict) or not _is_text(tarball.get("sha256")):
        return "tarball sha256 missing or not text"
    for key in ("upstream_go_env", "installed_at", "verified_full_at"):
        if data.get(key) is not None and not _is_text(data[key]):
            return "%s is not text" % key
    files = data.get("manifest")
    if not isinstance(files, dict):
        return "manifest is not a mapping"
    for rel, entry in files.items():
        if not _valid_entry(rel, entry):
            return "manifest entry %r is malformed" % (rel,)
    return None


def _is_text(value):
    return isinstance(value, str)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


_ENTRY_FIELDS = {"f": ("size", "mtime", "mode"), "d": ("mode",), "l": ()}


def _valid_entry(rel, entry):
    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return False
    if not isinstance(entry, dict) or entry.get("t") not in _ENTRY_FIELDS:
        return False
    if not all(_is_int(entry.get(key)) for key in _ENTRY_FIELDS[entry["t"]]):
        return False
    if entry["t"] == "l" and not _is_text(entry.get("target")):
        return False
    if "sha256" in entry and not _is_text(entry["sha256"]):
        return False
    return all(_is_int(entry[key]) for key in ("uid", "gid") if key in entry)


def install_owner():
    """The owner an install gives every path: root when run as root; None (not compared) otherwise."""
    return (0, 0) if os.geteuid() == 0 else None


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
        self.expected_sha256 = None
        self.drift = []              # drift.line() of each item
        self.drift_items = []        # drift.item() dicts: path, aspect, expected, found
        self.verify = None           # the verification this run does: fast, full or none
        self.reference = None        # the manifest the tree was compared against
        self.owner = None            # the owner expected where the reference records none
        self.record_full = False     # a full verification against the tarball: recorded in the receipt
        self.warnings = []
        self.goroot_drift = None     # drift.item for a GOROOT that is not a real directory
        # drift.item for go.env and the links of an installed version (never repaired from the
        # tarball: written as any run writes them)
        self.managed_drift = []
        self.env_before = None
        self.env_after = None
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
    p.expected_sha256 = req.checksum or artifact.checksum_from_index(
        fetch_text(req.checksum_url, req.url_options, "checksum_url"), req.tarball_name)
    p.install = _install_reason(req, node, p)
    if p.install:
        p.actions.append("%s go%s (%s)" % ("repair" if p.drift else "install", req.version, p.install))
        if not (req.src or req.url):
            raise GofleetError("go%s needs installing (%s) but neither src nor url is given" % (req.version, p.install))
        if req.src and not os.path.isfile(req.src):
            # Known before anything is done: check mode must fail as the real run will.
            raise GofleetError("src %s does not exist on the node" % req.src)
        if req.src:
            # Hashing a local tarball costs far less than the install it guards, and lets
            # check mode fail on a wrong checksum exactly as the real run will.
            artifact.require_sha256(req.src, p.expected_sha256, label="src %s" % req.src)
    p.env_before = node.go_env_text if node.goroot_exists else None
    if not p.install or p.repair:
        # A repair keeps the installed go.env, so it is compared and written like without drift.
        p.env_after = go_env.render(node.receipt.get("upstream_go_env") or "", req.env)
        if p.env_before != p.env_after:
            p.actions.append("write %s/go.env" % req.goroot)
            if node.receipt is not None and not _rendered_by_gofleet(p.env_before, node.receipt):
                p.managed_drift.append(drift.item("go.env", "content" if p.env_before is not None else "missing",
                                                  _text_hash(p.env_after), _text_hash(p.env_before)))
    elif req.src and os.path.isfile(req.src):
        p.env_after = go_env.render(safe_tar.read_member(req.src, "go/go.env") or "", req.env)
    else:
        # The tarball is not on the node yet (url): say what will be set, not a guess of the text.
        p.env_after = "# rendered from the tarball's go.env with: %s\n" % ", ".join(
            "%s=%s" % kv for kv in sorted(go_env.managed(req.env).items()))
    p.active_after = node.active_version
    if req.activate:
        _plan_activation(req, node, p)
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
    if node.receipt["tarball"]["sha256"] != p.expected_sha256:
        return "tarball changed"
    p.verify = req.verify
    if req.verify == "fast" and full_verify_due(node.receipt, req.verify_full_every):
        p.verify = "full"
    p.reference, p.owner = node.receipt["manifest"], install_owner()
    if p.verify == "full":
        reference = _tarball_reference(req, p)
        if reference is None:
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


def full_verify_due(receipt, every):
    """With verify_full_every=N, a fast run verifies fully once N calendar days (UTC) have passed
    since the last full verification (or the install). An unreadable or future time is due."""
    if not every:
        return False
    last = receipt.get("verified_full_at") or receipt.get("installed_at")
    try:
        days = (datetime.date(*time.gmtime()[:3]) - datetime.datetime.strptime(last, _TIME_FORMAT).date()).days
    except (TypeError, ValueError):
        return True
    return days < 0 or days >= every


def _tarball_reference(req, p):
    """The manifest of the tarball itself, read in one pass and trusted only once its sha256 matches."""
    if req.src and os.path.isfile(req.src):
        label = "src %s" % req.src
        stream = open(req.src, "rb")
    elif req.url:
        label = "url %s" % req.url
        stream = artifact.open_stream(req.url, req.url_options, "url")
    else:
        return None
    try:
        reference, actual = manifest.of_tarball(stream, "go", exclude=MANAGED_FILES, label=label)
    finally:
        stream.close()
    if actual != p.expected_sha256:
        raise GofleetError("checksum mismatch for %s: expected sha256:%s, got sha256:%s" % (label, p.expected_sha256, actual))
    return reference


def _plan_activation(req, node, p):
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


def _link_before(req, node, path, target):
    """What a link replaces, for the diff; refuses here what apply would refuse, so check mode fails alike."""
    kind, found = node.not_links.get(path, (None, None))
    if kind:
        atomic.check_link_slot(path, kind, replace_file=req.force)
    return found or target


def _replacing(node, path):
    return " (replacing a regular file, force)" if path in node.not_links else ""


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


def diff(req, p):
    """Before/after of what a person cares to review: the link, the bin links, go.env."""
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
        _apply_links(req, p)
        atomic.remove_tree(req.goroot)
        _remove_receipt(req.install_root, req.version)
        return None
    receipt = node.receipt
    repaired = p.repair and _repair(req, p, runner)
    if p.install and not repaired:
        if node.receipt is None and node.goroot_exists and node.active_version != req.version:
            # An unreceipted, inactive tree is what a run killed (or failed) between the rename and
            # the receipt leaves: remove it first, or the copy extracted beside it needs twice the space.
            atomic.remove_tree(req.goroot)
        receipt = _install(req, p, runner)
    else:
        if p.env_before != p.env_after:
            _require_real_goroot(req)
            atomic.write_file(os.path.join(req.goroot, "go.env"), p.env_after, 0o644)
        if repaired or p.record_full:
            receipt = _record_verification(req, p, receipt)
    _apply_links(req, p)
    for version in p.prune:
        atomic.remove_tree(os.path.join(req.install_root, "go" + version))
        _remove_receipt(req.install_root, version)
    return receipt


def _remove_receipt(install_root, version):
    path = receipt_path(install_root, version)
    if os.path.exists(path):
        os.unlink(path)


def _require_real_goroot(req):
    if atomic.path_kind(req.goroot) != "directory":
        raise GofleetError("%s changed during the run: it is no longer a directory; run again" % req.goroot)


def _apply_links(req, p):
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


def _install(req, p, runner):
    """Fetch, verify, extract beside the target, validate, rename into place, record."""
    staging = atomic.make_staging_dir(req.install_root, "go" + req.version)
    try:
        tarball, source, sha, fingerprint = _verified_tarball(req, p, runner, staging)
        tree = os.path.join(staging, "tree")
        os.mkdir(tree, 0o755)
        safe_tar.extract(tarball, tree, top="go", max_unpacked=req.max_unpacked, label=source)
        new_root = os.path.join(tree, "go")
        _validate_tree(req, new_root, source, runner)
        upstream_env = atomic.read_file(os.path.join(new_root, "go.env")) or ""
        p.env_after = go_env.render(upstream_env, req.env)
        atomic.write_file(os.path.join(new_root, "go.env"), p.env_after, 0o644)
        _own_by_root(new_root)
        now = time.strftime(_TIME_FORMAT, time.gmtime())
        receipt = {
            "schema": RECEIPT_SCHEMA,
            "version": req.version,
            "goroot": req.goroot,
            "arch": req.arch,
            "installed_by": "gofleet.golang.go_toolchain",
            "installed_at": now,
            # Hashed straight from the verified tarball's extract: as good as a full verification.
            "verified_full_at": now,
            "tarball": {"filename": req.tarball_name, "source": source, "sha256": sha,
                        "signature": req.signature, "signer_fingerprint": fingerprint},
            "upstream_go_env": upstream_env,
            "manifest": manifest.build(new_root, exclude=MANAGED_FILES, with_hash=True, with_owner=True),
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


def _repair(req, p, runner):
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
        tarball, source = _verified_tarball(req, p, runner, staging)[:2]
        added = sorted(set(i["item"] for i in p.drift_items if i["aspect"] == "added"))
        restore = set("go/" + i["item"] for i in p.drift_items if i["aspect"] != "added")
        files = p.reference
        if any(_through_symlink(req.goroot, name[len("go/"):], files) for name in restore):
            # A link planted where a directory (or file) belongs: writing below it, or chmod-ing
            # it, would change whatever it points at outside the tree. Only a fresh tree is safe.
            return False
        for rel in added:
            atomic.remove_tree(os.path.join(req.goroot, rel))
        safe_tar.extract(tarball, req.goroot, top="go", max_unpacked=req.max_unpacked, label=source, only=restore)
        if os.geteuid() == 0:
            # Modes came from the tarball without group/other write; owners need resetting.
            for name in restore:
                os.lchown(os.path.join(req.goroot, name[len("go/"):]), 0, 0)
        return not manifest.compare(req.goroot, p.reference, p.verify, exclude=MANAGED_FILES, owner=p.owner)
    except (IOError, OSError) as e:
        raise GofleetError("repairing go%s in %s failed: %s" % (req.version, req.goroot, getattr(e, "strerror", None) or e))
    finally:
        atomic.remove_tree(staging)


def _record_verification(req, p, receipt):
    """The receipt after a repair or a full verification: repaired paths re-recorded from the
    tree (so a forged entry does not outlive the repair), and the time of a full verification."""
    receipt = dict(receipt, manifest=dict(receipt["manifest"]))
    for rel in set(i["item"] for i in p.drift_items):
        path = os.path.join(req.goroot, rel)
        if os.path.lexists(path):
            receipt["manifest"][rel] = manifest.entry_of(path, with_hash=True, with_owner=True)
        else:
            receipt["manifest"].pop(rel, None)
    if p.record_full:
        receipt["verified_full_at"] = time.strftime(_TIME_FORMAT, time.gmtime())
    try:
        atomic.write_file(receipt_path(req.install_root, req.version), json.dumps(receipt, sort_keys=True), 0o644)
    except (IOError, OSError) as e:
        raise GofleetError("writing the receipt of go%s failed: %s" % (req.version, getattr(e, "strerror", None) or e))
    return receipt


def _through_symlink(root, rel, files):
    """True when a component of `rel` below `root` is a symlink the receipt does not list as one."""
    parts = rel.split("/")
    for depth in range(1, len(parts) + 1):
        sub = "/".join(parts[:depth])
        if os.path.islink(os.path.join(root, sub)) and files.get(sub, {}).get("t") != "l":
            return True
    return False


def _verified_tarball(req, p, runner, staging):
    """The tarball, fetched if need be, after its sha256 (and signature, if given) matched."""
    tarball, source = _obtain(req, staging)
    sha = artifact.require_sha256(tarball, p.expected_sha256, label="%s %s" % ("url" if req.url else "src", source))
    fingerprint = None
    if req.signature:
        signature = _obtain_signature(req, staging)
        fingerprint = artifact.verify_signature(runner.run_command, runner.gpg, tarball, signature, req.keyring, label=source)
    return tarball, source, sha, fingerprint


def _obtain(req, staging):
    if req.src:
        if not os.path.isfile(req.src):
            raise GofleetError("src %s does not exist on the node" % req.src)
        return req.src, req.src
    dest = os.path.join(staging, req.tarball_name)
    artifact.download(req.url, dest, req.url_options, "url")
    return dest, req.url


def _obtain_signature(req, staging):
    if "://" not in req.signature:
        return req.signature
    dest = os.path.join(staging, "tarball.asc")
    artifact.download(req.signature, dest, req.url_options, "signature")
    return dest


def _validate_tree(req, root, source, runner):
    """A tree is only renamed into place once it is the version asked for and runs here."""
    version_text = (atomic.read_file(os.path.join(root, "VERSION")) or "").splitlines()
    found = version_text[0].strip() if version_text else "no VERSION file"
    if found != "go" + req.version:
        raise GofleetError("%s holds %s, not go%s as version asks" % (source, found, req.version))
    go = os.path.join(root, "bin", "go")
    if not os.path.isfile(go):
        raise GofleetError("%s has no go/bin/go" % source)
    try:
        require_elf_for(go, req.arch)
    except GofleetError as e:
        # Name the tarball the user gave, not the staging path that is deleted on the way out.
        raise GofleetError("%s: %s" % (source, e.message.replace(go, "go/bin/go")))
    rc, out, err = runner.run_command([go, "version"], environ_update={"GOTOOLCHAIN": "local", "GOENV": "off", "GOFLAGS": ""})
    if rc != 0 or ("go" + req.version) not in out:
        lines = (err or out or "").strip().splitlines()
        raise GofleetError("%s: go/bin/go version failed: %s" % (source, lines[-1] if lines else "rc=%s" % rc))


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
        "tarball_sha256": receipt["tarball"]["sha256"] if receipt else p.expected_sha256,
        # Provenance for reports; a check run before the first install has no receipt yet.
        "signer": receipt["tarball"].get("signer_fingerprint") if receipt else None,
        "installed_at": receipt.get("installed_at") if receipt else None,
        "receipt": receipt_path(req.install_root, req.version) if not p.remove else None,
    }
