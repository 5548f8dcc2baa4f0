# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet bundle: one directory (and its deterministic tarball) carried across the air gap.

Layout of a bundle directory:
  goV.linux-ARCH.tar.gz      toolchains, one per version x architecture (go.dev tarballs), or
  goV.linux-ARCH.zip         the official toolchain module zips (golang.org/toolchain), with their h1
  mirror/<name>.tar.gz       a go_offline_mirror bundle (optional)
  ca/<name>.pem              CA certificates (optional)
  bin/<name>                 Go service binaries (optional)
  MANIFEST.json              every file: sha256, size, kind, version, arch, origin
  sbom.spdx.json             SPDX 2.3: every toolchain and mirrored module as a package
  SHA256SUMS                 every file above, sha256sum format, sorted by name
  SHA256SUMS.asc             optional detached signature of SHA256SUMS

Verification trusts nothing but SHA256SUMS (and its signature when a keyring is given): every
file must be listed, every listed file must exist and hash to its sum, and MANIFEST.json must
agree with the sums; a toolchain module zip must also hash to the h1 the manifest records
(Go's dirhash, which the sums do not cover). Each refusal is one line naming the file.  Controller-side and node-side
code share this file, so it stays Python 3.7 stdlib.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
import json
import os
import re
import tarfile

from ansible_collections.gofleet.golang.plugins.module_utils import artifact
from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

FORMAT = "gofleet-bundle/1"
SUMS = "SHA256SUMS"
SIGNATURE = "SHA256SUMS.asc"
MANIFEST = "MANIFEST.json"
SBOM = "sbom.spdx.json"
KINDS = ("toolchain", "mirror", "ca", "binary", "manifest", "sbom")
# Where each optional kind lives inside the bundle.
KIND_DIRS = {"mirror": "mirror", "ca": "ca", "binary": "bin"}

_VERSION_RE = re.compile(r"^(?:go)?([0-9]+\.[0-9]+(?:\.[0-9]+)?(?:(?:rc|beta)[0-9]+)?)$")
_TOOLCHAIN_RE = re.compile(r"^go([0-9][0-9A-Za-z.]*)\.linux-([0-9a-z]+)\.(?:tar\.gz|zip)$")
_SAFE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


def normalize_version(value, option="versions"):
    """'1.22.12' or 'go1.22.12' -> '1.22.12'; anything else fails naming the option."""
    match = _VERSION_RE.match(str(value or "").strip())
    if not match:
        raise GofleetError("%s: %r is not a Go version like 1.22.12" % (option, value))
    return match.group(1)


def version_key(version):
    """Sort key so that 1.23.5 > 1.22.12 > 1.22rc1."""
    parts = re.split(r"(rc|beta)", version)
    nums = [int(p) for p in parts[0].split(".") if p.isdigit()]
    pre = (0, parts[1], int(parts[2] or 0)) if len(parts) > 2 else (1, "", 0)
    return (nums + [0] * (3 - len(nums)), pre)


def toolchain_name(version, arch, fmt="tarball"):
    """The bundle member of a toolchain: goV.linux-ARCH.tar.gz, or .zip for a toolchain module zip."""
    return "go%s.linux-%s.%s" % (version, arch, "zip" if fmt == "module_zip" else "tar.gz")


def parse_toolchain_name(name):
    """goV.linux-ARCH.tar.gz -> (version, arch), or None."""
    match = _TOOLCHAIN_RE.match(name)
    return (match.group(1), match.group(2)) if match else None


def check_member_name(name, option):
    if not _SAFE_NAME_RE.match(name or ""):
        raise GofleetError("%s: %r is not a plain file name (letters, digits, . _ + -)" % (option, name))
    return name


# ---------------------------------------------------------------- go.dev index --------------

def index_entry(index_text, version, arch, source="index.json"):
    """The go.dev `?mode=json&include=all` entry of goV.linux-ARCH.tar.gz (kind archive).

    Returns {filename, sha256, size}; a release or file the index lacks fails naming it.
    """
    name = toolchain_name(version, arch)
    try:
        releases = json.loads(index_text)
    except ValueError as e:
        raise GofleetError("%s is not valid JSON: %s" % (source, e))
    if not isinstance(releases, list):
        raise GofleetError("%s is not a go.dev download index (a JSON list of releases)" % source)
    found_release = False
    for release in releases:
        if not isinstance(release, dict) or release.get("version") != "go" + version:
            continue
        found_release = True
        for entry in release.get("files") or []:
            if (isinstance(entry, dict) and entry.get("filename") == name and entry.get("os") == "linux"
                    and entry.get("arch") == arch and entry.get("kind", "archive") == "archive"):
                # checksum_from_index is the parser the nodes use; it checks the sum's shape too.
                sha = artifact.checksum_from_index(json.dumps([{"files": [entry]}]), name, source)
                try:
                    size = int(entry.get("size"))
                except (TypeError, ValueError):
                    raise GofleetError("%s: %s has no numeric size" % (source, name))
                return {"filename": name, "sha256": sha, "size": size}
    if not found_release:
        raise GofleetError("%s: %s: the source has no release go%s" % (source, name, version))
    raise GofleetError("%s: %s: release go%s has no linux-%s archive" % (source, name, version, arch))


# ---------------------------------------------------------------- SHA256SUMS ----------------

def render_sums(entries):
    """{name: sha256} -> sha256sum text, sorted by name (byte-stable)."""
    return "".join("%s  %s\n" % (entries[name], name) for name in sorted(entries))


def sums_names(text, source=SUMS):
    """Every file name SHA256SUMS lists, in order; a line of another shape fails naming it."""
    names = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(None, 1)
        name = parts[1].strip().lstrip("*") if len(parts) == 2 else ""
        if not name or name in names or name.startswith("/") or ".." in name.split("/"):
            raise GofleetError("%s line %d is not '<sha256>  <relative file name>' (or repeats a name): %r"
                               % (source, number, line))
        names.append(name)
    return names


# ---------------------------------------------------------------- manifest ------------------

def manifest_entry(name, sha256, size, kind, origin, version=None, arch=None):
    return {"name": name, "sha256": sha256, "size": size, "kind": kind,
            "version": version, "arch": arch, "origin": origin}


def render_manifest(name, entries, created):
    doc = {"format": FORMAT, "name": name, "created": created,
           "files": sorted(entries, key=lambda e: e["name"])}
    return (json.dumps(doc, sort_keys=True, indent=1) + "\n").encode("utf-8")


def load_manifest(data, source=MANIFEST):
    try:
        doc = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
        if doc.get("format") != FORMAT:
            raise ValueError("format is %r, not %r" % (doc.get("format"), FORMAT))
        files = doc["files"]
        for entry in files:
            if entry["kind"] not in KINDS or not isinstance(entry["name"], str):
                raise ValueError("entry %r" % (entry,))
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise GofleetError("%s is not a gofleet bundle manifest: %s" % (source, e))
    return doc


# ---------------------------------------------------------------- verify --------------------

def _walk(root):
    """Every regular file below root, relative, '/'-separated; anything else fails naming it."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if os.path.islink(full) or not os.path.isfile(full):
                raise GofleetError("bundle %s: %s is not a regular file" % (root, rel))
            found.append(rel)
    return found


def verify(path, keyring=None, run_command=None, gpg=None):
    """Check the bundle directory `path`; return its manifest doc plus `signer`.

    Order: signature (when a keyring is given), then the file set, then every sum, then the
    manifest against the sums.  The first problem raises one line naming the file.
    """
    if not os.path.isdir(path):
        raise GofleetError("bundle %s is not a directory" % path)
    sums_path = os.path.join(path, SUMS)
    if not os.path.isfile(sums_path):
        raise GofleetError("bundle %s has no %s" % (path, SUMS))
    signer = None
    if keyring:
        sig = os.path.join(path, SIGNATURE)
        if not os.path.isfile(sig):
            raise GofleetError("bundle %s: %s is missing and keyring %s was given" % (path, SIGNATURE, keyring))
        signer = artifact.verify_signature(run_command, gpg, sums_path, sig, keyring, label=sums_path)
    with open(sums_path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    listed = sums_names(text, sums_path)
    present = set(_walk(path)) - set([SUMS, SIGNATURE])
    for rel in sorted(present):
        if rel not in listed:
            raise GofleetError("bundle %s: %s is not listed in %s" % (path, rel, SUMS))
    for rel in listed:
        if rel not in present:
            raise GofleetError("bundle %s: %s is listed in %s but missing" % (path, rel, SUMS))
    sums = {}
    for rel in listed:
        want = artifact.checksum_from_index(text, rel, sums_path)
        sums[rel] = artifact.require_sha256(os.path.join(path, rel), want, "bundle %s: %s" % (path, rel))
    if MANIFEST not in sums:
        raise GofleetError("bundle %s: %s does not list %s" % (path, SUMS, MANIFEST))
    with open(os.path.join(path, MANIFEST), "rb") as f:
        doc = load_manifest(f.read(), os.path.join(path, MANIFEST))
    described = dict((e["name"], e["sha256"]) for e in doc["files"])
    for rel in sorted((set(described) | set(sums)) - set([MANIFEST])):
        if described.get(rel) != sums.get(rel):
            raise GofleetError("bundle %s: %s disagrees with %s about %s" % (path, MANIFEST, SUMS, rel))
    for entry in doc["files"]:
        if entry.get("kind") == "toolchain" and entry.get("format") == "module_zip":
            _check_zip_h1(path, entry)
    doc["signer"] = signer
    doc["path"] = path
    return doc


def _check_zip_h1(path, entry):
    """A toolchain module zip hashes (Go's dirhash h1) to what MANIFEST.json says, as Go checks it."""
    module = str(entry.get("module") or "")
    if "@" not in module or not entry.get("h1"):
        raise GofleetError("bundle %s: %s records %s as a module zip without its module@version and h1" % (path, MANIFEST, entry["name"]))
    module_path, version = module.split("@", 1)
    found = goproxy_paths.check_zip(os.path.join(path, entry["name"]), module_path, version,
                                    label="bundle %s: %s" % (path, entry["name"]))
    if found != entry["h1"]:
        raise GofleetError("bundle %s: %s hashes to %s, not the %s that %s records" % (path, entry["name"], found, entry["h1"], MANIFEST))


def toolchains(doc):
    """{version: {arch: entry}} of a verified manifest."""
    out = {}
    for entry in doc["files"]:
        if entry["kind"] == "toolchain":
            out.setdefault(entry["version"], {})[entry["arch"]] = entry
    return out


def newest_version(doc):
    versions = sorted(toolchains(doc), key=version_key)
    return versions[-1] if versions else None


# ---------------------------------------------------------------- tarball -------------------

def write_tarball(root, dest, top, mtime):
    """Pack `root` as top/... into dest: sorted names, root-owned, fixed mtime, so the same files
    always give the same bytes.  Not compressed: the toolchains already are, and a zlib of another
    version could compress the rest differently."""
    names = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        for name in dirnames + filenames:
            names.append(os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, "/"))
    with tarfile.open(dest, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        tar.addfile(_info(top + "/", 0, True, mtime))
        for rel in sorted(names):
            full = os.path.join(root, rel)
            if os.path.isdir(full):
                tar.addfile(_info(top + "/" + rel + "/", 0, True, mtime))
            else:
                with open(full, "rb") as f:
                    tar.addfile(_info(top + "/" + rel, os.path.getsize(full), False, mtime,
                                      os.access(full, os.X_OK)), f)


def _info(name, size, is_dir, mtime, executable=False):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.mode = 0o755 if (is_dir or executable) else 0o644
    return info


def read_bytes(path):
    with io.open(path, "rb") as f:
        return f.read()
