# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Building a fleet bundle on the connected side (gofleet.golang.bundle_build).

plan: read the source's go.dev index and hash the local inputs; the SHA256SUMS the bundle
will have follows from that alone, so an up-to-date bundle is recognised without fetching.
With `goproxy` instead, the toolchains are the official toolchain module zips: each is taken
from the old bundle when its h1 is still the one `go_sum` pins, else fetched into a scratch
directory and checked against that h1 before its sha256 enters the plan.
apply: fetch every toolchain into a staging directory beside the bundle, check it against the
index (and its .asc when a release keyring is given), add the optional files, write the SBOM,
MANIFEST.json and SHA256SUMS (and its signature), verify the result, swap it into place, then
write the deterministic tarball and its .sha256.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import shutil
import tempfile
import time

from ansible_collections.gofleet.golang.plugins.module_utils import artifact, artifact_options, toolchain_artifact
from ansible_collections.gofleet.golang.plugins.module_utils import atomic
from ansible_collections.gofleet.golang.plugins.module_utils import fleet_bundle as fb
from ansible_collections.gofleet.golang.plugins.module_utils import fleet_sbom
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_bundle
from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths as gp
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import ELF_SIGNATURE


class Inputs(object):
    """The checked options of one build."""

    def __init__(self, params):
        self.dest = _absolute(params["dest"], "dest").rstrip("/")
        self.archive = _absolute(params.get("archive") or self.dest + ".tar", "archive")
        self.name = params.get("name") or os.path.basename(self.dest)
        fb.check_member_name(self.name, "name")
        self.source = (params.get("source") or "").rstrip("/")
        self.goproxy = params.get("goproxy") or ""
        if bool(self.source) == bool(self.goproxy):
            raise GofleetError("give source (a go.dev/dl-shaped directory of tarballs) or goproxy (toolchain module zips),"
                               " %s" % ("not both" if self.source else "one of them"))
        if self.source:
            artifact.check_url(self.source, "source")
        else:
            # A directory laid out like a proxy's cache/download is a GOPROXY too (file://).
            self.goproxy = ("file://" + os.path.normpath(self.goproxy)) if os.path.isabs(self.goproxy) else self.goproxy.rstrip("/")
            artifact.check_url(self.goproxy, "goproxy")
            if not params.get("go_sum"):
                raise GofleetError("goproxy needs go_sum: a go.sum-style file pinning the h1 of every toolchain zip"
                                   " (golang.org/toolchain v0.0.1-go<V>.linux-<arch> h1:...)")
        if self.goproxy and params.get("keyring"):
            raise GofleetError("keyring checks go.dev tarballs' .asc signatures; toolchain module zips from goproxy are"
                               " pinned by go_sum's h1 instead: drop keyring")
        self.go_sum = params.get("go_sum")
        self.go_sum_text = fb.read_bytes(self.go_sum).decode("utf-8", "replace") if self.go_sum else ""
        self.scratch = None  # where plan() fetches toolchain zips; removed by cleanup()
        self.fetched = {}    # bundle member -> the verified zip plan() found or fetched
        self.versions = _unique([fb.normalize_version(v, "versions") for v in params["versions"] or []], "versions")
        self.arches = _unique(list(params["arches"] or []), "arches")
        for arch in self.arches:
            if arch not in ELF_SIGNATURE:
                raise GofleetError("arches: %r is not a Go linux architecture (%s)" % (arch, ", ".join(sorted(ELF_SIGNATURE))))
        if not self.versions or not self.arches:
            raise GofleetError("versions and arches must each list at least one item")
        self.keyring = params.get("keyring")
        self.signing_key = params.get("signing_key")
        self.gnupg_home = params.get("gnupg_home")
        self.epoch = int(params.get("source_date_epoch") or 0)
        self.url = artifact.UrlOptions(validate_certs=params.get("validate_certs", True),
                                       timeout=params.get("timeout") or 60)
        self.extras = []   # (kind, local path, member name)
        for kind, option in (("mirror", "mirror_bundles"), ("ca", "ca"), ("binary", "binaries")):
            for path in params.get(option) or []:
                if not os.path.isfile(path):
                    raise GofleetError("%s: %s does not exist or is not a file" % (option, path))
                member = "%s/%s" % (fb.KIND_DIRS[kind], fb.check_member_name(os.path.basename(path), option))
                if member in [taken for kind_, path_, taken in self.extras]:
                    raise GofleetError("%s: two files would both be %s in the bundle" % (option, member))
                self.extras.append((kind, path, member))


