# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""gofleet's benchmark: four tables, every ratio measured in this one invocation (`make bench`).

  1. role level: gofleet.golang.toolchain vs bench/roles/baseline_go, over SSH and over podman
  2. fleet scale: provision_toolchain.yml from one bundle over 1..20 no-network containers
  3. growth with the work: no-op of go_offline_mirror and selinux_gocache as the tree grows
  4. the floor: go_toolchain's fresh install in CPU seconds beside tar -xzf of the same tarball

Sizes: BENCH_QUICK=1 (smoke run), BENCH_RUNS, BENCH_FLEET, BENCH_MIRRORS, BENCH_CACHES, BENCH_FLOOR_RUNS,
BENCH_CONNECTIONS, BENCH_TABLES (see bench/README.md). Results are printed, never asserted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import sys
import tempfile
import time

import benchlib as b
import growth

ROLE_PLAYS = {
    "gofleet": [{"name": "gofleet.golang.toolchain", "hosts": "all", "gather_facts": False,
                 "roles": [{"role": "gofleet.golang.toolchain"}]}],
    "baseline": [{"name": "baseline_go", "hosts": "all", "gather_facts": False,
                  "roles": [{"role": "baseline_go"}]}],
}
# Where each role puts the GOROOT (its defaults): the drift row deletes bin/gofmt there.
GOROOT = {"gofleet": "/usr/local/lib/go/go%s" % b.VERSION, "baseline": "/opt/go/go%s" % b.VERSION}
SCENARIOS = (("converge", {}), ("no-op", {}), ("check+diff", {"check": True, "diff": True}),
             ("drift check", {"check": True, "diff": True}))


def role_vars(tool, tarball, digest):
    if tool == "gofleet":
        return {"toolchain_version": b.VERSION, "toolchain_src": tarball, "toolchain_checksum": "sha256:" + digest}
    return {"baseline_go_version": b.VERSION, "baseline_go_src": tarball}


# -- 1 -------------------------------------------------------------------------------------------------------------------
def table_roles(cfg, tmp):
    tarball, digest = b.tarball()
    eng = b.engine()
    rec = {}  # (connection, tool, scenario) -> [Timed]
    tasks = {}
    env = {"ANSIBLE_ROLES_PATH": os.path.join(b.BENCH, "roles")}
    for rep in range(cfg["runs"]):
        for conn in cfg["connections"]:
            b.progress("table 1: %s, repetition %d/%d" % (conn, rep + 1, cfg["runs"]))
            if conn == "ssh":
                fleet = b.SshFleet(eng, 2)
                hosts = fleet.containers
                hostvars = fleet.hostvars
                cenv = dict(env, **b.ssh_env(tmp))
            elif conn == "podman":
                fleet = None
                hosts = b.start(eng, b.ensure_image("base", harness_base()), 2, network="none", systemd=True)
                hostvars = b.podman_hostvars
                cenv = env
            else:
                raise b.BenchError("BENCH_CONNECTIONS: unknown connection %r (ssh, podman)" % conn)
            try:
                order = ("baseline", "gofleet") if rep % 2 == 0 else ("gofleet", "baseline")
                for tool, host in zip(order, hosts):
                    inv = b.inventory(os.path.join(tmp, "inv-%s-%s.json" % (conn, tool)), {host.name: hostvars(host)})
                    ev = [role_vars(tool, tarball, digest)]
                    for name, kw in SCENARIOS:
                        if name == "drift check":
                            host.exec(["rm", "-f", GOROOT[tool] + "/bin/gofmt"])
                        t = b.play(ROLE_PLAYS[tool], inventory=inv, extra_vars=ev, workdir=tmp, env=cenv,
                                   hosts=[host.name], **kw)
                        rec.setdefault((conn, tool, name), []).append(t)
                        tasks[(conn, tool, name)] = b.tasks_run(t, host.name)
            finally:
                if fleet:
                    fleet.close()
                else:
                    b.remove(hosts)
    b.close_ssh_masters()
    rows = []
    for conn in cfg["connections"]:
        for name, _kw in SCENARIOS:
            base, gof = rec[(conn, "baseline", name)], rec[(conn, "gofleet", name)]
            bw, gw = b.median([t.wall for t in base]), b.median([t.wall for t in gof])
            bc, gc = b.median([t.cpu for t in base]), b.median([t.cpu for t in gof])
            rows.append([conn, name, "%.1f" % bw, "%.1f" % gw, b.ratio(gw, bw), "%.1f" % bc, "%.1f" % gc,
                         b.ratio(gc, bc), "%d/%d" % (b.changed(base[-1]), b.changed(gof[-1])),
                         "%d/%d" % tasks[(conn, "baseline", name)], "%d/%d" % tasks[(conn, "gofleet", name)],
                         base[-1].load])
    b.table("1. role level: gofleet.golang.toolchain vs baseline_go role (median of %d run(s); %s)" % (cfg["runs"], b.load()),
            ["connection", "scenario", "base_s", "gofl_s", "ratio_s", "base_cpu", "gofl_cpu", "ratio_cpu",
             "changed b/g", "tasks b", "tasks g", "load1"], rows,
            ["ratio = gofleet / baseline (target: no-op <= 0.30x, converge <= 0.50x).",
             "_s: wall seconds of ansible-playbook; _cpu: controller CPU seconds (user+sys of ansible-playbook",
             "  and its children). tasks: ran/in the play. drift check: bin/gofmt deleted, then --check --diff:",
             "  changed shows who sees it. ssh: key auth, pipelining, ControlPersist (bench/ansible.cfg), sshd in",
             "  containers on an --internal network, reached through 127.0.0.1 forwarders; podman: podman exec."])


