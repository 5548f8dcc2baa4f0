#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: systemd_gounit
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
    description: Working directory of the service.
    type: path
  environment:
    description:
      - Environment variables of the service. Values are treated as secrets (never logged, never in the
        unit file or the diff).
      - Under systemd they are written to O(environment_file) with mode 0600; under runit to
        C(/etc/sv/<name>/env/) (directory 0700, files 0600).
      - When omitted, an existing O(environment_file) is referenced but not managed.
    type: dict
  environment_file:
    description:
      - Path of the systemd environment file. Defaults to C(/etc/gofleet/env/<name>.env) when
        O(environment) is given.
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
notes:
  - Under runit the log goes to C(/var/log/<name>/) through svlogd; it is kept when the service is removed.
"""

EXAMPLES = r"""
- name: Run the API server, hardened, with a CPU and memory budget
  gofleet.golang.systemd_gounit:
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
  gofleet.golang.systemd_gounit:
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
binary:
  description: What the binary check found (path, arch, linkage static/dynamic, interpreter).
  returned: when state is not absent
  type: dict
status:
  description: Service state after the run (systemd properties, or the parsed C(sv status)).
  returned: always
  type: dict
"""

import os
import pwd
import grp

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.gofleet.golang.plugins.module_utils import atomic
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.gounit_binary import (
    binary_of_exec_start,
    check_binary,
)
from ansible_collections.gofleet.golang.plugins.module_utils import gounit_render as render
from ansible_collections.gofleet.golang.plugins.module_utils import runit_service as runit
from ansible_collections.gofleet.golang.plugins.module_utils import service_manager as sm

UNIT_DIR = "/etc/systemd/system"

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
        policy=dict(type="str", choices=list(render.RESTART_POLICIES)),
        sec=dict(type="str"),
        start_limit_interval_sec=dict(type="str"),
        start_limit_burst=dict(type="int"),
    )),
    limits=dict(type="dict"),
    hardening=dict(type="str", choices=["strict", "baseline", "none"], default="strict"),
    address_families=dict(type="list", elements="str", default=list(render.DEFAULT_ADDRESS_FAMILIES)),
    description=dict(type="str"),
    unit=dict(type="dict"),
    service=dict(type="dict"),
    install=dict(type="dict"),
    state=dict(type="str", choices=["started", "stopped", "restarted", "absent"], default="started"),
    enabled=dict(type="bool", default=True),
    init_system=dict(type="str", choices=["auto", "systemd", "runit"], default="auto"),
    settle=dict(type="float", default=2),
    runit_service_dir=dict(type="path"),
)


def total_memory():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (IOError, OSError, ValueError):
        pass
    return None


def normalise(module):
    """Module parameters -> the spec the renderers take; input errors raise GofleetError."""
    p = dict(module.params)
    p["name"] = render.validate_name(p["name"])
    if p["user"] and p["dynamic_user"]:
        raise GofleetError("user=%s and dynamic_user=true exclude each other" % p["user"])
    if not p["user"] and p["dynamic_user"] is None:
        p["dynamic_user"] = True
    render.validate_environment(p["environment"])
    render.validate_limits(p["limits"])
    render.validate_address_families(p["address_families"])
    render.restart_settings(p["restart"])
    if p["environment"] is not None and not p["environment_file"]:
        p["environment_file"] = "%s/%s.env" % (render.DEFAULT_ENV_DIR, p["name"])
    if p["state"] == "absent":
        return p
    if p["exec_start"]:
        if p["args"]:
            raise GofleetError("args go with binary, not with exec_start")
        p["binary"], p["args"] = binary_of_exec_start(p["exec_start"])
    elif p["binary"]:
        if not os.path.isabs(p["binary"]):
            raise GofleetError("binary must be an absolute path, got %s" % p["binary"])
        p["exec_start"] = render.exec_start_line(p["binary"], p["args"])
    else:
        raise GofleetError("state=%s needs binary or exec_start" % p["state"])
    return p


def check_identity(module, spec, warnings):
    for kind, value, lookup in (("user", spec.get("user"), pwd.getpwnam), ("group", spec.get("group"), grp.getgrnam)):
        if not value:
            continue
        try:
            lookup(value)
        except KeyError:
            if module.check_mode:
                warnings.append("%s %s does not exist yet (check mode)" % (kind, value))
            else:
                raise GofleetError("%s %s does not exist on this node" % (kind, value))


def check_binary_or_warn(module, spec, warnings):
    if module.check_mode and not os.path.lexists(spec["binary"]):
        warnings.append("binary %s is not there yet (check mode): its checks are skipped" % spec["binary"])
        return None
    return check_binary(module, spec["binary"])


def file_differs(path, data, mode):
    before = atomic.read_file(path)
    if before is None or before.encode("utf-8") != data:
        return True
    return (os.stat(path).st_mode & 0o7777) != mode


# ---------------------------------------------------------------- systemd

def run_systemd(module, spec, result):
    name = spec["name"]
    mgr = sm.SystemdManager(module, name)
    unit_path = os.path.join(UNIT_DIR, name + ".service")
    result["unit_path"] = unit_path
    status = mgr.status()
    env_path = spec.get("environment_file")

    if spec["state"] == "absent":
        owned_env = env_path or "%s/%s.env" % (render.DEFAULT_ENV_DIR, name)
        files = [f for f in (unit_path, owned_env) if os.path.lexists(f)]
        actions = sm.plan_systemd_absent(status, bool(files))
        before = atomic.read_file(unit_path) or ""
        result["diff"] = {"before_header": unit_path, "after_header": unit_path, "before": before, "after": ""}
        result["actions"] = actions
        result["changed"] = bool(actions)
        if not module.check_mode:
            for action in actions:
                if action == "remove-files":
                    for f in files:
                        os.unlink(f)
                else:
                    mgr.run(action)
            status = mgr.status()
        result["status"] = status
        return

    warnings = result["warnings"]
    check_identity(module, spec, warnings)
    binary_info = check_binary_or_warn(module, spec, warnings)
    version = mgr.version()
    unit_text, info = render.render_unit(spec, version, total_memory())
    result.update(unit=unit_text, binary=binary_info, skipped_directives=info["skipped"],
                  derived_environment=info["derived_env"])
    if info["skipped"]:
        warnings.append("systemd %s is too old for %s: left out of the unit" % (version, ", ".join(info["skipped"])))
    if binary_info is not None:
        verify_note = mgr.verify(unit_text)
        if verify_note:
            warnings.append(verify_note)

    before = atomic.read_file(unit_path)
    unit_changed = before != unit_text
    diffs = [{"before_header": unit_path, "after_header": unit_path, "before": before or "", "after": unit_text}]

    env_changed = False
    env_text = None
    if spec.get("environment") is not None:
        env_text = render.env_file_text(spec["environment"])
        env_changed = file_differs(env_path, env_text.encode("utf-8"), 0o600)
        if env_changed:
            old = _parse_env_keys(atomic.read_file(env_path))
            changed_keys = [k for k, v in spec["environment"].items()
                            if old.get(k) != render.env_file_text({k: v}).splitlines()[-1]]
            diffs.append({
                "before_header": env_path, "after_header": env_path,
                "before": "".join("%s=********\n" % k for k in sorted(old)),
                "after": render.env_diff_text(None, spec["environment"], changed_keys),
            })

    actions = sm.plan_systemd(status, spec["state"], spec["enabled"], unit_changed, env_changed)
    result["actions"] = actions
    result["changed"] = unit_changed or env_changed or bool(actions)
    result["diff"] = diffs if len(diffs) > 1 else diffs[0]
    if module.check_mode:
        result["status"] = status
        return
    if env_changed:
        atomic.write_file(env_path, env_text, 0o600)
    if unit_changed:
        atomic.write_file(unit_path, unit_text, 0o644)
    for action in actions:
        mgr.run(action)
    if "start" in actions or "restart" in actions:
        status = mgr.wait_running(module.params["settle"])
    else:
        status = mgr.status()
    result["status"] = status


def _parse_env_keys(text):
    """{KEY: its whole line} of an environment file we wrote (to tell which values changed)."""
    out = {}
    for line in (text or "").splitlines():
        if "=" in line and not line.startswith("#"):
            out[line.split("=", 1)[0]] = line
    return out


# ---------------------------------------------------------------- runit

def runit_dirs(module):
    service_dir = module.params["runit_service_dir"]
    if not service_dir:
        service_dir = "/etc/service" if (not os.path.isdir("/var/service") and os.path.isdir("/etc/service")) \
            else "/var/service"
    return runit.SV_DIR, service_dir


def run_runit(module, spec, result):
    name = spec["name"]
    sv_dir, service_dir = runit_dirs(module)
    mgr = sm.RunitManager(module, name, sv_dir, service_dir)
    sv_path = os.path.join(sv_dir, name)
    result["unit_path"] = sv_path
    linked = os.path.islink(mgr.link)
    status = mgr.status()

    if spec["state"] == "absent":
        actions = sm.plan_runit_absent(status, linked, os.path.isdir(sv_path))
        before = atomic.read_file(os.path.join(sv_path, "run")) or ""
        result["diff"] = {"before_header": sv_path + "/run", "after_header": sv_path + "/run", "before": before, "after": ""}
        result["actions"] = actions
        result["changed"] = bool(actions)
        if not module.check_mode:
            for action in actions:
                if action == "unlink":
                    os.unlink(mgr.link)
                elif action == "exit":
                    mgr.run("exit")
                    mgr.wait_gone()
                elif action == "remove-files":
                    atomic.remove_tree(sv_path)
                else:
                    mgr.run(action)
            status = mgr.status()
        result["status"] = status
        return

    warnings = result["warnings"]
    unsupported = runit.unsupported_options(spec)
    result["unsupported_options"] = unsupported
    if unsupported:
        warnings.append("runit cannot honour: %s" % "; ".join(unsupported))
    warnings.extend(runit.advisories(spec))
    check_identity(module, spec, warnings)
    result["binary"] = check_binary_or_warn(module, spec, warnings)
    mem = total_memory()
    result["derived_environment"] = dict(render.go_runtime_env(spec.get("limits"), spec.get("environment"), mem))

    files = runit.desired_files(spec, sv_dir, mem)
    if not spec["enabled"]:
        files.append((sv_path + "/down", b"", 0o644))
    wanted = set(f[0] for f in files)
    stale = []
    env_dir = sv_path + "/env"
    if os.path.isdir(env_dir):
        stale += [os.path.join(env_dir, n) for n in sorted(os.listdir(env_dir)) if os.path.join(env_dir, n) not in wanted]
    if spec["enabled"] and os.path.exists(sv_path + "/down"):
        stale.append(sv_path + "/down")
    to_write = [f for f in files if file_differs(f[0], f[1], f[2])]
    restart_worthy = [f for f in to_write if f[0] == sv_path + "/run" or f[0].startswith(env_dir + "/")] + \
        [s for s in stale if s.startswith(env_dir + "/")]
    log_changed = any(f[0] == sv_path + "/log/run" for f in to_write)

    run_text = files[0][1].decode("utf-8")
    before = atomic.read_file(sv_path + "/run")
    result["unit"] = run_text
    result["diff"] = {"before_header": sv_path + "/run", "after_header": sv_path + "/run",
                      "before": before or "", "after": run_text}
    actions = sm.plan_runit(status, spec["state"], linked and mgr.linked(), bool(restart_worthy))
    if log_changed and linked:
        actions.append("restart-log")
    result["actions"] = actions
    result["changed"] = bool(to_write or stale or actions)
    if module.check_mode:
        result["status"] = status
        return
    atomic.makedirs(sv_path, 0o755)
    atomic.makedirs(sv_path + "/log", 0o755)
    if not os.path.isdir(env_dir) and any(f[0].startswith(env_dir + "/") for f in files):
        os.mkdir(env_dir, 0o700)
    if os.path.isdir(env_dir):
        os.chmod(env_dir, 0o700)
    for path, data, mode in to_write:
        atomic.write_file(path, data, mode)
    for path in stale:
        os.unlink(path)
    # Linking a service that must stay stopped: a `down` file keeps runsv from starting it at
    # all; it goes again once runsv has read it, when the service is enabled.
    hold_down = "link" in actions and spec["state"] == "stopped" and spec["enabled"]
    for action in actions:
        if action == "link":
            if hold_down:
                atomic.write_file(sv_path + "/down", b"", 0o644)
            atomic.replace_symlink(sv_path, mgr.link)
        elif action == "wait-supervise":
            mgr.wait_supervised()
            if hold_down:
                os.unlink(sv_path + "/down")
        elif action == "restart-log":
            module.run_command([mgr.sv, "restart", sv_path + "/log"])
        else:
            mgr.run(action)
    if "up" in actions or "restart" in actions:
        status = mgr.wait_running(module.params["settle"])
    else:
        status = mgr.status()
    result["status"] = status


def main():
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
        mutually_exclusive=[("binary", "exec_start")],
    )
    result = dict(changed=False, actions=[], skipped_directives=[], unsupported_options=[],
                  derived_environment={}, warnings=[])
    try:
        spec = normalise(module)
        init = sm.detect_init_system(module, module.params["init_system"])
        result["init_system"] = init
        if init == "systemd":
            run_systemd(module, spec, result)
        else:
            run_runit(module, spec, result)
    except GofleetError as e:
        warnings = result.pop("warnings")
        for w in warnings:
            module.warn(w)
        result.pop("diff", None)
        module.fail_json(msg="systemd_gounit %s: %s" % (module.params["name"], e.message), **result)
    for w in result.pop("warnings"):
        module.warn(w)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
