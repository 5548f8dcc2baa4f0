# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every table of bench/run.py shares: sizes, timed runs, containers, SSH, printing.

Timed runs measure wall-clock (time.monotonic around the process) and controller CPU: the
RUSAGE_CHILDREN delta around one ansible-playbook (or tar, or module) process, i.e. user+sys of it and
of every process it waited for (workers, ssh clients, `podman exec`, modules run locally, tar).
Nothing else runs as a child of this process while one is timed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import platform
import resource
import select
import shutil
import socket
import subprocess
import sys
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
CACHE = os.path.join(ROOT, ".cache", "bench")
ARTIFACTS = os.environ.get("GOFLEET_ARTIFACTS") or os.path.join(ROOT, ".cache", "artifacts")

# The tree's one ansible-playbook runner and container harness; the fixtures of tests/ (which reach the
# collection's module_utils through .build, the installed-collection path the harness uses).
for _p in (os.path.join(ROOT, "tests", "harness"), os.path.join(ROOT, "tests"), os.path.join(ROOT, ".build")):
    if _p not in sys.path:
        sys.path.insert(0, _p)
import ansible_run  # noqa: E402  (tests/harness/ansible_run.py)
import engine as harness  # noqa: E402  (tests/harness/engine.py)

VERSION = "1.22.12"
SSH_IMAGE = "localhost/gofleet/debian-ssh:12"


class BenchError(Exception):
    pass


# -- sizes -------------------------------------------------------------------------------------------------------
def _ints(name, default):
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return [int(x) for x in raw.replace(",", " ").split()]
    except ValueError:
        raise BenchError("%s must be numbers separated by commas, got %r" % (name, raw))


def sizes():
    """The run's sizes: the full run, BENCH_QUICK=1 the smoke run; each list overridable by its variable."""
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    return {
        "quick": quick,
        "runs": _ints("BENCH_RUNS", [1])[0],
        "fleet": _ints("BENCH_FLEET", [1, 2] if quick else [1, 5, 10, 20]),
        "mirrors": _ints("BENCH_MIRRORS", [10, 100] if quick else [10, 100, 1000]),
        "caches": _ints("BENCH_CACHES", [100, 1000] if quick else [1000, 10000, 100000]),
        "floor_runs": _ints("BENCH_FLOOR_RUNS", [1] if quick else [3])[0],
        "connections": (os.environ.get("BENCH_CONNECTIONS") or "ssh,podman").split(","),
        "tables": _ints("BENCH_TABLES", [1, 2, 3, 4]),
    }


# -- the machine ---------------------------------------------------------------------------------------------------
def load():
    """'load 1.23 0.98 0.50 / nproc 2': the load average, with the number of CPUs to read it against."""
    try:
        avg = " ".join("%.2f" % x for x in os.getloadavg())
    except OSError:
        avg = "?"
    return "load %s / nproc %d" % (avg, os.cpu_count() or 0)


def load1():
    try:
        return "%.1f" % os.getloadavg()[0]
    except OSError:
        return "?"


def machine():
    return "%s, %s, %s, %d cpu(s), %s" % (socket.gethostname(), platform.platform(), platform.machine(),
                                          os.cpu_count() or 0, _mem())


def _mem():
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        return "%.0f GiB RAM" % (kb / 1024.0 / 1024.0)
    except (OSError, ValueError, IndexError):
        return "RAM ?"


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def progress(msg):
    print("bench: %s [%s]" % (msg, load()), file=sys.stderr)
    sys.stderr.flush()


# -- artifacts -------------------------------------------------------------------------------------------------------
def tarball(version=VERSION):
    """(path, sha256) of this machine's Go tarball from .cache/artifacts and its SHA256SUMS."""
    from ansible_collections.gofleet.golang.plugins.module_utils.artifact import parse_sha256sums
    from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import tarball_arch
    name = "go%s.linux-%s.tar.gz" % (version, tarball_arch())
    path = os.path.join(ARTIFACTS, name)
    sums = os.path.join(ARTIFACTS, "SHA256SUMS")
    if not os.path.isfile(path) or not os.path.isfile(sums):
        raise BenchError("tarball missing: %s or %s (run `make tarballs`)" % (path, sums))
    with open(sums) as f:
        digest = parse_sha256sums(f.read(), sums).get(name)
    if not digest:
        raise BenchError("%s is not listed in %s" % (name, sums))
    return path, digest


