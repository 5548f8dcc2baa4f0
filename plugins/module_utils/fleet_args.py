# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs of the controller-side bundle actions, shared by the action plugins (which
validate with them) and the module files (which document them for ansible-doc and sanity)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

BUILD_SPEC = dict(
    dest=dict(type="path", required=True),
    archive=dict(type="path"),
    name=dict(type="str"),
    source=dict(type="str"),
    goproxy=dict(type="str"),
    go_sum=dict(type="path"),
    versions=dict(type="list", elements="str", required=True),
    arches=dict(type="list", elements="str", required=True),
    keyring=dict(type="path"),
    mirror_bundles=dict(type="list", elements="path", default=[]),
    ca=dict(type="list", elements="path", default=[]),
    binaries=dict(type="list", elements="path", default=[]),
    signing_key=dict(type="str", no_log=False),  # a key id or fingerprint, not a secret
    gnupg_home=dict(type="path"),
    source_date_epoch=dict(type="int", default=0),
    validate_certs=dict(type="bool", default=True),
    timeout=dict(type="int", default=60),
)

VERIFY_SPEC = dict(
    path=dict(type="path", required=True),
    keyring=dict(type="path"),
    version=dict(type="str"),
)
