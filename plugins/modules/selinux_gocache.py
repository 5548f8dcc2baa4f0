#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: selinux_gocache
short_description: Persistent SELinux labels for Go caches, module mirrors and toolchains
version_added: 0.1.0
description:
  - Adds persistent file-context rules V(<path>(/.*\)?) to the SELinux policy store, as
    C(semanage fcontext -a) does, for Go build caches (GOCACHE), module caches (GOMODCACHE),
    offline module mirrors and GOROOTs, so that labels survive the next full relabel.
  - All rule changes of one run are committed in a single semanage transaction.
  - Then relabels, like C(restorecon -F), only the files whose type differs from what the
    policy now says.
  - Without I(setype) the type follows the loaded policy's own conventions for the kind of
    location (asked with C(matchpathcon) on a sibling of each path) and the choice is
    explained per rule in the result. A GOROOT gets C(usr_t) (or the policy's type there)
    for the tree and C(bin_t) for C(bin/) and C(pkg/tool/) so that confined services may
    run the Go binaries.
  - With I(ports), also gives TCP ports a port type (as C(semanage port -a), or C(-m) for a port the
    policy already types otherwise), so that a confined service such as nginx may bind them. A port whose
    narrowest policy rule already has one of I(port_types) is left alone.
  - On a host without SELinux, or with SELinux disabled, nothing changes and the result says
    why, unless I(ignore_selinux_state=true).
extends_documentation_fragment:
  - gofleet.golang.attributes
options:
  path:
    description:
      - Absolute directories to label, for example C(/var/cache/go-build), C(/var/cache/gomod),
        C(/srv/gomirror), C(/usr/local/go). They need not exist yet.
      - May be empty when I(ports) is given.
    type: list
    elements: str
    default: []
  ports:
    description:
      - TCP ports (V(8080) or V(tcp/8080)) that must carry one of I(port_types).
      - With I(state=absent), a local rule giving one of them one of I(port_types) is removed; a base-policy
        rule cannot be and is left alone.
    type: list
    elements: str
    default: []
  port_types:
    description:
      - Port types any of which lets the service bind; a port with none of them gets the first.
        For nginx (C(httpd_t)) V([http_port_t, http_cache_port_t]).
    type: list
    elements: str
    default: [http_port_t]
  setype:
    description:
      - SELinux type for every I(path) and everything below it (one rule per path).
      - When omitted, chosen per path from the policy's conventions
        (cache and home types under home directories, C(var_t) under C(/var/cache) and C(/srv),
        C(var_lib_t) under C(/var/lib), C(usr_t) plus C(bin_t) for a GOROOT).
      - Must be a file type the loaded policy knows.
    type: str
  state:
    description:
      - C(present) adds or corrects the rules; C(absent) removes the rules this module manages
        for each path (V(<path>(/.*\)?) and, for a GOROOT, its C(bin) and C(pkg/tool) rules).
    type: str
    choices: [present, absent]
    default: present
  restore:
    description:
      - Relabel files under each path whose type differs from the policy after the change.
      - Skipped while SELinux is disabled (the labels apply at the next relabel after enabling it).
    type: bool
    default: true
  ignore_selinux_state:
    description:
      - Manage the policy store even when SELinux is disabled or absent, for image builds and
        chroots. The Python bindings must then be installed.
    type: bool
    default: false
requirements:
  - "RedHat family: python3-libselinux, python3-policycoreutils"
  - "Debian family: python3-selinux, python3-semanage, policycoreutils-python-utils"
notes:
  - Check mode lists the rules it would add, change or remove and the paths it would relabel.
    For removals it predicts the type from the rule that covers the path's siblings.
  - A missing binding on an SELinux host fails and names the packages to install for the host's family.
  - Each run walks the trees under I(path) to compare labels; on a large GOMODCACHE that takes seconds.
seealso:
  - module: community.general.sefcontext
author:
  - gofleet founders (@gofleet)
"""

EXAMPLES = r"""
- name: Label the system-wide Go caches with the policy's conventions
  gofleet.golang.selinux_gocache:
    path:
      - /var/cache/go-build
      - /var/cache/gomod

- name: Let a confined service run the Go toolchain
  gofleet.golang.selinux_gocache:
    path: [/usr/local/go]

- name: Serve an offline module mirror with nginx on port 8081
  gofleet.golang.selinux_gocache:
    path: [/srv/gomirror]
    setype: httpd_sys_content_t
    ports: ["8081"]
    port_types: [http_port_t, http_cache_port_t]

- name: Prepare the policy store in an image build (SELinux disabled there)
  gofleet.golang.selinux_gocache:
    path: [/var/cache/go-build]
    ignore_selinux_state: true

- name: Drop the rules again
  gofleet.golang.selinux_gocache:
    path: [/var/cache/go-build, /var/cache/gomod]
    state: absent
"""

RETURN = r"""
msg:
  description: One line saying what was done, or why nothing was (SELinux absent or disabled).
  returned: always
  type: str
  sample: added /var/cache/go-build(/.*)?; relabelled 3 path(s)
selinux:
  description: What the module found out about SELinux on the host.
  returned: always
  type: dict
  contains:
    present:
      description: The Python bindings are usable.
      type: bool
    enabled:
      description: SELinux is enabled in the kernel.
      type: bool
    mode:
      description: C(enforcing), C(permissive) or C(disabled).
      type: str
    policy:
      description: The policy type, for example C(targeted) or C(default).
      type: str
  sample: {present: true, enabled: true, mode: enforcing, policy: targeted}
rules:
  description: One entry per file-context rule considered, with the type chosen and why.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The directory the rule covers.
      type: str
    target:
      description: The file-context expression.
      type: str
    setype:
      description: The type wanted (null for removals).
      type: str
    previous:
      description: The type of the local rule before the run, or null.
      type: str
    action:
      description: C(add), C(modify), C(remove) or C(none).
      type: str
    reason:
      description: Why this type was chosen.
      type: str
  sample:
    - path: /var/cache/go-build
      target: /var/cache/go-build(/.*)?
      setype: var_t
      previous: null
      action: add
      reason: "var_t: the policy labels entries of /var/cache var_t, the convention for a system cache under /var/cache"
ports:
  description: One entry per port of O(ports), what was (or in check mode would be) done.
  returned: always
  type: list
  elements: dict
  contains:
    port:
      description: The TCP port.
      type: int
    proto:
      description: Always C(tcp).
      type: str
    setype:
      description: Its type after the run (null when removed).
      type: str
    previous:
      description: The type the policy gave it before (its narrowest rule), or null.
      type: str
    action:
      description: C(add), C(modify), C(remove) or C(none).
      type: str
  sample:
    - {port: 8081, proto: tcp, setype: http_port_t, previous: unreserved_port_t, action: add}
relabeled:
  description: Paths whose label was (or in check mode would be) reset, at most the first 100.
  returned: always
  type: list
  elements: str
relabel_count:
  description: How many paths were (or would be) relabelled.
  returned: always
  type: int
not_applicable:
  description:
    - Why labelling does not apply on this host (SELinux absent or disabled, and I(ignore_selinux_state) false),
      or null when it does. Roles call the module everywhere and let it decide.
  returned: always
  type: str
  sample: "SELinux is disabled on this host: no rules added, nothing relabelled; set ignore_selinux_state ..."
relabel_skipped:
  description: Why no relabelling was attempted, or null.
  returned: always
  type: str
drift_items:
  description:
    - How the node differed from what was asked, one item each (the shape of C(module_utils/drift.py)), the same in
      check mode and in the real run that repairs it.
    - A C(rule) item is a file-context rule to add, change or remove (item = the rule's expression, expected = the
      type wanted or null for a removal, found = the local rule's type or null when there is none).
    - A C(label) item is a path whose label is not what the policy gives (item = the path, expected and found
      = SELinux types; found null when unlabelled), at most the first 100.
  returned: always
  type: list
  elements: dict
  sample: [{"item": "/var/cache/go-build(/.*)?", "aspect": "rule", "expected": "var_t", "found": "tmp_t"}]
drift:
  description: "RV(drift_items) as one line each, e.g. C(rule: /var/cache/go-build(/.*)? (var_t -> tmp_t))."
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils import distro_family, selinux_labels


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="list", elements="str", default=[]),
            ports=dict(type="list", elements="str", default=[]),
            port_types=dict(type="list", elements="str", default=["http_port_t"]),
            setype=dict(type="str"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            restore=dict(type="bool", default=True),
            ignore_selinux_state=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    p = module.params
    # required_one_of cannot see it: both lists default to [], which counts as given.
    if not p["path"] and not p["ports"]:
        module.fail_json(msg="selinux_gocache: give path or ports (both are empty)")
    selinux, seobject, missing = selinux_labels.import_bindings()
    family = None
    if missing:
        try:
            with open("/etc/os-release") as f:
                text = f.read()
        except (IOError, OSError):
            text = ""
        family = selinux_labels.os_family(text, distro_family.present_package_tools(text))
    host = selinux_labels.Host(
        run_command=module.run_command,
        selinux=selinux,
        seobject=seobject,
        missing=missing,
        family=family,
        restorecon_bin=module.get_bin_path("restorecon", opt_dirs=["/sbin", "/usr/sbin"]),
        check_mode=module.check_mode,
    )
    try:
        result = selinux_labels.run(host, p["path"], p["setype"], p["state"], p["restore"],
                                    p["ignore_selinux_state"], p["ports"], p["port_types"])
    except GofleetError as e:
        module.fail_json(msg=e.message)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
