#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: go_toolchain
short_description: Install, switch, verify and remove Go toolchains from verified tarballs or toolchain module zips
version_added: 0.1.0
description:
  - Installs Go toolchains shipped in the official binary tarball layout (C(go/bin/go), C(go/src), C(go/pkg/tool/...))
    with no network needed on the managed node.
  - Or from the official toolchain module zip C(golang.org/toolchain@v0.0.1-goVERSION.linux-ARCH) that C(go) itself
    downloads, from a GOPROXY (O(goproxy), the public proxy on a connected host or an offline mirror) or a file
    (O(src), O(url)). Its C(h1:) hash (as go.sum and the checksum database record it) is checked, and the zip is
    validated as Go validates module zips, before anything is extracted; it unpacks into the same tree, with the same
    receipt, verification and repair as a tarball.
  - Every tarball is checked against its sha256 (and a detached GPG signature when one is given) before a single
    file is extracted. Members that escape the tree, device nodes, setuid bits and binaries built for another
    architecture are refused.
  - Each version lives in O(install_root)/goVERSION. The O(link) is switched atomically (a new link renamed over the
    old one), so a killed run never leaves it pointing at a partial tree; the next run finishes the work.
  - An install receipt (version, tarball sha256, source, signer, file manifest with owners) is kept in
    O(install_root)/.receipts, outside the GOROOT, and drift in an installed tree is detected and repaired from the
    tarball. The notes say what each O(verify) check trusts.
  - A receipt that is not what this module writes (torn by a kill, edited by hand, of another shape or not UTF-8) is
    never trusted. The version is reinstalled from the verified tarball, and the action names the receipt and why it
    is torn, in one line.
author:
  - gofleet founders (@gofleet)
extends_documentation_fragment:
  - gofleet.golang.attributes
  - gofleet.golang.artifact
  - gofleet.golang.artifact.url
