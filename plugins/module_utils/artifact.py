# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fetching and verifying artifacts (tarballs, bundles, CAs) before anything uses them.

sha256 is always checked; a detached GPG signature is checked when one is given.  Every
failure names the artifact and the input that was wrong.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re
import shutil
import tempfile

from ansible.module_utils.urls import open_url
from ansible.module_utils.six.moves.urllib.parse import urlparse
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

# The prefix is optional and any case: users paste go.dev's bare sums and "SHA256:" forms.
_SHA256_RE = re.compile(r"^(?:sha256:)?([0-9a-f]{64})$", re.IGNORECASE)
_CHUNK = 1024 * 1024


def parse_checksum(value, option="checksum"):
    """'sha256:<64 hex>', 'SHA256:<64 hex>' or the bare 64 hex digits -> lower-case hex;
    anything else fails naming the option."""
    match = _SHA256_RE.match((value or "").strip())
    if not match:
        raise GofleetError("%s must look like sha256:<64 hex digits> (or the bare 64-hex sum), got %r" % (option, value))
    return match.group(1).lower()


def sha256_file(path):
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(_CHUNK), b""):
                digest.update(block)
    except (IOError, OSError) as e:
        raise GofleetError("cannot read %s: %s" % (path, e.strerror or e))
    return digest.hexdigest()


def require_sha256(path, expected, label=None):
    """Fail unless `path` hashes to `expected`; returns the hex digest."""
    actual = sha256_file(path)
    if actual != expected:
        raise GofleetError(
            "checksum mismatch for %s: expected sha256:%s, got sha256:%s"
            % (label or path, expected, actual)
        )
    return actual


class UrlOptions(object):
    """How to reach an internal mirror: credentials and TLS trust."""

    def __init__(self, username=None, password=None, validate_certs=True, ca_path=None, timeout=60):
        self.username = username
        self.password = password
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout


def check_url(url, option="url"):
    scheme = urlparse(url or "").scheme
    if scheme not in ("http", "https", "file"):
        raise GofleetError("%s must be an http, https or file URL, got %r" % (option, url))


def _open(url, options, option):
    check_url(url, option)
    try:
        return open_url(
            url,
            url_username=options.username,
            url_password=options.password,
            force_basic_auth=bool(options.username),
            validate_certs=options.validate_certs,
            ca_path=options.ca_path,
            timeout=options.timeout,
            http_agent="gofleet.golang",
        )
    except Exception as e:  # urllib raises many types (HTTPError, URLError, socket, ssl)
        reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or e
        code = getattr(e, "code", None)
        raise GofleetError(
            "cannot fetch %s %s: %s%s" % (option, url, "HTTP %s " % code if code else "", reason)
        )


def download(url, dest, options, option="url"):
    """Stream `url` into `dest` and return its sha256 (hashed while it is written)."""
    digest = hashlib.sha256()
    response = _open(url, options, option)
    try:
        with open(dest, "wb") as out:
            while True:
                block = response.read(_CHUNK)
                if not block:
                    break
                digest.update(block)
                out.write(block)
    except (IOError, OSError) as e:
        raise GofleetError("cannot download %s %s to %s: %s" % (option, url, dest, getattr(e, "strerror", None) or e))
    finally:
        response.close()
    return digest.hexdigest()


def fetch_bytes(url, options, option, limit=8 * 1024 * 1024):
    """The body of `url`, refused when larger than `limit`."""
    response = _open(url, options, option)
    try:
        data = response.read(limit + 1)
    finally:
        response.close()
    if len(data) > limit:
        raise GofleetError("%s %s is larger than %d bytes" % (option, url, limit))
    return data


def fetch_text(url, options, option, limit=8 * 1024 * 1024):
    return fetch_bytes(url, options, option, limit).decode("utf-8", "replace")


def checksum_from_index(text, filename, source="checksum_url"):
    """Find `filename`'s sha256 in a SHA256SUMS file or a go.dev-style JSON download index."""
    stripped = text.lstrip()
    if stripped.startswith("[") or stripped.startswith("{"):
        try:
            releases = json.loads(stripped)
        except ValueError as e:
            raise GofleetError("%s is not valid JSON: %s" % (source, e))
        if isinstance(releases, dict):
            releases = [releases]
        for release in releases:
            for entry in (release or {}).get("files", []) if isinstance(release, dict) else []:
                if isinstance(entry, dict) and entry.get("filename") == filename and entry.get("sha256"):
                    return parse_checksum("sha256:" + entry["sha256"], source)
    else:
        sums = parse_sha256sums(text, source)
        if filename in sums:
            return sums[filename]
    raise GofleetError("%s does not list %s" % (source, filename))


# sha256sum's output: the sum, a space, then ' ' (text) or '*' (binary), then the file name.
_SUMS_LINE_RE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


def parse_sha256sums(text, source="SHA256SUMS"):
    """The one SHA256SUMS parser (modules, the sha256sums filter, the fleet bundle verifier).

    text: what `sha256sum FILE...` writes. Returns {file name: lower-case hex}. Blank lines
    are skipped; any other line that is not '<64 hex>  <name>' or '<64 hex> *<name>', or a
    name listed twice with two sums, fails in one line naming `source` and the line number.
    """
    sums = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        match = _SUMS_LINE_RE.match(line)
        if not match:
            raise GofleetError("%s line %d must look like sha256sum's '<64 hex digits>  <file name>', got %r"
                               % (source, number, line[:120]))
        name, hexsum = match.group(2), match.group(1).lower()
        if sums.get(name, hexsum) != hexsum:
            raise GofleetError("%s line %d lists %s a second time with another sum" % (source, number, name))
        sums[name] = hexsum
    return sums


def verify_signature(run_command, gpg, artifact, signature, keyring, label=None):
    """Check a detached signature with gpg against only the given keyring.

    A throw-away GNUPGHOME keeps the node's own keys (and trust settings) out of the
    decision. Returns the fingerprint of the key that made the signature.
    """
    if not gpg:
        raise GofleetError("signature %s given but gpg is not installed on this node (package gnupg or gnupg2)" % signature)
    for path, option in ((signature, "signature"), (keyring, "keyring")):
        if not os.path.isfile(path):
            raise GofleetError("%s %s does not exist" % (option, path))
    home = tempfile.mkdtemp(prefix="gofleet-gpg-")
    try:
        base = [gpg, "--homedir", home, "--batch", "--no-tty", "--no-auto-key-retrieve"]
        rc, out, err = run_command(base + ["--import", keyring])
        if rc != 0:
            raise GofleetError("keyring %s could not be imported: %s" % (keyring, _first_line(err)))
        rc, out, err = run_command(base + ["--status-fd", "1", "--verify", signature, artifact])
        match = re.search(r"^\[GNUPG:\] VALIDSIG ([0-9A-F]+)", out or "", re.M)
        if rc != 0 or not match:
            raise GofleetError(
                "signature %s does not verify %s with keyring %s: %s"
                % (signature, label or artifact, keyring, _last_line(err) or "no valid signature")
            )
        return match.group(1)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _last_line(text):
    """gpg --verify says why last ("BAD signature", "Can't check signature: No public key")."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _first_line(text):
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def open_stream(url, options, option="url"):
    """The open response of `url`, for a caller that reads it as a stream (and closes it)."""
    return _open(url, options, option)
