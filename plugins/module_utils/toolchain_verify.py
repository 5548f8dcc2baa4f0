# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain's verification: the tarball trusted only after its sha256 (and signature)
matched, the tarball's own manifest for verify=full, and the checks a new tree passes before
it is renamed into place (VERSION, an ELF go for this machine that runs).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.gofleet.golang.plugins.module_utils import artifact, atomic, manifest
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import require_elf_for
from ansible_collections.gofleet.golang.plugins.module_utils.toolchain_receipt import MANAGED_FILES


def install_owner():
    """The owner an install gives every path: root when run as root; None (not compared) otherwise."""
    return (0, 0) if os.geteuid() == 0 else None


def tarball_reference(req, p):
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


def through_symlink(root, rel, files):
    """True when a component of `rel` below `root` is a symlink the receipt does not list as one."""
    parts = rel.split("/")
    for depth in range(1, len(parts) + 1):
        sub = "/".join(parts[:depth])
        if os.path.islink(os.path.join(root, sub)) and files.get(sub, {}).get("t") != "l":
            return True
    return False


def verified_tarball(req, p, runner, staging):
    """The tarball, fetched if need be, after its sha256 (and signature, if given) matched."""
    tarball, source = _obtain(req, staging)
    if req.src and p.src_verified is not None and atomic.identity(tarball) == p.src_verified:
        sha = p.expected_sha256  # hashed by plan() in this run, and the same unchanged file since
    else:
        sha = artifact.require_sha256(tarball, p.expected_sha256, label="%s %s" % ("url" if req.url else "src", source))
    fingerprint = req.checks.check_signature(runner.run_command, runner.gpg, tarball, staging, label=source)
    return tarball, source, sha, fingerprint


def _obtain(req, staging):
    if req.src:
        if not os.path.isfile(req.src):
            raise GofleetError("src %s does not exist on the node" % req.src)
        return req.src, req.src
    dest = os.path.join(staging, req.tarball_name)
    artifact.download(req.url, dest, req.url_options, "url")
    return dest, req.url


def validate_tree(req, root, source, runner):
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