options:
  version:
    description:
      - The Go version, V(1.22.12) or V(go1.22.12). It must match the tarball's C(VERSION) file.
    type: str
    required: true
  state:
    description:
      - V(present) installs (and by default activates) the version; V(absent) removes it.
      - The active version is only removed with O(force=true).
    type: str
    choices: [present, absent]
    default: present
  src:
    description:
      - Absolute path of the tarball (or toolchain module zip) on the managed node. Mutually exclusive with O(url)
        and O(goproxy).
    type: path
  url:
    description:
      - http, https or file URL of the tarball (or toolchain module zip), for internal mirrors. Mutually exclusive
        with O(src) and O(goproxy).
    type: str
  goproxy:
    description:
      - Base URL of a GOPROXY (V(https://proxy.golang.org) on a connected host, or an offline mirror) that serves
        the official toolchain module; the zip is fetched from
        C(<goproxy>/golang.org/toolchain/@v/v0.0.1-goVERSION.linux-ARCH.zip). Implies O(format=module_zip).
        Mutually exclusive with O(src) and O(url).
      - Only the zip is fetched; its hash comes from O(checksum) or O(checksum_url), never from the proxy itself.
    type: str
  format:
    description:
      - The artifact's kind. V(tarball) is go.dev's C(goVERSION.linux-ARCH.tar.gz) (top directory C(go/)), pinned by
        its sha256. V(module_zip) is the toolchain module zip (top directory
        C(golang.org/toolchain@v0.0.1-goVERSION.linux-ARCH/), stripped), pinned by its C(h1:) hash (or its sha256).
      - V(auto) tells them apart by the name of O(src) or O(url) (C(.tar.gz), C(.tgz) or C(.zip)) and fails, naming
        it, when the name says neither.
    type: str
    choices: [auto, tarball, module_zip]
    default: auto
  controller_src:
    description:
      - A tarball or toolchain module zip on the controller (a path, looked up like C(ansible.builtin.copy)'s
        C(src)), shipped to O(src) on the node by this module's action plugin only when the run needs it there and
        O(src) is missing or does not match O(checksum) (sha256 or C(h1:)) - a missing, unfinished or drifted tree,
        a changed artifact, or a full verification - never on a run with nothing to repair. The controller does not
        hash it; the node verifies O(src) (sha256 or C(h1:), and O(signature) when given) before using it, and an
        artifact that does not match fails in one line.
      - Needs O(src) (where the tarball or zip is kept on the node; its kind is told as for O(src), see O(format)).
        Mutually exclusive with O(url) and O(goproxy). In check mode nothing is shipped; the actions say it would
        be, before what the real run does with it.
    type: str
  install_root:
    description:
      - Directory that holds one subdirectory per installed version.
      - It must be a directory owned by root and not writable by group or others (whoever can write there could
        swap a GOROOT); otherwise the run fails naming it. A symlink at O(install_root) itself is followed, so it
        can be relocated to another disk; every C(goVERSION) below it must be a real directory.
    type: path
    default: /usr/local/lib/go
  link:
    description:
      - Symlink to the active version's GOROOT.
      - A real directory there is refused (move it away); a regular file there is refused unless O(force=true).
        Check mode fails the same way.
    type: path
    default: /usr/local/go
  bin_dir:
    description:
      - Directory for C(go) and C(gofmt) links that go through O(link). An empty value skips them.
      - A directory at C(bin_dir/go) or C(bin_dir/gofmt) is refused; a regular file there (a local wrapper script)
        is refused unless O(force=true), and the diff shows it.
    type: str
    default: /usr/local/bin
  activate:
    description: Point O(link) (and the O(bin_dir) links) at this version.
    type: bool
    default: true
  keep:
    description:
      - How many installed versions stay, newest first; older inactive ones are pruned. The active version and
        O(version) are never pruned. Unset keeps everything.
    type: int
  env:
    description:
      - Settings written as the managed defaults in C(<GOROOT>/go.env) (GOPROXY, GOSUMDB, GONOSUMDB, GOPRIVATE, GOFLAGS,
        GOTOOLCHAIN, ...), so they reach every user, cron job and service, not only login shells.
      - C(GOTOOLCHAIN=local) is always set unless overridden here, so an offline host never tries to download a
        toolchain. A null value drops a key back to the tarball's default.
      - Values are strings (booleans become V(on)/V(off)). A list is joined the way C(go) splits the variable,
        with spaces for GOFLAGS and CGO_*FLAGS, with commas for GOPROXY, GOPRIVATE, GONOPROXY, GONOSUMDB,
        GOINSECURE, GODEBUG, GOEXPERIMENT and GOVCS, with colons for GOPATH. Any other list, dict or float fails.
    type: dict
    default: {}
  verify_full_every:
    description:
      - With O(verify=fast), verify fully (as O(verify=full)) when this many calendar days (UTC) have passed since the
        last full verification of the version, so a daily V(fast) schedule re-hashes every host within that many days
        without paying for it every day. V(0) never does.
      - The time of the last full verification (an install counts as one) is kept in the receipt as C(verified_full_at).
        A real run that verified fully writes it there without reporting a change; check mode does not. A missing,
        unreadable or future time makes the full verification due.
    type: int
    default: 0
  force:
    description:
      - Allow O(state=absent) to remove the active version (and its links).
      - Allow replacing a regular file at O(link), C(bin_dir/go) or C(bin_dir/gofmt) with the link. A directory there
        is refused even with O(force=true).
    type: bool
    default: false
  max_unpacked_size:
    description: Refuse tarballs (and zips) that unpack to more bytes than this.
    type: int
    default: 2147483648
notes:
  - The artifact is the Go tarball or toolchain module zip (O(src), O(url) or O(goproxy)); O(checksum),
    O(signature) and the other artifact options apply to it.
  - For a module zip, O(checksum) may be its V(h1:<base64>) hash or its go.sum line
    (V(golang.org/toolchain v0.0.1-go1.22.12.linux-amd64 h1:...)), whose module and version must be this O(version)
    and architecture's; O(checksum_url) may be a go.sum-style file listing it (else a C(SHA256SUMS) listing the zip's
    name). A zip for another version or architecture fails on its first member, naming the zip. The receipt records
    both the zip's sha256 and its h1, and O(verify=full) re-reads the verified zip as it does a tarball.
  - Zip members are judged by the tarball rules (no absolute paths, no C(..), no links, no device files, no
    setuid, O(max_unpacked_size)) and Go's module zip rules (every member below the module prefix, no name twice,
    no two names that differ only in case). Modes come from the zip's unix attributes, else C(bin/) and
    C(pkg/tool/) are executable, as C(go) makes them.
  - O(verify=fast) is one lstat walk compared against the receipt's manifest (type, size, mtime, mode, owner and
    group, link target). It trusts the receipt; someone who can rewrite the receipt as well as the tree can hide an
    edit from it, and an edit that keeps size and mtime is not seen.
  - O(verify=full) does not trust the receipt's file records. It streams the tarball once (O(src) on the node, or
    O(url)), trusts it only when its sha256 matches O(checksum) (or O(checksum_url)), and compares every path of the
    tree with the tarball's own members (type, size, mtime, mode, link target and the sha256 of every file) and every
    owner with the one the install gives (root). With neither O(src) nor O(url), V(full) falls back to the receipt's
    hashes and warns. In check mode the tarball is read, never written.
  - Owners recorded by receipts of earlier versions are missing; they are then expected to be what the install gives
    (root:root when run as root; not compared when run as another user).
  - Drift found by O(verify) is repaired from the verified tarball path by path (the drifted paths only, owners
    included; a fresh install when that is not enough).
  - Whatever O(verify) says, a C(goVERSION) in O(install_root) that is not a real directory (a symlink, even to a
    perfect copy, or a file) is drift. It is never verified or repaired through, but replaced by a fresh tree from
    the tarball, so nothing outside O(install_root) is written.
  - Runs as root to own the tree as root; installed files are root-owned with no group or other write.
  - A lock file in O(install_root) keeps two runs on one host from interleaving; runs that start at the same
    moment on a missing O(install_root) both create it safely, then take turns.
  - When the receipt cannot be written (a full disk), the new tree is taken back out (or the previous tree put
    back), so a rerun after freeing space starts clean. A tree left without a receipt by a killed run is removed
    before a new copy is extracted, unless O(link) points at it; temporary receipt files of a killed write are
    removed.
