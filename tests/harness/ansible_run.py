"""ansible-playbook with this working tree's collection (stdlib only).

    env = ansible_env(no_proxy="127.0.0.1")     # for any ansible-playbook run of the tree
    run = run_playbook(tmp_path, container, [{"name": "p", "hosts": "all", "tasks": [...]}])
    run.results["task name"], run.stats["failures"], run.proc.returncode, run.report

ansible_env() serves the container tests here, tests/integration (connection local) and
bench/toolchain_runs.py; run_playbook() runs plays against one harness container.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
from pathlib import Path

import engine as harness

ANSIBLE_PLAYBOOK = str(harness.REPO_ROOT / ".venv" / "bin" / "ansible-playbook")

PlayRun = collections.namedtuple("PlayRun", "proc report results stats")


def ansible_env(**extra):
    """os.environ, the collection from .build, the ansible.posix.json stdout callback, nothing
    printed that is about how ansible is run (colour, localhost, deprecations); then `extra`."""
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(harness.REPO_ROOT / ".build"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
    })
    env.update(extra)
    return env


def run_playbook(workdir, container, plays, name="play", check=False, diff=False, timeout=900):
    """Run `plays` (hosts: all) on `container` from <workdir>/<name>.yml; a PlayRun.

    results: {task name: the container's result} over every play; stats: the container's recap.
    Whether the play failed is the caller's to judge; output that is not JSON raises.
    """
    workdir = Path(workdir)
    inventory = harness.write_inventory(workdir / "inventory.yml", [container])
    playbook = workdir / ("%s.yml" % name)
    playbook.write_text(json.dumps(plays))
    argv = [ANSIBLE_PLAYBOOK, "-i", str(inventory), str(playbook)]
    if check:
        argv.append("--check")
    if diff:
        argv.append("--diff")
    proc = subprocess.run(argv, env=ansible_env(), capture_output=True, text=True, timeout=timeout,
                          cwd=str(workdir), check=False)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("ansible-playbook output is not JSON (rc=%d)\n%s\n%s"
                             % (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    results = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            results[task["task"]["name"]] = task["hosts"].get(container.name)
    return PlayRun(proc, report, results, report["stats"][container.name])
