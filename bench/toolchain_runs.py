# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time gofleet.golang.go_toolchain against a typical `unarchive + creates` Go install.

Run by `make bench` as `.venv/bin/python bench/toolchain_runs.py [-n N] [--version V]`.

Everything happens in ONE invocation on this machine: ansible-playbook with connection local
into a temporary root (install_root, link and bin_dir all under a tmp dir), for both
bench/baseline_playbook.yml and bench/gofleet_playbook.yml, with the same tarball and checksum.
Each repetition runs, per tool, on a fresh root:

  fresh         first converge on an empty root
  noop          the same play again, nothing to do
  noop_full     gofleet with verify=full (sha256 of every file); compared to the baseline's noop
  check_diff    --check --diff on the clean tree (what a scheduled drift check costs)
  drift_check   bin/gofmt deleted and src/fmt/print.go appended to, then --check --diff
  drift_rerun   the real re-run on that drifted tree

Wall-clock is the whole ansible-playbook process (startup included), median of N repetitions.
`changed` comes from the play recap; `repaired` is checked on disk after drift_rerun: bin/gofmt
is back and src/fmt/print.go and bin/gofmt are byte-equal to a pristine extraction from the tarball.
Nothing is written outside the tmp dir, which is removed at the end. Results are printed only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import hashlib
import os
import resource
import shutil
import statistics
import sys
import tarfile
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
ARTIFACTS = os.path.join(ROOT, ".cache", "artifacts")

# The one ansible-playbook runner of this working tree, with the environment every run gets (tests use it too).
sys.path.insert(0, os.path.join(ROOT, "tests", "harness"))
import ansible_run  # noqa: E402  (tests/harness/ansible_run.py)

PLAYBOOKS = {
    "baseline": os.path.join(BENCH, "baseline_playbook.yml"),
    "gofleet": os.path.join(BENCH, "gofleet_playbook.yml"),
}
TOOLS = ("baseline", "gofleet")
# Members a drift scenario damages; both are compared against the tarball after the re-run.
GOFMT = "bin/gofmt"
PRINT_GO = "src/fmt/print.go"
SCENARIOS = ("fresh", "noop", "noop_full", "check_diff", "drift_check", "drift_rerun")
# The baseline has no verify=full; its noop run is the reference for gofleet's noop_full.
BASELINE_FOR = {"noop_full": "noop"}

# Measured elsewhere (shared notes /work/shared/notes/containers.md, "The anchor to beat"):
# gantsign.golang in a Debian 12 container over the podman exec connection, same tarball.
ANCHOR = [
    "gantsign.golang (NOT measured in this run; from /work/shared/notes/containers.md, measured in a",
    "  Debian 12 container over the podman exec connection, same tarball, so not directly comparable",
    "  to the connection-local numbers above):",
    "  fresh converge 21.3 s with 13 tasks; no-op re-run 14.0 s with 12 tasks;",
    "  after deleting bin/gofmt and editing src/fmt/print.go its re-run reports changed=0 and repairs nothing.",
]


class BenchError(Exception):
    pass


def find_tarball(version):
    name = "go%s.linux-amd64.tar.gz" % version
    path = os.path.join(ARTIFACTS, name)
    sums = os.path.join(ARTIFACTS, "SHA256SUMS")
    if not os.path.isfile(path):
        raise BenchError("tarball missing: %s (run `make tarballs`)" % path)
    digest = None
    if os.path.isfile(sums):
        with open(sums) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[1].lstrip("*") == name:
                    digest = parts[0].lower()
    if digest is None:
        raise BenchError("%s is not listed in %s" % (name, sums))
    return path, digest


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def pristine_members(tarball, dest):
    """Extract the members the drift scenario damages, untouched, into dest; return {rel: bytes}."""
    wanted = {"go/" + GOFMT: GOFMT, "go/" + PRINT_GO: PRINT_GO}
    found = {}
    with tarfile.open(tarball, "r:gz") as tf:
        for member in tf:
            rel = wanted.get(member.name)
            if rel is None or not member.isfile():
                continue
            data = tf.extractfile(member).read()
            found[rel] = data
            out = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "wb") as f:
                f.write(data)
            if len(found) == len(wanted):
                break
    missing = set(wanted.values()) - set(found)
    if missing:
        raise BenchError("%s lacks %s" % (tarball, ", ".join(sorted(missing))))
    return found