def harness_base():
    return b.harness.BASE_IMAGE


# -- 2 ---------------------------------------------------------------------------------------------------------------------
def fleet_bundle():
    """The fleet bundle for go1.22.12 amd64, built once with playbooks/bundle_build.yml and kept in .cache/bench
    under a key of the tarball's sum and the bundle code."""
    import bundle_fixtures
    import hashlib
    _path, digest = b.tarball()
    h = hashlib.sha256(digest.encode())
    for rel in ("plugins/module_utils/fleet_bundle.py", "plugins/module_utils/fleet_build.py",
                "plugins/action/bundle_build.py", "playbooks/bundle_build.yml"):
        with open(os.path.join(b.ROOT, rel), "rb") as f:
            h.update(f.read())
    dest = os.path.join(b.CACHE, "bundle-%s" % h.hexdigest()[:16], "bundle")
    if not os.path.isfile(os.path.join(dest, "SHA256SUMS")):
        shutil.rmtree(os.path.dirname(dest), ignore_errors=True)
        os.makedirs(os.path.dirname(dest))
        b.progress("table 2: building the fleet bundle (once, cached in %s)" % os.path.dirname(dest))
        bundle_fixtures.build_bundle(dest, [(b.VERSION, "amd64")])
    return dest


def table_fleet(cfg, tmp):
    eng = b.engine()
    image = b.ensure_image("base", harness_base())
    bundle = fleet_bundle()
    playbook = os.path.join(b.ROOT, "playbooks", "provision_toolchain.yml")
    res = {}
    for n in cfg["fleet"]:
        b.progress("table 2: %d host(s)" % n)
        # PID 1 is sleep: the toolchain role needs no init, and 20 booting systemds would be measured too.
        hosts = b.start(eng, image, n, network="none", command=["sleep", "infinity"])
        try:
            inv = b.inventory(os.path.join(tmp, "fleet-%d.json" % n), dict((c.name, b.podman_hostvars(c)) for c in hosts),
                              group="go_hosts")
            env = {"ANSIBLE_FORKS": str(max(20, n))}
            names = [c.name for c in hosts]
            fresh = b.play(playbook, inventory=inv, extra_vars=[{"gofleet_bundle_dir": bundle}], workdir=tmp, env=env,
                           hosts=names)
            noop = b.play(playbook, inventory=inv, extra_vars=[{"gofleet_bundle_dir": bundle}], workdir=tmp, env=env,
                          hosts=names)
            res[n] = (fresh, noop, b.load1())
        finally:
            b.remove(hosts)
    one = res[cfg["fleet"][0]]
    rows = []
    for n in cfg["fleet"]:
        fresh, noop, load = res[n]
        rows.append([str(n), "%.1f" % fresh.wall, b.ratio(fresh.wall, one[0].wall), "%.2f" % (fresh.cpu / n),
                     "%.1f" % noop.wall, b.ratio(noop.wall, one[1].wall), "%.2f" % (noop.cpu / n),
                     b.ratio(noop.cpu / n, one[1].cpu), str(b.changed(noop)), load])
    b.table("2. fleet scale: playbooks/provision_toolchain.yml from one bundle, podman connection, no-network "
            "containers, forks >= 20 (%s)" % b.load(),
            ["hosts", "fresh_s", "fresh/N=%d" % cfg["fleet"][0], "fresh_cpu/host", "noop_s", "noop/N=%d" % cfg["fleet"][0],
             "noop_cpu/host", "cpu/host vs N=%d" % cfg["fleet"][0], "noop changed", "load1"], rows,
            ["_s: wall seconds of the play; _cpu/host: controller CPU seconds of ansible-playbook and its children",
             "  (podman exec included) divided by the hosts. Targets: 20-host no-op <= 2x the 1-host no-op;",
             "  controller CPU per host per no-op <= 0.3 s."])


