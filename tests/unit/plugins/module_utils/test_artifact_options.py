# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared artifact options: one declaration, merged into each module's spec; their parsed view."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import artifact_options as ao
from ansible_collections.gofleet.golang.plugins.module_utils.argspec import ArgumentSpec
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

HEX = "ab" * 32


def test_merge_keeps_constraints_and_refuses_an_option_declared_twice():
    own = ArgumentSpec(dict(src=dict(type="path"), url=dict(type="str")), mutually_exclusive=[("src", "url")])
    own.merge(ao.artifact_argument_spec()).merge(ao.url_argument_spec())
    kwargs = own.module_kwargs(supports_check_mode=True)
    assert kwargs["mutually_exclusive"] == [("src", "url")]
    assert kwargs["required_together"] == [("signature", "keyring")]
    assert kwargs["argument_spec"]["url_password"]["no_log"] is True
    assert kwargs["supports_check_mode"] is True
    with pytest.raises(ValueError, match="options declared twice: checksum"):
        own.merge(ArgumentSpec(dict(checksum=dict(type="str"))))


def test_defaults_are_declared_once():
    assert ao.defaults() == {"checksum": None, "checksum_url": None, "signature": None, "keyring": None,
                             "verify": "fast", "url_username": None, "url_password": None,
                             "validate_certs": True, "ca_path": None, "timeout": 60}


def test_checks_fill_defaults_and_parse():
    checks = ao.ArtifactChecks({"checksum": "SHA256:" + HEX.upper(), "verify": None})
    assert (checks.checksum, checks.verify, checks.url_options.timeout, checks.url_options.validate_certs) == \
        (HEX, "fast", 60, True)
    assert checks.given and checks.expected_sha256("x.tgz") == HEX
    assert checks.check_signature(None, None, "/x.tgz", "/tmp") is None


def test_expected_sha256_reads_checksum_url_with_the_shared_parser():
    seen = []

    def fetch(url, options, option):
        seen.append((url, option, options.timeout))
        return "%s  other.tgz\n%s *x.tgz\n" % ("cd" * 32, HEX)

    checks = ao.ArtifactChecks({"checksum_url": "https://m/SHA256SUMS", "timeout": 5})
    assert checks.expected_sha256("x.tgz", fetch) == HEX
    assert seen == [("https://m/SHA256SUMS", "checksum_url", 5)]


@pytest.mark.parametrize("params,words", [
    ({"checksum": "md5:" + HEX}, "checksum must look like sha256"),
    ({"checksum_url": "ftp://m/SUMS"}, "checksum_url must be an http, https or file URL"),
    ({"signature": "rel.asc", "keyring": "/k"}, "signature must be an absolute path, got 'rel.asc'"),
    ({"signature": "gopher://m/x.asc", "keyring": "/k"}, "signature must be an http, https or file URL"),
    ({"signature": "/x.asc", "keyring": "k.gpg"}, "keyring must be an absolute path, got 'k.gpg'"),
    ({"signature": "/x.asc"}, "signature /x.asc needs a keyring"),
    ({"keyring": "/k.gpg"}, "keyring /k.gpg needs a signature"),
    ({"verify": "paranoid"}, "verify must be one of fast, full, none"),
])
def test_bad_artifact_options_fail_in_one_line_naming_the_option(params, words):
    with pytest.raises(GofleetError) as err:
        ao.ArtifactChecks(params)
    assert words in err.value.message and "\n" not in err.value.message


def test_signature_url_is_fetched_into_scratch(tmp_path):
    served = tmp_path / "served" / "x.tgz.asc"
    served.parent.mkdir()
    served.write_bytes(b"-----BEGIN PGP SIGNATURE-----\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    checks = ao.ArtifactChecks({"signature": served.as_uri(), "keyring": "/k", "timeout": 5})
    path = checks.signature_file(str(scratch))
    assert path.startswith(str(scratch)) and open(path, "rb").read() == served.read_bytes()
    # A path on the node is used where it is.
    assert ao.ArtifactChecks({"signature": str(served), "keyring": "/k"}).signature_file(str(scratch)) == str(served)