seealso:
  - name: Go downloads and checksums
    description: The official tarballs and their sha256 sums.
    link: https://go.dev/dl/
"""

EXAMPLES = r"""
- name: Install the official toolchain module zip from a GOPROXY, pinned by its go.sum line
  gofleet.golang.go_toolchain:
    version: 1.22.12
    goproxy: https://goproxy.internal
    checksum: golang.org/toolchain v0.0.1-go1.22.12.linux-amd64 h1:Hdh4VJAlDWzMnhKpqDwqJJr+sE7NgsJ86dyR4wrv2oY=

- name: Install a toolchain module zip already on the node, pinned by its h1 hash
  gofleet.golang.go_toolchain:
    version: 1.22.12
    src: /var/cache/gofleet/v0.0.1-go1.22.12.linux-arm64.zip
    checksum: h1:d5pIIWRmHJcXHnW+PRQ5RyowiqOcFC/80DB4FGToaPU=

- name: Install Go from a tarball already on the node and make it the default
  gofleet.golang.go_toolchain:
    version: 1.22.12
    src: /var/cache/gofleet/go1.22.12.linux-amd64.tar.gz
    checksum: sha256:4fa4f869b0f7fdf06eb7fe6c3ff2c66d0b5bb68e0c3fb2e3b6c9c4f8e2b1d2a1

- name: Install from an internal mirror, checked against its SHA256SUMS and signature
  gofleet.golang.go_toolchain:
    version: go1.23.5
    url: https://mirror.internal/go/go1.23.5.linux-amd64.tar.gz
    checksum_url: https://mirror.internal/go/SHA256SUMS
    signature: https://mirror.internal/go/go1.23.5.linux-amd64.tar.gz.asc
    keyring: /etc/gofleet/go-release-keys.asc
    ca_path: /etc/pki/ca-trust/source/anchors/internal-ca.pem
    env:
      GOPROXY: https://goproxy.internal,off
      GOSUMDB: "off"
      GOFLAGS: -mod=readonly
    keep: 2

