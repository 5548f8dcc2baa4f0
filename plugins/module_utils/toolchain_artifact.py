# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_toolchain's two artifact kinds, and everything that differs between them.

A `tarball` is go.dev's go<V>.linux-<arch>.tar.gz (top directory go/), identified by its sha256.
A `module_zip` is the official toolchain module golang.org/toolchain@v0.0.1-go<V>.linux-<arch>
that `go` itself downloads from a GOPROXY (top directory golang.org/toolchain@<version>/),
identified by its h1: hash (go.sum's, the checksum database's) or its sha256. Both unpack into
the same tree, judged by the same rules (safe_tar, safe_zip), and carry the same receipt.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile

from ansible_collections.gofleet.golang.plugins.module_utils import artifact, goproxy_paths, manifest, safe_tar, safe_zip
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

TOOLCHAIN_MODULE = "golang.org/toolchain"
FORMATS = ["auto", "tarball", "module_zip"]
TARBALL, MODULE_ZIP = "tarball", "module_zip"


def module_version(version, arch):
    """'1.22.12', 'amd64' -> 'v0.0.1-go1.22.12.linux-amd64': the toolchain module's version."""
    return "v0.0.1-go%s.linux-%s" % (version, arch)


def proxy_url(goproxy, version, arch):
    """The zip's URL below a GOPROXY base URL (<base>/golang.org/toolchain/@v/<version>.zip)."""
    return "%s/%s" % (goproxy.rstrip("/"), goproxy_paths.module_file(TOOLCHAIN_MODULE, module_version(version, arch), "zip"))


def infer_format(fmt, name, option):
    if fmt and fmt != "auto":
        return fmt
    if name.endswith(".zip"):
        return MODULE_ZIP
    if name.endswith((".tar.gz", ".tgz", ".tar")):
        return TARBALL
    raise GofleetError("format cannot be told from the name of %s %r (neither .tar.gz nor .zip): set format" % (option, name))


class Artifact(object):
    """The artifact of one go_toolchain call: its name, kind, and how it is checked and unpacked."""

    def __init__(self, version, arch, fmt="auto", src=None, url=None, goproxy=None):
        if goproxy:
            artifact.check_url(goproxy, "goproxy")
            if fmt == TARBALL:
                raise GofleetError("goproxy serves module zips: format tarball cannot come from goproxy %s" % goproxy)
            url, fmt = proxy_url(goproxy, version, arch), MODULE_ZIP
        self.url = url
        source = src or url
        option = "src" if src else "url"
        default = "go%s.linux-%s.tar.gz" % (version, arch) if fmt in (None, "auto", TARBALL) else \
            "%s.zip" % module_version(version, arch)
        self.name = os.path.basename(source.rstrip("/").split("?", 1)[0]) if source else default
        self.format = infer_format(fmt, self.name, option)
        self.module = (TOOLCHAIN_MODULE, module_version(version, arch)) if self.format == MODULE_ZIP else None
        self._checked = None  # ((path, stat key, expected), (sha256, h1)) of the last check

    @property
    def is_zip(self):
        return self.format == MODULE_ZIP

    @property
    def prefix(self):
        return "%s@%s/" % self.module

    def check(self, path, expected, label):
        """(sha256, h1 or None) of the artifact at `path`, once the hash it must have matched.

        A zip is validated as Go validates module zips and hashed before a byte is extracted.
        The plan checks a local src and the install checks it again: within one run (under the host
        lock) a file whose inode, size, mtime and ctime are unchanged is not hashed twice; any
        write or rename in between changes its ctime and it is hashed again."""
        key = (path, _stat_key(path), tuple(expected))
        if self._checked and self._checked[0] == key:
            return self._checked[1]
        h1 = goproxy_paths.check_zip(path, self.module[0], self.module[1], label=label) if self.is_zip else None
        sha = artifact.sha256_file(path)
        require(expected, sha, h1, label)
        self._checked = (key, (sha, h1))
        return sha, h1

    def extract(self, path, dest, max_unpacked, label, only=None, hashes=None):
        """Extract below `dest` (which must exist); bytes unpacked.

        A fresh tarball extract (no `only`; `dest` empty) reads the tarball once and, with `hashes`
        (a dict), records the sha256 of every regular file under its member name as it is written.
        A zip, or a repair with `only`, leaves `hashes` untouched: hash the files from disk."""
        if self.is_zip:
            return safe_zip.extract(path, dest, self.prefix, top="go", max_unpacked=max_unpacked, label=label, only=only)
        if only is None:
            return safe_tar.extract_fresh(path, dest, top="go", max_unpacked=max_unpacked, label=label, hashes=hashes)
        return safe_tar.extract(path, dest, top="go", max_unpacked=max_unpacked, label=label, only=only)

    def read_go_env(self, path):
        if self.is_zip:
            return safe_zip.read_member(path, self.prefix + "go.env")
        return safe_tar.read_member(path, "go/go.env")

    def zip_reference(self, path, url, url_options, expected, exclude, label):
        """The zip's own manifest (verify=full), trusted once its hash matched; a url is fetched
        into a temporary directory outside every managed path, removed on the way out."""
        scratch = None
        try:
            if not path:
                scratch = tempfile.mkdtemp(prefix="gofleet-toolchain-")
                path = os.path.join(scratch, self.name)
                artifact.download(url, path, url_options, "url")
            reference, sha, h1 = manifest.of_zip(path, self.module[0], self.module[1], "go", exclude=exclude, label=label)
        finally:
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
        require(expected, sha, h1, label)
        return reference


def _stat_key(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def require(expected, sha, h1, label):
    kind, value = expected
    actual = h1 if kind == "h1" else "sha256:" + sha
    wanted = value if kind == "h1" else "sha256:" + value
    if actual != wanted:
        raise GofleetError("checksum mismatch for %s: expected %s, got %s" % (label, wanted, actual))


def receipt_matches(recorded, expected):
    """True when a receipt's artifact record (its `tarball` entry) is the artifact expected now."""
    kind, value = expected
    return recorded.get("h1" if kind == "h1" else "sha256") == value
