"""The one ansible-playbook runner of this working tree, for tests and bench (stdlib only).

    run = ansible_run.run("play.yml")                          # localhost, connection local
    run = ansible_run.run(plays, inventory="inv.yml", workdir=tmp, limit="web", check=True)
    run.proc.returncode, run.report, run.stats["localhost"], run.results("localhost")["task name"]
    run = ansible_run.run_playbook(tmp_path, container, plays)   # one harness container

Every run gets the same environment (ansible_env): the collection from .build, the
interpreter /usr/bin/python3 (interpreter=None: discovery, as a user without the setting
gets), the ansible.posix.json stdout callback and nothing printed about how ansible is run.
With offline_go=True (the default) no Go setting is inherited from this machine (which may
point GOPROXY at a module proxy): GOPROXY=off, GOSUMDB=off, GOTOOLCHAIN=local, GOENV=off,
so a run that means "offline" cannot be rescued by the network. Modules still pass the Go
environment they need to the commands they run.

tests/ reach it through pytest.ini's pythonpath; bench/ puts tests/harness on sys.path.
"""

from __future__ import annotations

import collections
import glob
import json
import os
import subprocess
from pathlib import Path

import engine as harness

# GOFLEET_ANSIBLE_BIN: another ansible-core's venv bin/ (tests/matrix/venv.sh) for the matrix run.
VENV_BIN = os.environ.get("GOFLEET_ANSIBLE_BIN") or str(harness.REPO_ROOT / ".venv" / "bin")
ANSIBLE_PLAYBOOK = os.path.join(VENV_BIN, "ansible-playbook")
COLLECTIONS = str(harness.REPO_ROOT / ".build")
if os.environ.get("GOFLEET_ANSIBLE_BIN"):
    # The matrix venv has ansible-core alone: ansible.posix (the json callback) comes from the shared venv.
    COLLECTIONS += os.pathsep + glob.glob(str(harness.REPO_ROOT / ".venv" / "lib" / "python3*" / "site-packages"))[0]
PYTHON = "/usr/bin/python3"
# Go settings that can reach the network or change the toolchain, read from the environment.
GO_NETWORK_ENV = ("GOPROXY", "GOSUMDB", "GONOSUMDB", "GONOPROXY", "GOPRIVATE", "GOINSECURE",
                  "GOFLAGS", "GOTOOLCHAIN", "GOENV", "GOVCS")
GO_OFFLINE = {"GOPROXY": "off", "GOSUMDB": "off", "GOTOOLCHAIN": "local", "GOENV": "off"}


class PlayRun(collections.namedtuple("PlayRun", "proc report stats")):
    """proc: the CompletedProcess; report: the JSON callback's document; stats: {host: recap}."""

    def results(self, host):
        """{task name: result} of `host` over every play (a later task of the same name wins)."""
        out = {}
        for play in self.report["plays"]:
            for task in play["tasks"]:
                if host in task["hosts"]:
                    out[task["task"]["name"]] = task["hosts"][host]
        return out

    def task_results(self, host):
        """The results of `host`, task by task in order."""
        return [t["hosts"][host] for p in self.report["plays"] for t in p["tasks"] if host in t["hosts"]]

    @property
    def output(self):
        return self.proc.stdout + self.proc.stderr


def ansible_env(offline_go=True, interpreter=PYTHON, **extra):
    """os.environ, then what every run of the tree needs (see the module docstring), then `extra`."""
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": COLLECTIONS,
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
    })
    if interpreter:
        env["ANSIBLE_PYTHON_INTERPRETER"] = interpreter
    else:
        env.pop("ANSIBLE_PYTHON_INTERPRETER", None)
    if offline_go:
        for key in GO_NETWORK_ENV:
            env.pop(key, None)
        env.update(GO_OFFLINE)
    env.update(extra)
    return env


def playbook_argv(playbook, inventory=None, extra_vars=(), check=False, diff=False, limit=None):
    """ansible-playbook's argv. No inventory: localhost with connection local. Each extra_vars item
    is a dict (passed as JSON) or a string (`@file`, `k=v`)."""
    argv = [ANSIBLE_PLAYBOOK]
    argv += ["-i", "localhost,", "-c", "local"] if inventory is None else ["-i", str(inventory)]
    for value in extra_vars:
        argv += ["-e", value if isinstance(value, str) else json.dumps(value)]
    argv.append(str(playbook))
    argv += ["--check"] if check else []
    argv += ["--diff"] if diff else []
    argv += ["--limit", limit] if limit else []
    return argv


def run(playbook, inventory=None, extra_vars=(), check=False, diff=False, limit=None, workdir=None,
        timeout=900, env=None, name="play", **env_options):
    """Run `playbook` (a path, or a list of plays written to <workdir>/<name>.yml) and parse the
    JSON report; output that is not JSON raises. Whether the play failed is the caller's to judge.
    env: extra variables; env_options: ansible_env()'s offline_go / interpreter."""
    if not isinstance(playbook, (str, os.PathLike)):
        path = Path(workdir) / ("%s.yml" % name)
        path.write_text(json.dumps(playbook))
        playbook = path
    argv = playbook_argv(playbook, inventory, extra_vars, check, diff, limit)
    proc = subprocess.run(argv, env=ansible_env(**dict(env_options, **(env or {}))), capture_output=True,
                          text=True, timeout=timeout, cwd=None if workdir is None else str(workdir), check=False)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("ansible-playbook output is not JSON (rc=%d)\n%s\n%s"
                             % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    return PlayRun(proc, report, report.get("stats", {}))


ContainerRun = collections.namedtuple("ContainerRun", "proc report results stats")


def run_playbook(workdir, container, plays, name="play", check=False, diff=False, timeout=900):
    """Run `plays` (hosts: all) on one harness container; a ContainerRun whose results are
    {task name: the container's result} over every play and stats the container's recap."""
    inventory = harness.write_inventory(Path(workdir) / "inventory.yml", [container])
    played = run(plays, inventory=inventory, check=check, diff=diff, workdir=workdir, timeout=timeout, name=name)
    return ContainerRun(played.proc, played.report, played.results(container.name), played.stats[container.name])
