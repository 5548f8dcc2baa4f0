# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checksums, SHA256SUMS / go.dev JSON index lookup, downloads and gpg verification."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import hashlib
import json
import os
import threading

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import artifact
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

try:
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
except ImportError:  # pragma: no cover
    ThreadingHTTPServer = None

HEX = "ab" * 32
NAME = "go1.22.12.linux-amd64.tar.gz"


@pytest.mark.parametrize("value,expected", [
    ("sha256:" + HEX, HEX),
    ("sha256:" + HEX.upper(), HEX),
    ("  sha256:%s\n" % HEX, HEX),
    # What users paste: the bare sum of a SHA256SUMS line or go.dev's list, an upper-case prefix.
    (HEX, HEX),
    (HEX.upper(), HEX),
    ("SHA256:" + HEX, HEX),
    ("SHA256:" + HEX.upper(), HEX),
])
def test_parse_checksum_ok(value, expected):
    assert artifact.parse_checksum(value) == expected


@pytest.mark.parametrize("value", [None, "", HEX[:-1], HEX + "a", "md5:" + HEX, "sha256: " + HEX,
                                   "sha256:" + HEX[:-1], "sha256:" + "zz" * 32, "sha512:" + HEX * 2])
def test_parse_checksum_bad_names_option(value):
    with pytest.raises(GofleetError) as err:
        artifact.parse_checksum(value, "checksum")
    assert err.value.message.startswith("checksum must look like sha256:<64 hex digits>")


SUMS = "%s  go1.23.5.linux-amd64.tar.gz\n%s *%s\n" % ("cd" * 32, HEX, NAME)
INDEX = [
    {"version": "go1.23.5", "stable": True, "files": [
        {"filename": "go1.23.5.linux-amd64.tar.gz", "os": "linux", "arch": "amd64", "sha256": "cd" * 32, "kind": "archive"}]},
    {"version": "go1.22.12", "stable": True, "files": [
        {"filename": "go1.22.12.src.tar.gz", "os": "", "arch": "", "sha256": "ee" * 32, "kind": "source"},
        {"filename": NAME, "os": "linux", "arch": "amd64", "sha256": HEX.upper(), "kind": "archive"}]},
]

# (id, index text, file name, expected hex or error words)
INDEX_CASES = [
    ("sha256sums-binary-marker", SUMS, NAME, HEX),
    ("sha256sums-other", SUMS, "go1.23.5.linux-amd64.tar.gz", "cd" * 32),
    ("sha256sums-missing", SUMS, "go1.21.0.linux-amd64.tar.gz", "does not list go1.21.0.linux-amd64.tar.gz"),
    ("sha256sums-bad-hex", "xyz  %s\n" % NAME, NAME, "must look like sha256"),
    ("json-list", json.dumps(INDEX), NAME, HEX),
    ("json-single-release", json.dumps(INDEX[1]), NAME, HEX),
    ("json-missing", json.dumps(INDEX), "go1.21.0.linux-amd64.tar.gz", "does not list"),
    ("json-invalid", "[{not json", NAME, "is not valid JSON"),
    ("json-garbage-entries", json.dumps([1, None, {"files": [7, {"filename": NAME}]}]), NAME, "does not list"),
    ("empty", "", NAME, "does not list"),
]


@pytest.mark.parametrize("text,filename,expected", [c[1:] for c in INDEX_CASES], ids=[c[0] for c in INDEX_CASES])
def test_checksum_from_index(text, filename, expected):
    if len(expected) == 64 and " " not in expected:
        assert artifact.checksum_from_index(text, filename, "checksum_url http://m/SUMS") == expected
        return
    with pytest.raises(GofleetError) as err:
        artifact.checksum_from_index(text, filename, "checksum_url http://m/SUMS")
    assert "checksum_url http://m/SUMS" in err.value.message and expected in err.value.message


