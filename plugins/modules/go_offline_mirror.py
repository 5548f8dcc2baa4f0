#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: go_offline_mirror
short_description: Build, ship, verify and install an offline Go module mirror
description:
  - With O(state=built) (on a connected host) runs C(go mod download) for the O(requirements) into a
    staging module cache and exports its C(cache/download) tree (C(.info), C(.mod), C(.zip), C(.ziphash),
    regenerated C(list) files and sumdb data; never lock files, temporary files or C(vcs/)) into O(path).
    Every zip is validated as Go does (C(module@version/) prefix, size limits, no case-folding clashes)
    and every h1 hash is checked against the go.sum files beside go.mod requirements.
    A manifest C(gofleet-mirror.json) records modules, versions and hashes. Requirements are added to
    what the mirror already holds. With O(bundle), a deterministic tarball and C(<bundle>.sha256) are written.
  - Unless O(gosumdb=off), O(state=built) also captures the checksum database for every module version of the
    mirror from the first http(s) proxy of O(upstream) that serves C(sumdb/<name>/supported), namely each C(lookup),
    C(latest), C(supported) and every tile a client can read, whatever the order of its lookups. Every tile is
    checked against the signed tree hashes, every older tree against every newer one and every lookup's C(h1:)
    lines against the mirror's own hashes before it is written; the manifest records their sha256 like any
    file's. Served under C(<mirror>/sumdb/<name>/), they let clients with C(GOSUMDB=sum.golang.org) verify
    modules (and toolchains fetched with C(GOTOOLCHAIN=auto)) through the mirror alone.
  - In check mode O(state=built) still runs C(go mod download), into a temporary directory that is removed
    afterwards, so that the prediction is exact; nothing under O(path) or O(bundle) is written.
  - With O(state=present) (on the offline side) verifies O(bundle) against O(checksum) or O(checksum_url) (and
    O(signature)),
    merges it with the current release into C(<path>/releases/<id>) and switches C(<path>/current)
    atomically. Drift of the current release (per O(verify)) is reported and repaired from the bundle.
  - O(state=present) trusts the bundle's files, not its manifest. Before anything is written (in check mode
    too) one pass over the bundle refuses any member that is not a directory or regular file below C(mirror/),
    or not listed in the manifest with its sha256; runs the checks of O(state=built) on every module file
    (zip member names, case clashes, Go's size limits read from the zip headers, a C(.mod) equal to the zip's
    C(go.mod), an C(.info) that is Go's JSON for that version, C(.ziphash)); and derives the module list and
    the h1 hashes from the files. A manifest that lists a version without files, leaves one out or states
    another h1 is refused in one line naming C(module@version).
  - Serve C(<path>/current) (or O(path) for a built mirror) as GOPROXY, e.g. C(file://<path>/current,off).
version_added: 0.1.0
author:
  - gofleet founders (@gofleet)
extends_documentation_fragment: [gofleet.golang.attributes, gofleet.golang.artifact, gofleet.golang.artifact.url]
options:
  state:
    description: V(built) builds a mirror from an upstream proxy; V(present) installs a bundle.
    type: str
    choices: [built, present]
    default: present
  path:
    description:
      - For V(built), the mirror tree itself (a GOPROXY directory).
      - For V(present), the directory holding C(releases/) and the C(current) link.
      - Every path option (O(path), O(bundle), O(signature) unless it is a URL, O(keyring), a O(go) with a C(/),
        go.mod files in O(requirements)) must be absolute; a relative one is refused.
    type: path
    required: true
  requirements:
    description:
      - go.mod files (absolute paths; their go.sum beside them is read and enforced) and/or C(module@version) strings.
      - Required for O(state=built).
    type: list
    elements: str
    default: []
  upstream:
    description: GOPROXY used to build the mirror (what is already in O(path) is used first).
    type: str
    default: https://proxy.golang.org
  gosumdb:
    description:
      - GOSUMDB for the build, e.g. V(off) for an upstream without a checksum database.
      - Unset keeps Go's default (sum.golang.org, reached through the proxy), and the mirror carries its answers;
        when no http(s) proxy in O(upstream) serves it, the build fails in one line.
    type: str
  go_env:
    description:
      - More go environment for O(state=built), for example C(GONOSUMDB), C(GOINSECURE) or C(GONOPROXY) for
        private modules on the connected side. The module's own settings (GOMODCACHE, GOPATH, HOME, GOCACHE,
        GOENV, GOPROXY, GOSUMDB, GOFLAGS, GOTOOLCHAIN) cannot be overridden.
    type: dict
    default: {}
  go:
    description: The go binary used for O(state=built), as an absolute path or a bare name looked up on PATH.
    type: path
    default: go
  bundle:
    description:
      - V(built) writes the mirror as this tarball (plus C(<bundle>.sha256)) when set.
      - V(present) installs this tarball; required there.
    type: path
notes:
  - The artifact of the artifact options is O(bundle); they apply to O(state=present) only. The C(<bundle>.sha256)
    that O(state=built) writes is a C(SHA256SUMS) file, so it can serve as O(checksum_url).
  - O(verify) checks the current release against the file manifest written when the release was made (beside it
    in C(<path>/releases)). V(fast) compares size, mtime and mode of every file; V(full) also hashes every file.
    Both trust that manifest; a manifest that is missing or unreadable is drift itself, and the release is then
    checked against the bundle's sha256 of every file.
  - Drift is repaired path by path from the verified bundle (or regenerated, for C(list) files and the manifest);
    a drifted path the bundle does not carry fails in one line naming it.
"""

EXAMPLES = r"""
- name: Build a mirror for two apps and one extra module (connected host)
  gofleet.golang.go_offline_mirror:
    state: built
    path: /srv/gomirror
    requirements:
      - /src/app/go.mod
      - /src/tool/go.mod
      - golang.org/x/text@v0.14.0
    go: /usr/local/go/bin/go
    bundle: /srv/gomirror.tar.gz

- name: Install it on the offline mirror host
  gofleet.golang.go_offline_mirror:
    state: present
    path: /srv/gomirror
    bundle: /tmp/gomirror.tar.gz
    checksum: "sha256:{{ (lookup('file', 'gomirror.tar.gz.sha256') | gofleet.golang.sha256sums)['gomirror.tar.gz'] }}"
    verify: full

- name: Install it from an internal web server, checked against its .sha256 and signature
  gofleet.golang.go_offline_mirror:
    state: present
    path: /srv/gomirror
    bundle: /var/cache/gofleet/gomirror.tar.gz
    checksum_url: https://artifacts.internal/gomirror.tar.gz.sha256
    signature: https://artifacts.internal/gomirror.tar.gz.asc
    keyring: /etc/gofleet/mirror-keys.gpg
    ca_path: /etc/pki/ca-trust/source/anchors/internal-ca.pem
"""

RETURN = r"""
modules:
  description: Every C(module@version) the mirror serves after the run.
  returned: success
  type: list
  elements: str
added:
  description: Module versions this run adds.
  returned: success
  type: list
  elements: str
bundle_sha256:
  description: sha256 of the bundle (written or installed); null in check mode when a changed mirror has not been packed.
  returned: when bundle is set
  type: str
bundle_checksum:
  description: The bundle's checksum as C(sha256:<hex>), ready for O(checksum).
  returned: state=built with bundle
  type: str
release:
  description: Id of the release C(current) points to after the run.
  returned: state=present
  type: str
current:
  description: Path of the C(current) link to serve.
  returned: state=present
  type: str
drift:
  description: Differences found between the current release and its manifest (repaired unless check mode).
  returned: state=present
  type: list
  elements: str
drift_items:
  description:
    - The same differences, one item per path and aspect, with expected and found values (also shown by
      C(--check --diff)). C(content) values are C(size <bytes>, sha256 <hex>) (plus C(mtime) when only
      the mtime differs), C(mode) values 4-digit octal; C(missing)/C(added) have no found/expected value.
  returned: state=present
  type: list
  elements: dict
  contains:
    item:
      description: Path relative to C(<path>/current), or C((release manifest)).
      type: str
    aspect:
      description: One of C(missing), C(added), C(type), C(content), C(mode), C(link).
      type: str
    expected:
      description: What the release manifest recorded (null for an added path).
      type: str
    found:
      description: What is there now (null for a missing path).
      type: str
"""

import os

from ansible_collections.gofleet.golang.plugins.module_utils import gomod_mirror
from ansible_collections.gofleet.golang.plugins.module_utils.atomic import HostLock
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


def main():
    module = gomod_mirror.argument_spec().create_ansible_module(supports_check_mode=True)
    try:
        # Before the lock: its file would land beside a relative path.
        req = gomod_mirror.Request(module.params, module.get_bin_path)
        with lock_for(req, module.check_mode):
            node = gomod_mirror.NodeState(req)
            runner = gomod_mirror.Runner(module.run_command, module.get_bin_path("gpg"))
            plan = gomod_mirror.plan(req, node, runner, module.check_mode)
            try:
                if plan.changed and not module.check_mode:
                    gomod_mirror.apply(req, node, plan)
                result = gomod_mirror.report(req, node, plan)
            finally:
                plan.close()
    except GofleetError as e:
        module.fail_json(msg=e.message)
    except (IOError, OSError) as e:
        module.fail_json(msg="%s: %s" % (getattr(e, "filename", None) or module.params["path"], e.strerror or e))
    diff = result.pop("diff", None)
    if module._diff and diff:
        result["diff"] = diff
    result.pop("bundle_changed", None)
    module.exit_json(**result)


def lock_for(req, check_mode):
    # Check mode writes nothing, not even the lock file of a mirror that was never managed
    # (with no lock file, no real run has touched the mirror either).
    if check_mode and not os.path.exists(req.lock_path):
        return _NoLock()
    return HostLock(req.lock_path)


class _NoLock(object):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