- name: Scheduled drift check (run with --check --diff first, then for real)
  gofleet.golang.go_toolchain:
    version: 1.22.12
    src: /var/cache/gofleet/go1.22.12.linux-amd64.tar.gz
    checksum: sha256:4fa4f869b0f7fdf06eb7fe6c3ff2c66d0b5bb68e0c3fb2e3b6c9c4f8e2b1d2a1
    verify: full

- name: Daily scheduled run, cheap, with every host re-hashed against the tarball at least weekly
  gofleet.golang.go_toolchain:
    version: 1.22.12
    src: /var/cache/gofleet/go1.22.12.linux-amd64.tar.gz
    checksum: sha256:4fa4f869b0f7fdf06eb7fe6c3ff2c66d0b5bb68e0c3fb2e3b6c9c4f8e2b1d2a1
    verify: fast
    verify_full_every: 7

- name: Remove an old, inactive version
  gofleet.golang.go_toolchain:
    version: 1.21.13
    state: absent
"""

RETURN = r"""
goroot:
  description: GOROOT of O(version).
  returned: always
  type: str
  sample: /usr/local/lib/go/go1.22.12
version:
  description: The normalized version this call managed.
  returned: always
  type: str
  sample: 1.22.12
active_version:
  description: The version O(link) points at after this run (predicted in check mode).
  returned: always
  type: str
  sample: 1.22.12
previous_version:
  description: The version O(link) pointed at before, when this run changes it.
  returned: always
  type: str
  sample: 1.21.13
installed_versions:
  description: Versions present in O(install_root) after this run.
  returned: always
  type: list
  elements: str
  sample: [1.21.13, 1.22.12]
drift:
  description:
    - The one-line form of each item of RV(drift_items), the aspect and the path, then the expected and found values
      where both exist.
  returned: always
  type: list
  elements: str
  sample: ["missing: bin/gofmt", "mode: bin/go (0755 -> 0757)", "owner: bin/go (0:0 -> 65534:65534)"]