def cleanup(inputs):
    if inputs.scratch:
        shutil.rmtree(inputs.scratch, ignore_errors=True)
        inputs.scratch = None


def _absolute(path, option):
    if not path or not os.path.isabs(path):
        raise GofleetError("%s must be an absolute path, got %r" % (option, path))
    return os.path.normpath(path)


def _unique(items, option):
    for item in items:
        if items.count(item) > 1:
            raise GofleetError("%s lists %r twice" % (option, item))
    return items


def plan(inputs):
    """Every file's manifest entry (before the SBOM), the mirrored modules, the index."""
    entries, modules = [], []
    if inputs.goproxy:
        entries.extend(_zip_entry(inputs, version, arch) for version in inputs.versions for arch in inputs.arches)
    else:
        index_url = inputs.source + "/index.json"
        index = artifact.fetch_text(index_url, inputs.url, "source index")
        for version in inputs.versions:
            for arch in inputs.arches:
                found = fb.index_entry(index, version, arch, index_url)
                entry = fb.manifest_entry(found["filename"], found["sha256"], found["size"], "toolchain",
                                          inputs.source + "/" + found["filename"], version, arch)
                entry["format"] = toolchain_artifact.TARBALL
                entries.append(entry)
    for kind, path, member in inputs.extras:
        entries.append(fb.manifest_entry(member, artifact.sha256_file(path), os.path.getsize(path), kind,
                                         "file://" + os.path.abspath(path)))
        if kind == "mirror":
            modules.extend(_mirror_modules(path))
    return entries, modules


def _zip_entry(inputs, version, arch):
    """The manifest entry of one toolchain module zip, once its h1 is the one go_sum pins."""
    module, zversion = toolchain_artifact.TOOLCHAIN_MODULE, toolchain_artifact.module_version(version, arch)
    pinned = artifact_options.h1_from_go_sum(inputs.go_sum_text, module, zversion, "go_sum %s" % inputs.go_sum)
    if not pinned:
        raise GofleetError("go_sum %s does not list %s %s (the h1 that pins it)" % (inputs.go_sum, module, zversion))
    name = fb.toolchain_name(version, arch, toolchain_artifact.MODULE_ZIP)
    url = toolchain_artifact.proxy_url(inputs.goproxy, version, arch)
    path = os.path.join(inputs.dest, name)
    if not (os.path.isfile(path) and _h1_or_none(path, module, zversion) == pinned):
        if inputs.scratch is None:
            inputs.scratch = tempfile.mkdtemp(prefix="gofleet-bundle-zips-")
        path = os.path.join(inputs.scratch, name)
        artifact.download(url, path, inputs.url, "goproxy")
        found = gp.check_zip(path, module, zversion, label=url)
        if found != pinned:
            raise GofleetError("checksum mismatch for %s: go_sum %s pins %s, the zip hashes to %s" % (url, inputs.go_sum, pinned, found))
    inputs.fetched[name] = path
    entry = fb.manifest_entry(name, artifact.sha256_file(path), os.path.getsize(path), "toolchain", url, version, arch)
    entry.update(format=toolchain_artifact.MODULE_ZIP, h1=pinned, module="%s@%s" % (module, zversion))
    return entry


def _h1_or_none(path, module, zversion):
    try:
        return gp.check_zip(path, module, zversion)
    except GofleetError:
        return None


