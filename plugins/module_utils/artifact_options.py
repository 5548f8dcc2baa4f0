# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The artifact options every gofleet module shares, declared once: checksum, checksum_url,
signature, keyring, verify and the url_* options that reach an internal mirror.

Documented by the gofleet.golang.artifact doc fragment (DOCUMENTATION and URL); any change
here changes there too, and ansible-test validate-modules compares the two.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.gofleet.golang.plugins.module_utils import artifact
from ansible_collections.gofleet.golang.plugins.module_utils.argspec import ArgumentSpec
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

VERIFY_CHOICES = ["fast", "full", "none"]
# A module zip's hash as go.sum and the checksum database record it: dirhash Hash1, base64.
_H1_RE = re.compile(r"^h1:[A-Za-z0-9+/]{43}=$")


def artifact_argument_spec():
    """checksum, checksum_url, signature, keyring, verify, with their one meaning."""
    return ArgumentSpec(
        argument_spec=dict(
            checksum=dict(type="str"),
            checksum_url=dict(type="str"),
            # A path on the node or a URL: both modules fetch it the same way.
            signature=dict(type="str"),
            keyring=dict(type="path"),
            verify=dict(type="str", choices=VERIFY_CHOICES, default="fast"),
        ),
        # A keyring without a signature would check nothing, and say nothing about it.
        required_together=[("signature", "keyring")],
    )


def url_argument_spec():
    """How every URL option of a module (artifact, checksum_url, signature) is fetched."""
    return ArgumentSpec(argument_spec=dict(
        url_username=dict(type="str"),
        url_password=dict(type="str", no_log=True),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="int", default=60),
    ))


def defaults():
    """{option: default} of the artifact and url options, for callers that build params by hand."""
    return artifact_argument_spec().merge(url_argument_spec()).defaults()


class ArtifactChecks(object):
    """The artifact options of one call, parsed and checked: what an artifact must match.

    params: the module's params (options missing from it take their declared default).
    module_zips: the module installs Go module zips too, so checksum may also be their h1:
    hash, bare or as the zip's go.sum line (`module version h1:...`).
    """

    def __init__(self, params, module_zips=False):
        params = dict(defaults(), **dict((k, v) for k, v in params.items() if v is not None))
        self.h1 = self.h1_module = None
        value = params["checksum"]
        if value and module_zips and "h1:" in value:
            self.h1_module, self.h1 = parse_h1(value, "checksum")
            self.checksum = None
        else:
            try:
                self.checksum = artifact.parse_checksum(value) if value else None
            except GofleetError:
                if not module_zips:
                    raise
                raise GofleetError("checksum must look like sha256:<64 hex digits> (or the bare 64-hex sum), h1:<base64> or a go.sum line"
                                   " (<module> <version> h1:<base64>), got %r" % (value,))
        self.checksum_url = params["checksum_url"]
        self.signature = params["signature"]
        self.keyring = params["keyring"]
        self.verify = params["verify"]
        self.url_options = artifact.UrlOptions(params["url_username"], params["url_password"],
                                               params["validate_certs"], params["ca_path"], params["timeout"])
        if self.checksum_url:
            artifact.check_url(self.checksum_url, "checksum_url")
        if self.signature and "://" in self.signature:
            artifact.check_url(self.signature, "signature")
        elif self.signature and not os.path.isabs(self.signature):
            raise GofleetError("signature must be an absolute path, got %r" % self.signature)  # or a URL
        if self.keyring and not os.path.isabs(self.keyring):
            raise GofleetError("keyring must be an absolute path, got %r" % self.keyring)
        if bool(self.signature) != bool(self.keyring):
            given = "signature %s" % self.signature if self.signature else "keyring %s" % self.keyring
            raise GofleetError("%s needs %s: signature and keyring go together"
                               % (given, "a keyring to check it against" if self.signature else "a signature to check"))
        if self.verify not in VERIFY_CHOICES:
            raise GofleetError("verify must be one of %s, got %r" % (", ".join(VERIFY_CHOICES), self.verify))

    @property
    def given(self):
        """True when either checksum or checksum_url says what the artifact must hash to."""
        return bool(self.checksum or self.h1 or self.checksum_url)

    def expected(self, filename, module=None, fetch_text=artifact.fetch_text):
        """("h1", hash) or ("sha256", hex) the artifact must match.

        module: (path, version) of a module zip: checksum's go.sum line must name it, and a
        checksum_url that is a go.sum file gives its h1 (else its SHA256SUMS or index entry).
        """
        if self.h1:
            if module and self.h1_module and self.h1_module != tuple(module):
                raise GofleetError("checksum is the go.sum line of %s %s, not of %s %s" % (self.h1_module + tuple(module)))
            return "h1", self.h1
        if self.checksum or not module:
            return "sha256", self.expected_sha256(filename, fetch_text)
        text = fetch_text(self.checksum_url, self.url_options, "checksum_url")
        found = h1_from_go_sum(text, module[0], module[1], "checksum_url")
        if found:
            return "h1", found
        return "sha256", artifact.checksum_from_index(text, filename)

    def expected_sha256(self, filename, fetch_text=artifact.fetch_text):
        """checksum, else filename's entry in the SHA256SUMS or go.dev JSON index at checksum_url."""
        if self.checksum:
            return self.checksum
        if not self.checksum_url:
            raise GofleetError("checksum (sha256:<hex>) or checksum_url is required")
        return artifact.checksum_from_index(fetch_text(self.checksum_url, self.url_options, "checksum_url"), filename)

    def signature_file(self, scratch):
        """A local path of the detached signature, downloaded into scratch when it is a URL."""
        if "://" not in self.signature:
            return self.signature
        dest = os.path.join(scratch, "artifact.asc")
        artifact.download(self.signature, dest, self.url_options, "signature")
        return dest

    def check_signature(self, run_command, gpg, path, scratch, label=None):
        """The signer's fingerprint, or None without a signature; fails unless it verifies."""
        if not self.signature:
            return None
        return artifact.verify_signature(run_command, gpg, path, self.signature_file(scratch), self.keyring, label)


def parse_h1(value, option="checksum"):
    """'h1:<base64>' -> (None, hash); a go.sum line '<module> <version> h1:<base64>' -> ((module, version), hash)."""
    fields = (value or "").split()
    if len(fields) == 3 and fields[1].endswith("/go.mod"):
        raise GofleetError("%s is the go.mod line of %s %s; give the zip's line (without /go.mod)" % (option, fields[0], fields[1][:-7]))
    if len(fields) not in (1, 3) or not _H1_RE.match(fields[-1]):
        raise GofleetError("%s must be h1:<base64 of 32 bytes> or a go.sum line (<module> <version> h1:<base64>), got %r"
                           % (option, value))
    return (tuple(fields[:2]) if len(fields) == 3 else None), fields[-1]


def h1_from_go_sum(text, path, version, source="checksum_url"):
    """The h1 that go.sum-style `text` records for the zip of path@version, or None if it lists none."""
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if len(fields) == 3 and fields[0] == path and fields[1] == version:
            return parse_h1(line, "%s line %d" % (source, number))[1]
    return None