drift_items:
  description:
    - What differs in the installed tree, one item per path and aspect, in path order. The same items are in the diff.
    - C(aspect) is one of C(missing), C(added), C(type), C(content) (size, mtime and, under full, sha256),
      C(mode) (4-digit octal), C(owner) (C(uid:gid)) and C(link) (symlink target).
    - Then, for a version installed before this run, C(go.env) when edited by hand (C(content) as C(sha256 <hex>)
      of the text O(env) renders against the text found; a go.env this module wrote for another O(env) is a change
      asked for, and a value edited in place so that the file still reads as one it wrote is rewritten but not
      reported as drift) and the links (O(link) when it points outside O(install_root) or is missing,
      the O(bin_dir) links when O(link) exists; item = the link's absolute path). A first install and a switch
      between installed versions are asked-for changes, not drift.
  returned: always
  type: list
  elements: dict
  contains:
    item:
      description: Path relative to the GOROOT, or the absolute path of a link.
      type: str
    aspect:
      description: What differs.
      type: str
    expected:
      description: The value the tarball (or receipt) gives; null for an added path.
      type: str
    found:
      description: The value on disk; null for a missing path.
      type: str
  sample: [{"item": "bin/gofmt", "aspect": "mode", "expected": "0755", "found": "0757"}]
verify:
  description:
    - The verification this run did, V(fast), V(full) (asked for, or due by O(verify_full_every)) or V(none); null
      when the version was (re)installed without one.
  returned: always
  type: str
  sample: full
actions:
  description: What this run did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["install go1.22.12 (missing)", "point /usr/local/go at /usr/local/lib/go/go1.22.12"]
tarball_needed:
  description:
    - With O(controller_src), whether this run needed the tarball at O(src) and had to ship it there (in check
      mode, would have to). Always false without O(controller_src).
  returned: always
  type: bool
  sample: false
tarball_sha256:
  description: The verified sha256 of the tarball (or module zip) this version was installed from.
  returned: when state is present
  type: str
artifact_format:
  description: What this version was (or will be) installed from, V(tarball) or V(module_zip).
  returned: when state is present
  type: str
  sample: module_zip
artifact_h1:
  description: The verified C(h1:) hash of the module zip this version was installed from; null for a tarball.
  returned: when state is present
  type: str
  sample: "h1:Hdh4VJAlDWzMnhKpqDwqJJr+sE7NgsJ86dyR4wrv2oY="
signer:
  description: Fingerprint of the GPG key that signed the tarball (from the receipt); null when no signature was checked.
  returned: when state is present
  type: str
installed_at:
  description: When this version was installed (UTC, from the receipt); null in check mode before the first install.
  returned: when state is present
  type: str
  sample: "2026-12-06T03:15:00Z"
receipt:
  description: Path of the install receipt (JSON with version, source, sha256, signer and file manifest).
  returned: when state is present
  type: str
  sample: /usr/local/lib/go/.receipts/go1.22.12.json
"""

import os

from ansible_collections.gofleet.golang.plugins.module_utils import atomic, toolchain
from ansible_collections.gofleet.golang.plugins.module_utils.argspec import ArgumentSpec
from ansible_collections.gofleet.golang.plugins.module_utils.artifact_options import artifact_argument_spec, url_argument_spec
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import tarball_arch


def main():
    spec = ArgumentSpec(
        argument_spec=dict(
            version=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            src=dict(type="path"),
            url=dict(type="str"),
            goproxy=dict(type="str"),
            format=dict(type="str", default="auto", choices=["auto", "tarball", "module_zip"]),
            controller_src=dict(type="str"),
            install_root=dict(type="path", default="/usr/local/lib/go"),
            link=dict(type="path", default="/usr/local/go"),
            bin_dir=dict(type="str", default="/usr/local/bin"),
            activate=dict(type="bool", default=True),
            keep=dict(type="int"),
            env=dict(type="dict", default={}),
            verify_full_every=dict(type="int", default=0),
            force=dict(type="bool", default=False),
            max_unpacked_size=dict(type="int", default=2147483648),
        ),
        mutually_exclusive=[("src", "url", "goproxy"), ("controller_src", "url"), ("controller_src", "goproxy")],
    )
    # checksum, checksum_url, signature, keyring, verify and url_*: one declaration for every module.
    spec.merge(artifact_argument_spec()).merge(url_argument_spec())
    module = spec.create_ansible_module(supports_check_mode=True)
    try:
        req = toolchain.Request(module.params, tarball_arch())
        with lock_for(req, module.check_mode):
            node = toolchain.NodeState(req)
            plan = toolchain.plan(req, node)
            receipt = node.receipt
            # A tarball that is needed but not on the node yet: the action plugin ships it and runs again.
            if plan.needs_apply and not module.check_mode and not plan.tarball_needed:
                runner = toolchain.Runner(module.run_command, module.get_bin_path("gpg"))
                receipt = toolchain.apply(req, node, plan, runner)
    except GofleetError as e:
        module.fail_json(msg=e.message)
    except (IOError, OSError) as e:  # e.g. a read-only or full filesystem while planning
        module.fail_json(msg="go_toolchain %s: %s" % (module.params["version"], e))
    for warning in plan.warnings:
        module.warn(warning)
    result = toolchain.result(req, node, plan, receipt)
    if module._diff:
        result["diff"] = toolchain.diff(req, plan)
    module.exit_json(changed=plan.changed and (module.check_mode or not plan.tarball_needed), **result)


def lock_for(req, check_mode):
    toolchain.check_install_root(req.install_root)  # before the lock creates anything in it
    path = os.path.join(req.install_root, toolchain.LOCK_FILE)
    # Check mode writes nothing, not even the lock file of a root that was never managed.
    if check_mode and not os.path.exists(path):
        return _NoLock()
    return atomic.HostLock(path)


class _NoLock(object):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