def _mirror_modules(path):
    """The modules of a go_offline_mirror bundle, with h1 derived from its files (not trusted)."""
    bundle = gomod_bundle.Bundle(path)
    try:
        doc = gomod_bundle.verify(path, bundle.doc)
    finally:
        bundle.close()
    out = []
    for entry in doc["modules"].values():
        zip_rel = gp.module_file(entry["module"], entry["version"], "zip")
        out.append({"module": entry["module"], "version": entry["version"], "h1": entry.get("h1"),
                    "h1_mod": entry.get("h1_mod"), "sha256": doc["files"].get(zip_rel)})
    return out


def render(inputs, entries, modules):
    """{member: bytes} of the generated files; their entries are appended to `entries`."""
    sbom = fleet_sbom.render(inputs.name, entries, modules, inputs.epoch)
    entries = entries + [fb.manifest_entry(fb.SBOM, _sha(sbom), len(sbom), "sbom", "generated")]
    manifest = fb.render_manifest(inputs.name, entries, _created(inputs.epoch))
    sums = dict((e["name"], e["sha256"]) for e in entries)
    sums[fb.MANIFEST] = _sha(manifest)
    return {fb.SBOM: sbom, fb.MANIFEST: manifest, fb.SUMS: fb.render_sums(sums).encode("utf-8")}


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def _created(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def up_to_date(inputs, generated, entries, run_command, gpg):
    """True when dest already holds exactly these files (verified) and archive matches its .sha256.
    With a keyring, every toolchain's .asc is checked again: a bundle first built without one (or
    with another) is never taken as up to date unchecked. With a signing key, the existing
    SHA256SUMS.asc must verify against that key's public part."""
    try:
        if fb.read_bytes(os.path.join(inputs.dest, fb.SUMS)) != generated[fb.SUMS]:
            return False
        if bool(inputs.signing_key) != os.path.isfile(os.path.join(inputs.dest, fb.SIGNATURE)):
            return False
        fb.verify(inputs.dest)
        if inputs.keyring:
            for entry in entries:
                if entry["kind"] == "toolchain":
                    _check_asc(inputs, entry, os.path.join(inputs.dest, entry["name"]), run_command, gpg)
        if inputs.signing_key and not _signed_by(inputs, run_command, gpg):
            return False
        recorded = fb.read_bytes(inputs.archive + ".sha256").decode("utf-8").split()[0]
        return artifact.sha256_file(inputs.archive) == recorded
    except (GofleetError, IOError, OSError, IndexError, UnicodeDecodeError):
        return False


def apply(inputs, entries, generated, run_command, gpg):
    parent = os.path.dirname(inputs.dest)
    stage = atomic.make_staging_dir(parent, os.path.basename(inputs.dest))
    try:
        for entry in entries:
            target = os.path.join(stage, entry["name"])
            atomic.makedirs(os.path.dirname(target), 0o755)
            if entry.get("format") == toolchain_artifact.MODULE_ZIP:
                # Checked against go_sum's h1 when planned; its sha256 is what the plan recorded.
                shutil.copyfile(inputs.fetched[entry["name"]], target)
                artifact.require_sha256(target, entry["sha256"], entry["origin"])
                os.chmod(target, 0o644)
            elif entry["kind"] == "toolchain":
                _fetch_toolchain(inputs, entry, target, run_command, gpg)
            else:
                path = entry["origin"][len("file://"):]
                shutil.copyfile(path, target)
                artifact.require_sha256(target, entry["sha256"], path)
                os.chmod(target, 0o755 if entry["kind"] == "binary" else 0o644)
        for member, data in generated.items():
            with open(os.path.join(stage, member), "wb") as f:
                f.write(data)
            os.chmod(os.path.join(stage, member), 0o644)
        if inputs.signing_key:
            _sign(inputs, stage, run_command, gpg)
        fb.verify(stage)
        os.chmod(stage, 0o755)
        if os.path.isdir(inputs.dest):
            atomic.swap_trees(stage, inputs.dest)
        else:
            os.rename(stage, inputs.dest)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    tmp = inputs.archive + ".tmp-%d" % os.getpid()
    try:
        fb.write_tarball(inputs.dest, tmp, inputs.name, inputs.epoch)
        os.chmod(tmp, 0o644)
        os.rename(tmp, inputs.archive)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    sha = artifact.sha256_file(inputs.archive)
    atomic.write_file(inputs.archive + ".sha256", ("%s  %s\n" % (sha, os.path.basename(inputs.archive))).encode(), 0o644)
    return sha


def _fetch_toolchain(inputs, entry, target, run_command, gpg):
    """Reuse the copy in the old bundle when its sum matches the index, else download; check it."""
    old = os.path.join(inputs.dest, entry["name"])
    url = entry["origin"]
    if os.path.isfile(old) and artifact.sha256_file(old) == entry["sha256"]:
        shutil.copyfile(old, target)
    else:
        artifact.download(url, target, inputs.url, "toolchain")
    artifact.require_sha256(target, entry["sha256"], url + " (sha256 in index.json)")
    size = os.path.getsize(target)
    if size != entry["size"]:
        raise GofleetError("size mismatch for %s: index.json says %d bytes, got %d" % (url, entry["size"], size))
    os.chmod(target, 0o644)
    if inputs.keyring:
        _check_asc(inputs, entry, target, run_command, gpg)


def _check_asc(inputs, entry, tarball, run_command, gpg):
    """The release signature of one toolchain, fetched beside it at the source, against the keyring."""
    url = entry["origin"]
    work = tempfile.mkdtemp(prefix="gofleet-asc-")
    try:
        asc = os.path.join(work, entry["name"] + ".asc")
        artifact.download(url + ".asc", asc, inputs.url, "signature")
        artifact.verify_signature(run_command, gpg, tarball, asc, inputs.keyring, label=url)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _signed_by(inputs, run_command, gpg):
    """Whether the existing SHA256SUMS.asc is a good signature by signing_key (in the builder's keyring).
    signing_key may be a fingerprint, a key id or a user id: it is resolved to its fingerprints first."""
    if not gpg:
        return False
    home = ["--homedir", inputs.gnupg_home] if inputs.gnupg_home else []
    rc, out, dummy = run_command([gpg] + home + ["--batch", "--no-tty", "--with-colons", "--list-keys", inputs.signing_key])
    wanted = set(line.split(":")[9] for line in (out or "").splitlines()
                 if line.startswith("fpr:") and len(line.split(":")) > 9) if rc == 0 else set()
    rc, out, dummy = run_command([gpg] + home + ["--batch", "--no-tty", "--status-fd", "1", "--verify",
                                                 os.path.join(inputs.dest, fb.SIGNATURE), os.path.join(inputs.dest, fb.SUMS)])
    if rc != 0 or not wanted:
        return False
    for line in (out or "").splitlines():
        words = line.split()
        # [GNUPG:] VALIDSIG <signing key fpr> ... <primary key fpr>
        if len(words) > 2 and words[1] == "VALIDSIG" and wanted & set(words[2:]):
            return True
    return False


def _sign(inputs, stage, run_command, gpg):
    if not gpg:
        raise GofleetError("signing_key %s given but gpg is not installed on the controller" % inputs.signing_key)
    # --batch: a key that needs a passphrase must be unlocked in the agent beforehand.
    cmd = [gpg, "--batch", "--no-tty", "--yes", "--local-user", inputs.signing_key, "--armor", "--detach-sign",
           "--output", os.path.join(stage, fb.SIGNATURE), os.path.join(stage, fb.SUMS)]
    if inputs.gnupg_home:
        cmd[1:1] = ["--homedir", inputs.gnupg_home]
    rc, out, err = run_command(cmd)
    if rc != 0:
        lines = [line for line in (err or "").splitlines() if line.strip()]
        raise GofleetError("signing_key %s could not sign %s: %s" % (inputs.signing_key, fb.SUMS, lines[-1] if lines else rc))
