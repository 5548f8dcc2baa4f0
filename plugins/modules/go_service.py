#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: go_service
short_description: Run a Go binary as a hardened systemd service, or as a runit service on Void
version_added: 0.1.0
description:
  - Checks that the binary can run on the node (it exists, is executable, is an ELF for this
    node's architecture and, when dynamically linked, every library it needs resolves) before
    anything is installed.
  - Under systemd, writes C(/etc/systemd/system/<name>.service) with a hardening profile
    (C(strict) by default, measured at about 1.2 by C(systemd-analyze security) for a network
    service), verifies it with C(systemd-analyze verify) on a staged copy (its stderr too, since it
    exits 0 on unknown keys), reloads systemd only when the unit changed, and restarts the service
    when its unit or environment changed while it runs.
  - The C(strict) profile never denies C(@resources), because the Go runtime raises RLIMIT_NOFILE with
    setrlimit at start and a C(~@resources) filter kills it. Directives the node's systemd is too
    old for are left out and listed in C(skipped_directives).
  - When C(CPUQuota) or C(MemoryMax) is set in O(limits), C(GOMAXPROCS) (quota rounded up) and
    C(GOMEMLIMIT) (90% of MemoryMax, in MiB) are set for the service unless O(environment) gives them.
  - Under runit (Void Linux), the same options produce C(/etc/sv/<name>/run) that execs the binary
    through C(chpst) (user, rlimits, C(-e) env dir), a C(log/run) with C(svlogd), and a link in the
    runsvdir directory. Options runit cannot honour are listed in C(unsupported_options) and warned
    about, never silently dropped.
  - This module was called C(gofleet.golang.systemd_gounit) earlier; that name is redirected here
    (with a deprecation warning) so existing playbooks keep working.
  - "A C(%) in O(user), O(group), O(working_directory), O(environment_file), O(description), O(binary) and
    O(args) is written as C(%%), so systemd takes it literally instead of expanding a specifier (C(user: \"%u\")
    would otherwise run the service as root). O(exec_start), O(unit), O(service) and O(install) are systemd
    syntax and written as given: write C(%%) there for a literal C(%); a C(%) in the program word of
    O(exec_start) is refused, since the binary checked would not be the one systemd runs."
author:
  - gofleet founders (@gofleet)
extends_documentation_fragment:
  - gofleet.golang.attributes
options:
  name:
    description: Service name (C(.service) suffix optional).
    type: str
    required: true
  binary:
    description: Absolute path of the Go binary on the node. Mutually exclusive with O(exec_start).
    type: path
  args:
    description: Arguments passed to O(binary); each is quoted for systemd or sh as needed.
    type: list
    elements: str
    default: []
  install_from:
    description:
      - Path of a new binary staged beside O(binary) (same directory, so the rename is atomic), as the
        go_service role stages it. It gets the checks O(binary) gets (ELF for this architecture, libraries)
        and only then is renamed over O(binary), before the unit is written; a running service restarts.
      - One that fails a check is removed and O(binary) stays as it was, with the service running on it.
        One equal to O(binary) is removed and changes nothing. A relative path is refused.
      - It goes live owned by root (when the module runs as root) with mode 0755, whatever it was staged with.
      - In check mode a missing O(install_from) (its copy only predicted) predicts a new binary, unless
        O(binary_sha256) says the installed binary already is the one asked for.
    type: path
  binary_sha256:
    description:
      - The sha256 the binary must have (C(sha256:<hex>) or the bare 64 hex digits), as the go_service role
        passes the controller's or the build's.
      - An installed binary with another sha256 is drift (aspect C(content), see RV(drift_items)), repaired from
        O(install_from), which must then have this sha256 (a stage that does not is removed, O(binary) stays).
        Without O(install_from) such a binary fails the task, naming both sums.
      - It also lets check mode predict the binary's drift exactly when the stage is not there yet.
    type: str
  exec_start:
    description:
      - A complete C(ExecStart=) command line in systemd syntax, instead of O(binary) and O(args).
      - Its first word is the binary that is checked.
    type: str
  user:
    description: User the service runs as. Must exist. Mutually exclusive with O(dynamic_user).
    type: str
  group:
    description: Group the service runs as.
    type: str
  dynamic_user:
    description:
      - Use systemd's C(DynamicUser=yes). When neither O(user) nor O(dynamic_user) is given, a dynamic
        user is used, so the service never runs as root by default.
      - Under runit the service runs as C(nobody) instead (reported in RV(unsupported_options)).
    type: bool
  working_directory:
    description:
      - Working directory of the service, an absolute path (C(-/path) and C(~) as systemd takes them); a relative one is refused.
    type: path
  environment:
    description:
      - Environment variables of the service. Values are treated as secrets (never logged, never in the
        unit file or the diff).
      - Under systemd they are written to O(environment_file) with mode 0600; under runit to
        C(/etc/sv/<name>/env/) (directory 0700, files 0600).
      - Under runit a value that ends with a space or tab is refused (naming the key, never the value),
        C(chpst -e) strips trailing blanks, so the service would silently get another value.
      - When omitted, an existing O(environment_file) is referenced but not managed.
    type: dict
  environment_file:
    description:
      - Path of the systemd environment file. Defaults to C(/etc/gofleet/env/<name>.env) when
        O(environment) is given.
      - An absolute path; a relative one is refused (systemd would ignore it). C(-/path) (optional) is accepted only when
        O(environment) is not given, since the module then only references the file.
    type: path
  restart:
    description: Restart policy and start limits.
    type: dict
    suboptions:
      policy:
        description: C(Restart=) policy.
        type: str
        choices: ["no", always, on-success, on-failure, on-abnormal, on-abort, on-watchdog]
      sec:
        description: C(RestartSec=) (default 1).
        type: str
      start_limit_interval_sec:
        description: C(StartLimitIntervalSec=) (default 60).
        type: str
      start_limit_burst:
        description: C(StartLimitBurst=) (default 5).
        type: int
  limits:
    description:
      - Resource settings, as systemd names them, for example C(CPUQuota), C(MemoryMax), C(LimitNOFILE).
      - Under runit C(LimitNOFILE) becomes C(ulimit -n) in the run script (soft and hard; chpst C(-o) sets only
        the soft limit, which Go raises to the hard one at start), C(LimitNPROC), C(LimitCORE), C(LimitFSIZE),
        C(LimitDATA) and C(LimitAS) map to chpst C(-p -c -f -d -m); the cgroup settings (C(CPUQuota),
        C(MemoryMax)...) are reported in RV(unsupported_options). C(LimitAS) (chpst C(-m)) below a few GiB
        kills a Go program at start, which is warned about.
    type: dict
  hardening:
    description: Sandboxing profile. Keys in O(service) override single directives (C(null) removes one).
    type: str
    choices: [strict, baseline, none]
    default: strict
  address_families:
    description: Socket families the service uses; C(RestrictAddressFamilies=) allows only these.
    type: list
    elements: str
    default: [AF_INET, AF_INET6, AF_UNIX]
  description:
    description: C(Description=) of the unit.
    type: str
  unit:
    description: Extra or overriding C([Unit]) settings (list values give repeated lines).
    type: dict
  service:
    description: Extra or overriding C([Service]) settings (list values give repeated lines, C(null) removes).
    type: dict
  install:
    description: Extra or overriding C([Install]) settings.
    type: dict
  state:
    description: C(absent) stops, disables and removes the unit (or runit service) and its environment.
    type: str
    choices: [started, stopped, restarted, absent]
    default: started
  enabled:
    description: Start at boot (runit without a C(down) file).
    type: bool
    default: true
  init_system:
    description: C(auto) picks systemd when C(/run/systemd/system) exists, else runit when C(sv) or C(runsvdir) exists.
    type: str
    choices: [auto, systemd, runit]
    default: auto
  settle:
    description: Seconds a started or restarted service must keep running (same main pid) to count as started; 0 skips.
    type: float
    default: 2
  runit_service_dir:
    description: Directory runsvdir watches. Defaults to C(/var/service) (Void), else C(/etc/service) when only that exists.
    type: path
  foreign_dropins:
    description:
      - What to do with a drop-in (C(<unit>.d/*.conf)) for the unit that this module did not write and
        O(allowed_dropins) does not name. systemd merges drop-ins over the unit file, so one with
        C(ProtectSystem=false) undoes the hardening while the unit file stays the same.
      - The module reads the unit as systemd sees it (C(systemctl show -p DropInPaths)) and also the
        C(.conf) files in C(/etc/systemd/system{,.control}/<unit>.d) and C(/run/systemd/system{,.control}/<unit>.d)
        (a file planted without a daemon-reload applies at the next one). Each foreign drop-in is drift
        (RV(drift_items), aspect C(added), found = what it sets, secrets masked), in check mode too.
      - V(remove) (the default, the safe choice) deletes it, reloads systemd and restarts a running service.
        Drop-ins that belong to a package (C(/usr/lib/systemd)) or apply to other units too (C(service.d/),
        C(<prefix>-.service.d/)) are reported and warned about, never removed.
      - V(keep) reports and warns only; V(fail) fails naming them.
    type: str
    choices: [remove, keep, fail]
    default: remove
  allowed_dropins:
    description: Drop-ins that are accepted, by file name (C(override.conf)) or full path. They are not drift.
    type: list
    elements: str
    default: []
notes:
  - Under runit the log goes to C(/var/log/<name>/) through svlogd; it is kept when the service is removed.
"""

EXAMPLES = r"""
- name: Run the API server, hardened, with a CPU and memory budget
  gofleet.golang.go_service:
    name: api
    binary: /usr/local/bin/api
    args: [-listen, ":8080"]
    user: api
    group: api
    environment:
      DATABASE_URL: "{{ vault_database_url }}"
    limits:
      CPUQuota: 150%
      MemoryMax: 512M
      LimitNOFILE: 65536
    service:
      StateDirectory: api

- name: Remove it
  gofleet.golang.go_service:
    name: api
    state: absent
"""

RETURN = r"""
init_system:
  description: systemd or runit.
  returned: always
  type: str
unit_path:
  description: Path of the unit file (systemd) or service directory (runit).
  returned: always
  type: str
unit:
  description: Text of the unit or of the runit run script (no secret values).
  returned: when state is not absent
  type: str
actions:
  description: Service manager actions taken (or that would be taken in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [daemon-reload, enable, start]
skipped_directives:
  description: Hardening directives left out because the node's systemd is older than they are.
  returned: always
  type: list
  elements: str
unsupported_options:
  description: Options given that runit cannot honour (empty under systemd).
  returned: always
  type: list
  elements: str
derived_environment:
  description: GOMAXPROCS / GOMEMLIMIT derived from the limits.
  returned: always
  type: dict
  sample: {GOMAXPROCS: "2", GOMEMLIMIT: 460MiB}
binary_changed:
  description:
    - Whether O(install_from) replaced the binary (or would, in check mode).
    - Kept for playbooks written before the binary was drift; a replaced binary that was installed before
      is also a C(content) item of RV(drift_items).
  returned: always
  type: bool
binary:
  description: What the binary check found (path, arch, linkage static/dynamic, interpreter).
  returned: when state is not absent
  type: dict
status:
  description: Service state after the run (systemd properties, or the parsed C(sv status)).
  returned: always
  type: dict
drift_items:
  description:
    - How the node differed from what was asked, one item each (the shape of C(module_utils/drift.py)),
      also shown in the diff as expected against found.
    - "Aspects: C(content) (the installed binary's sha256 is not the one asked for, O(binary_sha256) or the
      staged binary's: C(sha256=<hex>) each; in check mode without O(binary_sha256) and without the stage the
      expected value is not known and says so), C(unit) (changed lines of the unit file or run script, expected: ours, found: the file's),
      C(state) (a deployed service not running, not stopped or not enabled as asked), C(mode) (an
      environment file readable by others), C(added) (a foreign drop-in, see O(foreign_dropins))."
    - A first deploy is not drift.
  returned: always
  type: list
  elements: dict
  sample: [{item: /etc/systemd/system/api.service.d/override.conf, aspect: added, expected: null,
            found: ProtectSystem=false}]
drift:
  description: "RV(drift_items) as one line each, e.g. C(state: api.service (active -> inactive))."
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.service import spec as service_spec
from ansible_collections.gofleet.golang.plugins.module_utils.service.plan import detect_init_system
from ansible_collections.gofleet.golang.plugins.module_utils.service.runit_plan import RunitPlan
from ansible_collections.gofleet.golang.plugins.module_utils.service.systemd_plan import SystemdPlan

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    binary=dict(type="path"),
    args=dict(type="list", elements="str", default=[]),
    exec_start=dict(type="str"),
    user=dict(type="str"),
    group=dict(type="str"),
    dynamic_user=dict(type="bool"),
    working_directory=dict(type="path"),
    environment=dict(type="dict", no_log=True),
    environment_file=dict(type="path"),
    restart=dict(type="dict", options=dict(
        policy=dict(type="str", choices=list(service_spec.RESTART_POLICIES)),
        sec=dict(type="str"),
        start_limit_interval_sec=dict(type="str"),
        start_limit_burst=dict(type="int"),
    )),
    limits=dict(type="dict"),
    hardening=dict(type="str", choices=["strict", "baseline", "none"], default="strict"),
    address_families=dict(type="list", elements="str", default=list(service_spec.DEFAULT_ADDRESS_FAMILIES)),
    description=dict(type="str"),
    unit=dict(type="dict"),
    service=dict(type="dict"),
    install=dict(type="dict"),
    state=dict(type="str", choices=["started", "stopped", "restarted", "absent"], default="started"),
    enabled=dict(type="bool", default=True),
    init_system=dict(type="str", choices=["auto", "systemd", "runit"], default="auto"),
    settle=dict(type="float", default=2),
    runit_service_dir=dict(type="path"),
    install_from=dict(type="path"),
    binary_sha256=dict(type="str"),
    foreign_dropins=dict(type="str", choices=["remove", "keep", "fail"], default="remove"),
    allowed_dropins=dict(type="list", elements="str", default=[]),
)

PLANS = {"systemd": SystemdPlan, "runit": RunitPlan}


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
        mutually_exclusive=[("binary", "exec_start")],
    )
    result = dict(changed=False, actions=[], skipped_directives=[], unsupported_options=[], derived_environment={})
    plan = None
    try:
        spec = service_spec.normalise(module.params)
        init = result["init_system"] = detect_init_system(module, spec["init_system"])
        plan = PLANS[init](module, spec)
        plan.plan()
        if not module.check_mode:
            plan.apply()
    except GofleetError as e:
        report(module, result, plan, e)
    except (IOError, OSError) as e:  # e.g. environment_file is a directory, or the filesystem is read-only
        report(module, result, plan, GofleetError(str(e)))
    report(module, result, plan)


def report(module, result, plan, error=None):
    if plan is not None:
        result.update(plan.result())
        for w in plan.warnings:
            module.warn(w)
    if error is not None:
        # diff and status belong to a run that finished
        result.pop("diff", None)
        result.pop("status", None)
        module.fail_json(msg="go_service %s: %s" % (module.params["name"], error.message), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