# -- 4 ----------------------------------------------------------------------------------------------------------------------
def table_floor(cfg, tmp):
    tarball, digest = b.tarball()
    base = tempfile.mkdtemp(prefix="floor-", dir=b.CACHE)  # one filesystem for both, not tmpfs
    mod, tar, noop_fast, noop_full = [], [], [], []
    try:
        b.sha256_warm(tarball)
        for i in range(cfg["floor_runs"]):
            b.progress("table 4: run %d/%d" % (i + 1, cfg["floor_runs"]))
            node = os.path.join(base, "node")
            args = {"version": b.VERSION, "src": tarball, "checksum": "sha256:" + digest,
                    "install_root": os.path.join(node, "lib"), "link": os.path.join(node, "go"),
                    "bin_dir": os.path.join(node, "bin")}
            untar = os.path.join(base, "tar")
            steps = [("module", lambda: mod.append(growth.module("go_toolchain", args, base))),
                     ("tar", lambda: tar.append(b.timed(growth.tar_x, tarball, untar)))]
            for _name, step in (steps if i % 2 == 0 else steps[::-1]):
                step()
            noop_fast.append(growth.module("go_toolchain", dict(args, verify="fast"), base))
            noop_full.append(growth.module("go_toolchain", dict(args, verify="full"), base))
            for t in mod[-1:] + noop_fast[-1:] + noop_full[-1:]:
                if t.run.get("failed"):
                    raise b.BenchError("go_toolchain failed: %s" % t.run.get("msg"))
            shutil.rmtree(node)
            shutil.rmtree(untar)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    tar_cpu = b.median([t.cpu for t in tar])
    tar_wall = b.median([t.wall for t in tar])
    rows = []
    for name, ts in (("tar -xzf", tar), ("go_toolchain fresh install", mod), ("go_toolchain no-op, verify fast", noop_fast),
                     ("go_toolchain no-op, verify full", noop_full)):
        cpu, wall = b.median([t.cpu for t in ts]), b.median([t.wall for t in ts])
        rows.append([name, "%.2f" % cpu, b.ratio(cpu, tar_cpu), "%.1f" % wall, b.ratio(wall, tar_wall),
                     "%s" % (ts[-1].run.get("changed", "-") if isinstance(ts[-1].run, dict) else "-"), ts[-1].load])
    b.table("4. the floor: go_toolchain (run as a module, connection-free) beside tar -xzf of the same tarball into "
            "the same filesystem (median of %d; %s)" % (cfg["floor_runs"], b.load()),
            ["what", "cpu_s", "cpu vs tar", "wall_s", "wall vs tar", "changed", "load1"], rows,
            ["cpu_s: user+sys of the process and its children (rusage). Target: fresh install <= 1.10x tar in CPU.",
             "Wall swings 2x from run to run on this disk; the CPU ratio is the figure that counts."])


def main():
    try:
        cfg = b.sizes()
    except b.BenchError as e:
        print("bench failed: %s" % e, file=sys.stderr)
        return 2
    started = time.monotonic()
    os.makedirs(b.CACHE, exist_ok=True)
    print("gofleet bench, %s, on %s" % (b.now(), b.machine()))
    print("mode: %s; %s at start" % ("quick (BENCH_QUICK=1)" if cfg["quick"] else "full", b.load()))
    print("sizes: runs=%d connections=%s fleet=%s mirrors=%s caches=%s floor_runs=%d" % (
        cfg["runs"], ",".join(cfg["connections"]), cfg["fleet"], cfg["mirrors"], cfg["caches"], cfg["floor_runs"]))
    sys.stdout.flush()
    tmp = tempfile.mkdtemp(prefix="gofleet-bench-")
    tables = {1: table_roles, 2: table_fleet, 3: growth.table_growth, 4: table_floor}
    rc = 0
    try:
        for n in cfg["tables"]:
            t0 = time.monotonic()
            try:
                tables[n](cfg, tmp)
            except (b.BenchError, b.harness.CommandError, RuntimeError, LookupError, AssertionError) as e:
                print("\n== %d. FAILED: %s" % (n, str(e)[:4000]))
                rc = 1
            print("  (table %d took %.0f s; %s at its end)" % (n, time.monotonic() - t0, b.load()))
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\nbench wall time: %.0f s (%s)" % (time.monotonic() - started, "quick" if cfg["quick"] else "full"))
    return rc


if __name__ == "__main__":
    sys.exit(main())
