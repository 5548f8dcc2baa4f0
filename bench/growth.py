# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Table 3 (growth with the work) and the module runner tables 3 and 4 share.

Mirrors: synthetic module versions (example.com/bench/mNNNN@v1.K.0, ten versions per module) laid out
as a GOPROXY tree by tests/mirror_fixtures.build_goproxy, built into a bundle by go_offline_mirror
state=built (file:// upstream, GOSUMDB off, no proxy), cached in .cache/bench/mirror-<N>-<recipe>.
Caches: trees of empty files in 256 directories (GOCACHE's shape) in the selinux image's container.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import benchlib as b

MIRROR_RECIPE = "v1"  # bump when the generated modules change
MODULE_PKG = "ansible_collections.gofleet.golang.plugins.modules."
LABEL_TASK = "label the cache"
# What selinux_gocache's restore pass does per entry once SELinux is enabled (selinux_labels.mislabelled):
# lstat, the policy's type for the path (matchpathcon), the file's current label (lgetfilecon).
WALK = r"""
import os, sys, time, selinux
root = sys.argv[1]
t0 = time.monotonic()
n = 0
for dirpath, dirnames, filenames in os.walk(root):
    for name in dirnames + filenames:
        path = os.path.join(dirpath, name)
        mode = os.lstat(path).st_mode
        try:
            selinux.matchpathcon(path, mode)
        except OSError:
            pass
        try:
            selinux.lgetfilecon(path)
        except OSError:
            pass
        n += 1
print(n, time.monotonic() - t0)
"""
MAKE_TREE = r"""
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
for i in range(256):
    os.makedirs(os.path.join(root, "%02x" % i), exist_ok=True)
for i in range(count):
    open(os.path.join(root, "%02x" % (i % 256), "%08x-a" % i), "w").close()
"""


def module(name, args, workdir):
    """Run a collection module as AnsiballZ does (python -m, args in a JSON file) from .build;
    Timed(run=result dict), cpu = user+sys of the module and its children."""
    fd, argfile = tempfile.mkstemp(prefix="args-", suffix=".json", dir=workdir)
    with os.fdopen(fd, "w") as f:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, f)
    env = b.ansible_run.ansible_env(PYTHONPATH=os.path.join(b.ROOT, ".build"))
    t = b.timed(subprocess.run, [sys.executable, "-m", MODULE_PKG + name, argfile], env=env, cwd=workdir,
                capture_output=True, text=True, check=False, timeout=3600)
    os.unlink(argfile)
    try:
        t.run = json.loads(t.run.stdout)
    except ValueError:
        raise b.BenchError("%s printed no JSON (rc=%s): %s" % (name, t.run.returncode, t.run.stderr[-2000:]))
    if t.run.get("failed"):
        raise b.BenchError("%s failed: %s" % (name, t.run.get("msg")))
    return t


def tar_x(tarball, dest):
    os.makedirs(dest)
    subprocess.run(["tar", "-xzf", tarball, "-C", dest], check=True)


def count_files(top):
    n = 0
    for _dirpath, _dirnames, filenames in os.walk(os.path.realpath(top)):
        n += len(filenames)
    return n


# -- mirrors ------------------------------------------------------------------------------------------------------------------
def go_root():
    import mirror_fixtures
    goroot = mirror_fixtures.extract_go(os.path.join(b.CACHE, "goroot"))
    if goroot is None:
        raise b.BenchError("Go tarball unavailable for building mirrors: run `make tarballs`")
    return str(goroot)


def mirror_bundle(versions, goroot):
    """(bundle, checksum) of a mirror of `versions` synthetic module versions, built once."""
    import mirror_fixtures
    d = os.path.join(b.CACHE, "mirror-%d-%s" % (versions, MIRROR_RECIPE))
    bundle = os.path.join(d, "gomirror.tar.gz")
    if not os.path.isfile(bundle + ".sha256"):
        shutil.rmtree(d, ignore_errors=True)
        b.progress("table 3: building a mirror of %d module versions (once, cached in %s)" % (versions, d))
        src = os.path.join(d, "src")
        reqs = []
        for i in range(versions):
            path, version = "example.com/bench/m%04d" % (i // 10), "v1.%d.0" % (i % 10)
            mod = os.path.join(src, "%s@%s" % (path, version))
            os.makedirs(mod)
            with open(os.path.join(mod, "go.mod"), "w") as f:
                f.write("module %s\n\ngo 1.21\n" % path)
            with open(os.path.join(mod, "m.go"), "w") as f:
                f.write("package m%04d\n\n// V is this version.\nconst V = %d\n" % (i // 10, i % 10))
            reqs.append("%s@%s" % (path, version))
        proxy = mirror_fixtures.build_goproxy(os.path.join(d, "upstream"), src=Path(src))
        work = os.path.join(d, "work")
        os.makedirs(work)
        module("go_offline_mirror", {"state": "built", "path": os.path.join(d, "built"), "requirements": reqs,
                                     "upstream": "file://%s" % proxy, "gosumdb": "off", "go": goroot + "/bin/go",
                                     "bundle": bundle}, work)
        shutil.rmtree(src)
        shutil.rmtree(os.path.join(d, "built"), ignore_errors=True)
        shutil.rmtree(work)
    with open(bundle + ".sha256") as f:
        return bundle, "sha256:" + f.read().split()[0]


def mirror_rows(cfg, tmp):
    goroot = go_root()
    rows = []
    prev = {}
    for n in cfg["mirrors"]:
        bundle, checksum = mirror_bundle(n, goroot)
        srv = os.path.join(tmp, "srv-%d" % n)
        work = tempfile.mkdtemp(prefix="mirror-", dir=tmp)
        b.progress("table 3: mirror of %d module versions" % n)
        args = {"state": "present", "path": srv, "bundle": bundle, "checksum": checksum}
        first = module("go_offline_mirror", args, work)
        files = count_files(os.path.join(srv, "current"))
        for verify in ("fast", "full"):
            runs = [module("go_offline_mirror", dict(args, verify=verify), work) for dummy in range(max(cfg["runs"], 1))]
            if any(t.run.get("changed") for t in runs):
                raise b.BenchError("go_offline_mirror no-op changed something: %s" % runs[-1].run.get("drift"))
            wall, cpu = b.median([t.wall for t in runs]), b.median([t.cpu for t in runs])
            slope = cslope = "-"
            if verify in prev and files > prev[verify][0]:
                pf, pw, pc = prev[verify]
                slope = "%.1f" % ((wall - pw) / (files - pf) * 1e6)
                cslope = "%.1f" % ((cpu - pc) / (files - pf) * 1e6)
            prev[verify] = (files, wall, cpu)
            rows.append(["go_offline_mirror", "%d versions" % n, str(files), "no-op, verify %s" % verify,
                         "%.2f" % wall, "%.2f" % cpu, "%.1f" % (wall / files * 1e6), slope, cslope, runs[-1].load])
        rows.append(["go_offline_mirror", "%d versions" % n, str(files), "fresh install (for scale)",
                     "%.2f" % first.wall, "%.2f" % first.cpu, "%.1f" % (first.wall / files * 1e6), "-", "-", first.load])
        shutil.rmtree(srv, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return rows


# -- SELinux labels ----------------------------------------------------------------------------------------------------------
def label_rows(cfg, tmp):
    eng = b.engine()
    image = b.ensure_image("selinux", b.harness.SELINUX_IMAGE)
    rows = []
    prev = {}
    with eng.container(image, network="none", command=["sleep", "infinity"]) as c:
        inv = b.inventory(os.path.join(tmp, "selinux.json"), {c.name: b.podman_hostvars(c)})
        for n in cfg["caches"]:
            root = "/var/cache/bench-%d" % n
            b.progress("table 3: selinux_gocache over %d files" % n)
            c.exec(["python3", "-c", MAKE_TREE, root, str(n)], timeout=1800)
            plays = [{"hosts": "all", "gather_facts": False, "tasks": [{
                "name": LABEL_TASK, "gofleet.golang.selinux_gocache": {"path": [root], "ignore_selinux_state": True}}]}]
            b.play(plays, inventory=inv, workdir=tmp, hosts=[c.name])  # adds the rule
            runs = [b.play(plays, inventory=inv, workdir=tmp, hosts=[c.name]) for dummy in range(max(cfg["runs"], 1))]
            if any(b.changed(t) for t in runs):
                raise b.BenchError("selinux_gocache no-op changed something")
            secs = b.median([b.task_seconds(t, LABEL_TASK) for t in runs])
            entries = n + 256 + 1
            slope = "-"
            if "module" in prev and entries > prev["module"][0]:
                slope = "%.1f" % ((secs - prev["module"][1]) / (entries - prev["module"][0]) * 1e6)
            prev["module"] = (entries, secs)
            rows.append(["selinux_gocache", "%d files" % n, str(entries), "no-op (task time, podman)",
                         "%.2f" % secs, "-", "%.1f" % (secs / entries * 1e6), slope, "-", runs[-1].load])
            out = c.exec(["python3", "-c", WALK, root], timeout=1800).stdout.split()
            walked, wsecs = int(out[0]), float(out[1])
            slope = "-"
            if "walk" in prev and walked > prev["walk"][0]:
                slope = "%.1f" % ((wsecs - prev["walk"][1]) / (walked - prev["walk"][0]) * 1e6)
            prev["walk"] = (walked, wsecs)
            rows.append(["selinux walk (estimate)", "%d files" % n, str(walked), "lstat+matchpathcon+lgetfilecon",
                         "%.2f" % wsecs, "-", "%.1f" % (wsecs / walked * 1e6), slope, "-", b.load1()])
            c.exec(["rm", "-rf", root], timeout=1800)
    return rows


def table_growth(cfg, tmp):
    rows = mirror_rows(cfg, tmp) + label_rows(cfg, tmp)
    b.table("3. growth with the work: no-op cost as the tree grows (%s)" % b.load(),
            ["module", "size", "files", "run", "wall_s", "cpu_s", "us/file", "marginal us/file", "marginal cpu us/file",
             "load1"], rows,
            ["go_offline_mirror: run as a module on this machine (python -m from .build, as AnsiballZ runs it),",
             "  state=present into a local directory; files = regular files of the release; median of BENCH_RUNS.",
             "selinux_gocache: in the selinux image's container (no network), through ansible-playbook over podman;",
             "  seconds = the task's time (includes ~0.5 s of connection and module transfer). SELinux is disabled",
             "  in this kernel, so the module adds its rule and skips the relabel walk: its no-op is flat. The",
             "  'selinux walk (estimate)' row times what that walk does per entry (in the same container, python3-selinux).",
             "marginal = (wall - wall of the previous size) / (files - files of the previous size): the per-file",
             "  growth without the fixed start-up (cpu: the same from CPU seconds, steadier under load).",
             "  Target: linear, <= 20 us/file for verify fast."])