def sha256_warm(path):
    """Read the file once (the page cache then holds it for every contender alike)."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


# -- timed processes ---------------------------------------------------------------------------------------------------
class Timed(object):
    """wall, cpu (user+sys of the process and its children), and the run (a PlayRun or CompletedProcess)."""

    def __init__(self, wall, cpu, run):
        self.wall, self.cpu, self.run = wall, cpu, run
        self.load = load1()  # the 1-minute load average when it ended, printed beside the figure


def timed(fn, *args, **kwargs):
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = fn(*args, **kwargs)
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Timed(wall, (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime), out)


def play(playbook, inventory=None, extra_vars=(), check=False, diff=False, workdir=None, env=None, hosts=None):
    """One timed ansible-playbook run that must succeed on every host; Timed(run=PlayRun)."""
    t = timed(ansible_run.run, playbook, inventory=inventory, extra_vars=extra_vars, check=check, diff=diff,
              workdir=workdir, timeout=3600, env=env)
    played = t.run
    bad = [h for h, s in played.stats.items() if s.get("failures") or s.get("unreachable")]
    missing = [h for h in (hosts or []) if h not in played.stats]
    if played.proc.returncode != 0 or bad or missing:
        raise BenchError("%s failed (rc=%s, hosts failed %s, missing %s):\n%s\n%s" % (
            playbook if isinstance(playbook, str) else "play", played.proc.returncode, bad, missing,
            _failed_msgs(played.report)[:3000], played.proc.stderr[-2000:]))
    return t


def _failed_msgs(report):
    out = []
    for p in report.get("plays", []):
        for task in p["tasks"]:
            for host, res in task["hosts"].items():
                if res.get("failed") or res.get("unreachable"):
                    out.append("%s | %s | %s" % (host, task["task"]["name"], res.get("msg", "")))
    return "\n".join(out)


def changed(t):
    return sum(s.get("changed", 0) for s in t.run.stats.values())


def tasks_run(t, host):
    results = t.run.task_results(host)
    return len([r for r in results if not r.get("skipped")]), len(results)


def task_seconds(t, name):
    """Wall seconds of the task called `name` (the json callback's start/end), summed over plays."""
    total = 0.0
    found = False
    for p in t.run.report["plays"]:
        for task in p["tasks"]:
            if task["task"]["name"] == name:
                d = task["task"]["duration"]
                total += (_ts(d["end"]) - _ts(d["start"])).total_seconds()
                found = True
    if not found:
        raise BenchError("no task %r in the report" % name)
    return total


def _ts(text):
    return datetime.datetime.strptime(text.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")


def ratio(a, b):
    return "-" if not b or a is None else "%.2fx" % (a / b)


def median(values):
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2.0


# -- printing ------------------------------------------------------------------------------------------------------------
def table(title, header, rows, notes=()):
    """Print a titled, aligned table (every cell a string) and its notes."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, header))
    print()
    print("== %s" % title)
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join("%-*s" % (w, c) if i == 0 else "%*s" % (w, c) for i, (w, c) in enumerate(zip(widths, r))))
    for n in notes:
        print("  " + n)
    sys.stdout.flush()


# -- containers ------------------------------------------------------------------------------------------------------
def engine():
    try:
        return harness.Engine.detect()
    except (harness.EngineUnavailable, subprocess.TimeoutExpired) as why:
        raise BenchError("container engine unavailable: %s" % why)


def ensure_image(flavour, ref):
    eng = engine()
    if not eng.image_exists(ref) or flavour == "ssh":  # ssh: images.sh checks its recipe label too
        proc = subprocess.run(["bash", str(harness.HARNESS_DIR / "images.sh"), flavour], capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0 or not eng.image_exists(ref):
            raise BenchError("image %s unavailable: images.sh %s: %s" % (ref, flavour, (proc.stdout + proc.stderr)[-1500:]))
    return ref


def start(eng, image, count, **options):
    """count containers (removed by the caller with remove()); with systemd, up before returning."""
    made = []
    try:
        for dummy in range(count):
            made.append(eng.container(image, **options))
        if options.get("systemd"):
            for c in made:
                c.wait_systemd(timeout=180)
    except Exception:
        remove(made)
        raise
    return made


def remove(containers):
    for c in containers:
        c.remove()


# -- SSH ----------------------------------------------------------------------------------------------------------------------
class Forwarder(object):
    """127.0.0.1:<port> -> <address>:22, relayed by a thread in this process.

    podman 4.3 (netavark) does not forward published ports to a container on an --internal network (the
    connection is accepted by podman's port holder and never answered) and drops port mappings with
    --network none, so the bench publishes the port itself: the container sits on its own --internal
    network (no route out), and only this loopback listener leads to it.
    """

    def __init__(self, address, port=22):
        self.target = (address, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pump(a, b):
        pair = {a: b, b: a}
        try:
            while True:
                ready, _w, _x = select.select([a, b], [], [], 600)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(1 << 16)
                    if not data:
                        return
                    pair[s].sendall(data)
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def close(self):
        self.closed = True
        self.sock.close()


class SshFleet(object):
    """Containers of the SSH image on one --internal network of their own, reached over 127.0.0.1 forwarders
    with a key generated into .cache/bench/ssh, through bench/ansible.cfg (pipelining, ControlPersist)."""

    def __init__(self, eng, count):
        self.eng = eng
        self.network = "gofleet-bench-%d" % os.getpid()
        self.containers, self.forwarders = [], []
        self.key = ssh_key()
        eng.cli("network", "create", "--internal", self.network)
        try:
            self.containers = start(eng, ensure_image("ssh", SSH_IMAGE), count, network=self.network, systemd=True)
            with open(self.key + ".pub") as f:
                pub = f.read()
            for c in self.containers:
                c.exec("umask 077; mkdir -p /root/.ssh; cat > /root/.ssh/authorized_keys", input=pub)
                address = eng.cli("inspect", "-f", '{{(index .NetworkSettings.Networks "%s").IPAddress}}' % self.network,
                                  c.name).stdout.strip()
                self.forwarders.append(Forwarder(address))
                # No route out: the network is internal (checked, not assumed).
                probe = c.exec(["python3", "-c", "import socket; socket.create_connection(('192.0.2.1', 80), 2)"],
                               check=False)
                if probe.returncode == 0:
                    raise BenchError("%s reaches outside its internal network" % c.name)
        except Exception:
            self.close()
            raise

    def hostvars(self, c):
        fwd = self.forwarders[self.containers.index(c)]
        return {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": fwd.port,
                "ansible_user": "root", "ansible_ssh_private_key_file": self.key,
                "ansible_python_interpreter": "/usr/bin/python3"}

    def close(self):
        for f in self.forwarders:
            f.close()
        remove(self.containers)
        self.eng.cli("network", "rm", "-f", self.network, check=False)


def ssh_key():
    d = os.path.join(CACHE, "ssh")
    key = os.path.join(d, "id_ed25519")
    if not os.path.isfile(key):
        os.makedirs(d, mode=0o700, exist_ok=True)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gofleet-bench", "-f", key],
                       check=True, capture_output=True)
    return key


def ssh_env(workdir):
    """ansible settings for the SSH runs: bench/ansible.cfg, a short control path directory."""
    cp = os.path.join("/tmp", "gofleet-bench-cp-%d" % os.getpid())  # sockets need a short path
    os.makedirs(cp, mode=0o700, exist_ok=True)
    return {"ANSIBLE_CONFIG": os.path.join(BENCH, "ansible.cfg"), "ANSIBLE_SSH_CONTROL_PATH_DIR": cp}


def close_ssh_masters():
    cp = os.path.join("/tmp", "gofleet-bench-cp-%d" % os.getpid())
    if os.path.isdir(cp):
        for name in os.listdir(cp):
            subprocess.run(["ssh", "-o", "ControlPath=%s" % os.path.join(cp, name), "-O", "exit", "dummy"],
                           capture_output=True, check=False, timeout=30)
        shutil.rmtree(cp, ignore_errors=True)


def inventory(path, hosts, group="all"):
    """Write a JSON inventory: hosts = {name: hostvars}, in `group`."""
    doc = {"all": {"hosts": hosts}} if group == "all" else {"all": {"children": {group: {"hosts": hosts}}}}
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def podman_hostvars(c):
    return {"ansible_connection": c.engine.connection_plugin, "ansible_host": c.name,
            "ansible_python_interpreter": "/usr/bin/python3"}