def run_play(tool, extra_vars, tmp, check=False, diff=False):
    """Run one playbook; return (seconds, changed, tasks_total, tasks_run, cpu_seconds)."""
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    try:
        played = ansible_run.run(PLAYBOOKS[tool], extra_vars=[extra_vars], check=check, diff=diff, workdir=tmp,
                                 timeout=None, env={"ANSIBLE_LOCAL_TEMP": os.path.join(tmp, "ansible-local"),
                                                    "ANSIBLE_REMOTE_TEMP": os.path.join(tmp, "ansible-remote")})
    except AssertionError as e:
        raise BenchError("%s play gave no JSON recap: %s" % (tool, e))
    proc = played.proc
    seconds = time.monotonic() - start
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    # user+sys of ansible-playbook and everything it waited for (workers, modules, tar):
    # far less sensitive than wall-clock to other load on the machine.
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    stats = played.stats.get("localhost")
    if stats is None:
        raise BenchError("%s play gave no recap for localhost (rc=%s):\n%s\n%s"
                         % (tool, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    if proc.returncode != 0 or stats.get("failures") or stats.get("unreachable"):
        raise BenchError("%s play failed (rc=%s):\n%s\n%s"
                         % (tool, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    results = played.task_results("localhost")
    tasks_run = sum(1 for r in results if not r.get("skipped"))
    return seconds, stats["changed"], len(results), tasks_run, cpu


def goroot_of(root, version):
    # Both lay a version out as <install_root>/go<version> with the tarball's go/ stripped.
    return os.path.join(root, "lib", "go%s" % version)


def make_drift(goroot):
    gofmt = os.path.join(goroot, GOFMT)
    if not os.path.lexists(gofmt):
        raise BenchError("nothing to drift: %s missing before the drift" % gofmt)
    os.unlink(gofmt)
    with open(os.path.join(goroot, PRINT_GO), "a") as f:
        f.write("\n// drift: local edit the bench made\n")


def is_repaired(goroot, pristine):
    for rel, data in pristine.items():
        path = os.path.join(goroot, rel)
        if not os.path.isfile(path):
            return False
        with open(path, "rb") as f:
            if f.read() != data:
                return False
    return True


def one_repetition(tool, tmp, version, tarball, digest, pristine, rec):
    """Run every scenario for tool on a fresh root; append into rec[scenario]."""
    root = tempfile.mkdtemp(prefix="%s-" % tool, dir=tmp)
    try:
        os.makedirs(os.path.join(root, "bin"))
        ev = {
            "go_version": version,
            "go_tarball": tarball,
            "go_checksum": "sha256:" + digest,
            "go_install_root": os.path.join(root, "lib"),
            "go_link": os.path.join(root, "go"),
            "go_bin_dir": os.path.join(root, "bin"),
            "go_verify": "fast",
        }
        goroot = goroot_of(root, version)

        def record(scenario, res, repaired=None):
            rec[scenario].append({"s": res[0], "changed": res[1], "total": res[2], "run": res[3],
                                  "cpu": res[4], "repaired": repaired})

        record("fresh", run_play(tool, ev, tmp))
        if not os.path.isfile(os.path.join(goroot, "bin", "go")):
            raise BenchError("%s fresh run left no %s/bin/go" % (tool, goroot))
        record("noop", run_play(tool, ev, tmp))
        if tool == "gofleet":
            record("noop_full", run_play(tool, dict(ev, go_verify="full"), tmp))
        record("check_diff", run_play(tool, ev, tmp, check=True, diff=True))
        make_drift(goroot)
        record("drift_check", run_play(tool, ev, tmp, check=True, diff=True))
        res = run_play(tool, ev, tmp)
        record("drift_rerun", res, is_repaired(goroot, pristine))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def median(values):
    return statistics.median(values) if values else None


def fmt_s(v):
    return "-" if v is None else "%.2f" % v


def fmt_changed(samples):
    vals = sorted(set(s["changed"] for s in samples))
    return "-" if not vals else "/".join(str(v) for v in vals)


def fmt_repaired(samples):
    vals = [s["repaired"] for s in samples if s["repaired"] is not None]
    if not vals:
        return "-"
    if all(vals):
        return "yes"
    if not any(vals):
        return "no"
    return "%d/%d" % (sum(vals), len(vals))


def report(recs, n, version, tarball, elapsed):
    print()
    print("gofleet bench: go%s, %s, connection local, tmp roots, median of %d run(s)"
          % (version, os.path.basename(tarball), n))
    try:
        print("host: %d cpu(s), load average %s" % (os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
    except OSError:
        pass
    print()
    head = "%-12s %11s %10s %27s %17s %16s %20s" % (
        "scenario", "baseline_s", "gofleet_s", "ratio(gofleet/baseline)", "baseline_changed",
        "gofleet_changed", "repaired(base/gofl)")
    print(head)
    print("-" * len(head))
    for sc in SCENARIOS:
        b = recs["baseline"].get(BASELINE_FOR.get(sc, sc), [])
        g = recs["gofleet"].get(sc, [])
        bs = median([s["s"] for s in b])
        gs = median([s["s"] for s in g])
        ratio = "-" if not bs or gs is None else "%.2fx" % (gs / bs)
        name = sc + ("*" if sc in BASELINE_FOR else "")
        bch = fmt_changed(b) if sc not in BASELINE_FOR else "(noop)"
        rep = "-" if sc != "drift_rerun" else "%s/%s" % (fmt_repaired(b), fmt_repaired(g))
        print("%-12s %11s %10s %27s %17s %16s %20s" % (name, fmt_s(bs), fmt_s(gs), ratio, bch, fmt_changed(g), rep))
    print()
    print("* noop_full is gofleet with verify=full; the baseline has no such mode, its noop time is the reference.")
    print()
    print("cpu seconds (user+sys of ansible-playbook and its children, median; steadier than wall-clock under load):")
    for sc in SCENARIOS:
        b = recs["baseline"].get(BASELINE_FOR.get(sc, sc), [])
        g = recs["gofleet"].get(sc, [])
        bc = median([s["cpu"] for s in b])
        gc = median([s["cpu"] for s in g])
        ratio = "-" if not bc or gc is None else "%.2fx" % (gc / bc)
        print("  %-12s baseline %6s  gofleet %6s  ratio %s" % (sc, fmt_s(bc), fmt_s(gc), ratio))
    print()
    print("task counts (tasks in the play / tasks that ran, i.e. not skipped; gather_facts off in both):")
    for tool in TOOLS:
        parts = []
        for sc in ("fresh", "noop", "drift_rerun"):
            s = recs[tool].get(sc)
            if s:
                parts.append("%s %d/%d" % (sc, s[0]["total"], s[0]["run"]))
        print("  %-9s %s" % (tool, ", ".join(parts)))
    print()
    print("samples (seconds, every run, in order):")
    for tool in TOOLS:
        for sc in SCENARIOS:
            s = recs[tool].get(sc)
            if s:
                wall = " ".join("%.2f" % x["s"] for x in s)
                cpu = " ".join("%.2f" % x["cpu"] for x in s)
                print("  %-9s %-12s wall %s   cpu %s" % (tool, sc, wall, cpu))
    print()
    print("reference, measured elsewhere:")
    for line in ANCHOR:
        print("  " + line)
    print()
    print("bench wall time: %.1f s" % elapsed)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("-n", "--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")),
                    help="repetitions per scenario; the median is printed (default 3, or $BENCH_RUNS)")
    ap.add_argument("--version", default="1.22.12", help="Go version of the tarball in .cache/artifacts")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    started = time.monotonic()
    try:
        tarball, digest = find_tarball(args.version)
        if sha256_file(tarball) != digest:  # also warms the page cache for both tools alike
            raise BenchError("%s does not match its SHA256SUMS entry" % tarball)
        tmp = tempfile.mkdtemp(prefix="gofleet-bench-")
        try:
            pristine = pristine_members(tarball, os.path.join(tmp, "pristine"))
            recs = {tool: {sc: [] for sc in SCENARIOS} for tool in TOOLS}
            for i in range(args.runs):
                # Alternate who goes first so neither tool always gets the warmer cache.
                order = TOOLS if i % 2 == 0 else tuple(reversed(TOOLS))
                for tool in order:
                    print("run %d/%d: %s ..." % (i + 1, args.runs, tool), file=sys.stderr)
                    sys.stderr.flush()
                    one_repetition(tool, tmp, args.version, tarball, digest, pristine, recs[tool])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except BenchError as e:
        print("bench failed: %s" % e, file=sys.stderr)
        return 1
    report(recs, args.runs, args.version, tarball, time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