def test_require_sha256(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(b"tarball bytes")
    good = hashlib.sha256(b"tarball bytes").hexdigest()
    assert artifact.require_sha256(str(path), good) == good
    with pytest.raises(GofleetError) as err:
        artifact.require_sha256(str(path), HEX, label="src " + str(path))
    assert err.value.message == "checksum mismatch for src %s: expected sha256:%s, got sha256:%s" % (path, HEX, good)
    with pytest.raises(GofleetError, match="cannot read"):
        artifact.sha256_file(str(tmp_path / "missing"))


@pytest.mark.parametrize("url,ok", [
    ("http://mirror/go.tgz", True), ("https://mirror/go.tgz", True), ("file:///srv/go.tgz", True),
    ("ftp://mirror/go.tgz", False), ("/srv/go.tgz", False), ("", False), (None, False),
])
def test_check_url(url, ok):
    if ok:
        artifact.check_url(url, "url")
    else:
        with pytest.raises(GofleetError, match="^url must be an http, https or file URL"):
            artifact.check_url(url, "url")


@pytest.fixture(scope="module")
def http_dir(tmp_path_factory):
    if ThreadingHTTPServer is None:
        pytest.skip("skipped: http.server.ThreadingHTTPServer unavailable")
    root = tmp_path_factory.mktemp("www")
    (root / NAME).write_bytes(b"z" * 300000)
    (root / "SHA256SUMS").write_text(SUMS)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_download_http_and_file(http_dir, tmp_path):
    root, base = http_dir
    want = hashlib.sha256(b"z" * 300000).hexdigest()
    for url in (base + "/" + NAME, "file://" + str(root / NAME)):
        dest = tmp_path / "out.tgz"
        assert artifact.download(url, str(dest), artifact.UrlOptions(timeout=10), "url") == want
        assert dest.read_bytes() == b"z" * 300000
    assert artifact.fetch_text(base + "/SHA256SUMS", artifact.UrlOptions(timeout=10), "checksum_url") == SUMS


def test_http_404_and_size_limit_are_one_line(http_dir, tmp_path):
    _root, base = http_dir
    with pytest.raises(GofleetError) as err:
        artifact.download(base + "/missing.tgz", str(tmp_path / "x"), artifact.UrlOptions(timeout=10), "url")
    assert err.value.message.startswith("cannot fetch url %s/missing.tgz: HTTP 404" % base)
    with pytest.raises(GofleetError, match="^checksum_url .* is larger than 100 bytes"):
        artifact.fetch_text(base + "/" + NAME, artifact.UrlOptions(timeout=10), "checksum_url", limit=100)


def test_unreachable_host_is_one_line(tmp_path):
    with pytest.raises(GofleetError) as err:
        artifact.download("http://127.0.0.1:9/go.tgz", str(tmp_path / "x"), artifact.UrlOptions(timeout=5), "url")
    assert err.value.message.startswith("cannot fetch url http://127.0.0.1:9/go.tgz:")
    assert "\n" not in err.value.message


IMPORTED = (0, "", "")
NO_KEYS = (2, "", "gpg: no valid OpenPGP data found.\n")
FPR = "0123456789ABCDEF0123456789ABCDEF01234567"


def gpg(imported=IMPORTED, verified=(0, "", "")):
    """run_command's table for gpg: what --import and --verify answer."""
    return [(lambda argv: "--import" in argv, imported), (lambda argv: "--verify" in argv, verified)]


# (id, gpg --import answer, gpg --verify answer, expected fingerprint or error words)
GPG_CASES = [
    ("valid", IMPORTED, (0, "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 89ABCDEF01234567 t\n[GNUPG:] VALIDSIG %s 2026-01-01\n" % FPR, ""),
     FPR),
    ("bad-signature", IMPORTED, (1, "[GNUPG:] BADSIG 89ABCDEF01234567 t\n", "gpg: Signature made today\ngpg: BAD signature from \"t\"\n"),
     ["does not verify", "gpg: BAD signature from \"t\""]),
    ("no-public-key", IMPORTED, (2, "[GNUPG:] ERRSIG x\n[GNUPG:] NO_PUBKEY x\n",
                                 "gpg: Signature made today\ngpg:                using EDDSA key X\ngpg: Can't check signature: No public key\n"),
     ["does not verify", "Can't check signature: No public key"]),
    ("rc0-without-validsig", IMPORTED, (0, "[GNUPG:] ERRSIG x\n", ""), ["does not verify", "no valid signature"]),
    ("keyring-unreadable", NO_KEYS, (0, "", ""), ["could not be imported", "no valid OpenPGP data"]),
]


@pytest.mark.parametrize("imported,verified,expected", [c[1:] for c in GPG_CASES], ids=[c[0] for c in GPG_CASES])
def test_verify_signature(tmp_path, run_command, imported, verified, expected):
    fake = run_command(gpg(imported, verified), strict=True)
    tarball, sig, keyring = (tmp_path / n for n in ("go.tgz", "go.tgz.asc", "keys.asc"))
    for p in (tarball, sig, keyring):
        p.write_text("x")
    args = (fake, "/usr/bin/gpg", str(tarball), str(sig), str(keyring))
    if isinstance(expected, str):
        assert artifact.verify_signature(*args, label="src go.tgz") == expected
    else:
        with pytest.raises(GofleetError) as err:
            artifact.verify_signature(*args, label="src go.tgz")
        for word in expected:
            assert word in err.value.message
        assert "\n" not in err.value.message
    # Only the given keyring is trusted: a private GNUPGHOME, no key fetching.
    home = fake.calls[0][fake.calls[0].index("--homedir") + 1]
    assert home != os.path.expanduser("~/.gnupg") and not os.path.exists(home)
    assert all("--no-auto-key-retrieve" in c for c in fake.calls)


@pytest.mark.parametrize("gpg_bin,missing,words", [
    (None, None, ["gpg is not installed"]),
    ("/usr/bin/gpg", "signature", ["signature", "does not exist"]),
    ("/usr/bin/gpg", "keyring", ["keyring", "does not exist"]),
])
def test_verify_signature_preconditions(tmp_path, run_command, gpg_bin, missing, words):
    paths = {}
    for option in ("signature", "keyring"):
        paths[option] = str(tmp_path / option)
        if option != missing:
            open(paths[option], "w").close()
    fake = run_command(strict=True)   # nothing may run
    with pytest.raises(GofleetError) as err:
        artifact.verify_signature(fake, gpg_bin, str(tmp_path / "go.tgz"), paths["signature"], paths["keyring"])
    for word in words:
        assert word in err.value.message
    assert fake.calls == []


# (id, SHA256SUMS text, expected mapping or error words)
SUMS_CASES = [
    ("text-and-binary", SUMS, {"go1.23.5.linux-amd64.tar.gz": "cd" * 32, NAME: HEX}),
    ("upper-case-hex-and-crlf", "%s  %s\r\n\n" % (HEX.upper(), NAME), {NAME: HEX}),
    ("name-with-space", "%s  my file.tgz\n" % HEX, {"my file.tgz": HEX}),
    ("same-line-twice", "%s  %s\n%s *%s\n" % (HEX, NAME, HEX, NAME), {NAME: HEX}),
    ("empty", "", {}),
    ("short-hex", "%s  %s\n" % (HEX[:-1], NAME), "line 1 must look like sha256sum's"),
    ("one-space", "%s %s\n" % (HEX, NAME), "line 1 must look like sha256sum's"),
    ("no-name", "%s\n" % HEX, "line 1 must look like sha256sum's"),
    ("pgp-armor", "-----BEGIN PGP SIGNED MESSAGE-----\n%s" % SUMS, "line 1 must look like sha256sum's"),
    ("second-line-bad", "%s  %s\ngarbage\n" % (HEX, NAME), "got 'garbage'"),
    ("two-sums-one-name", "%s  %s\n%s  %s\n" % (HEX, NAME, "cd" * 32, NAME), "line 2 lists %s a second time" % NAME),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in SUMS_CASES], ids=[c[0] for c in SUMS_CASES])
def test_parse_sha256sums(text, expected):
    if isinstance(expected, dict):
        assert artifact.parse_sha256sums(text, "/b/SHA256SUMS") == expected
        return
    with pytest.raises(GofleetError) as err:
        artifact.parse_sha256sums(text, "/b/SHA256SUMS")
    assert err.value.message.startswith("/b/SHA256SUMS line ") and expected in err.value.message
    assert "\n" not in err.value.message
