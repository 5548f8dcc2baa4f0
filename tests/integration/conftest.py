# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for integration tests: run a module through ansible-playbook on this machine.

run_module(module, args, check=False, diff=False) writes a one-task playbook, runs
.venv/bin/ansible-playbook with connection local and returns the module result parsed from
the ansible.posix.json stdout callback, plus `_output` (everything ansible printed) so tests
can assert that no traceback escaped.

start_module(module, args) runs the module file directly as a child process (the way
AnsiballZ runs it, args in a JSON file) so a test can SIGKILL the very process doing the work.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import functools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading

import pytest

try:
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
except ImportError:  # pragma: no cover
    ThreadingHTTPServer = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
BUILD = os.path.join(ROOT, ".build")
ARTIFACTS = os.path.join(ROOT, ".cache", "artifacts")
WANTED = ("1.22.12", "1.23.5")
_TARBALL_RE = re.compile(r"^go(\d+\.\d+(?:\.\d+)?)\.linux-([a-z0-9]+)\.tar\.gz$")

Tarball = collections.namedtuple("Tarball", "version path name sha256 arch")


def _ansible_env(extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": BUILD,
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "no_proxy": "127.0.0.1,localhost",
        "NO_PROXY": "127.0.0.1,localhost",
    })
    env.update(extra or {})
    return env


def run_module_playbook(module, args, check=False, diff=False, workdir=None, timeout=900):
    """Run `module` with `args` in a one-task playbook; return the task result (dict)."""
    return run_playbook_tasks(module, [args], check=check, diff=diff, workdir=workdir, timeout=timeout)[0]


def run_playbook_tasks(module, args_list, check=False, diff=False, workdir=None, timeout=900):
    """One playbook, one task per args (failures do not stop the play); the task results in order.

    Each result carries `_output` (all ansible printed) and `_rc` (ansible-playbook's exit code).
    """
    workdir = workdir or tempfile.mkdtemp(prefix="gofleet-it-")
    playbook = os.path.join(workdir, "play.yml")
    # JSON is YAML; no value here contains a Jinja delimiter.
    with open(playbook, "w") as f:
        f.write("- hosts: localhost\n  gather_facts: false\n  tasks:\n")
        for i, args in enumerate(args_list):
            f.write("    - name: module under test %d\n      %s: %s\n" % (i, module, json.dumps(args)))
            if len(args_list) > 1:
                f.write("      ignore_errors: true\n")
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local",
           "-e", "ansible_python_interpreter=/usr/bin/python3", playbook]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    proc = subprocess.run(cmd, cwd=workdir, env=_ansible_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, check=False)
    try:
        report = json.loads(proc.stdout)
        results = [task["hosts"]["localhost"] for task in report["plays"][0]["tasks"]]
    except (ValueError, KeyError, IndexError):
        raise AssertionError("ansible-playbook rc=%s gave no task result:\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr))
    if len(results) != len(args_list):
        raise AssertionError("ansible-playbook ran %d of %d tasks:\n%s\n%s" % (len(results), len(args_list), proc.stdout, proc.stderr))
    for result in results:
        result["_output"] = proc.stdout + proc.stderr
        result["_rc"] = proc.returncode
    return results


@pytest.fixture(scope="session")
def run_module(tmp_path_factory):
    """run_module(args, check=False, diff=False, module='gofleet.golang.go_toolchain') -> result dict."""
    workdir = str(tmp_path_factory.mktemp("playbooks"))

    def run(args, check=False, diff=False, module="gofleet.golang.go_toolchain"):
        return run_module_playbook(module, args, check=check, diff=diff, workdir=workdir)

    return run


@pytest.fixture(scope="session")
def run_module_tasks(tmp_path_factory):
    """run_module_tasks([args, ...], check=False) -> [result, ...]: one playbook, one task each."""
    workdir = str(tmp_path_factory.mktemp("playbooks-many"))

    def run(args_list, check=False, diff=False, module="gofleet.golang.go_toolchain"):
        return run_playbook_tasks(module, args_list, check=check, diff=diff, workdir=workdir)

    return run


def module_path(module):
    return os.path.join(ROOT, "plugins", "modules", module.split(".")[-1] + ".py")


def start_module(module, args, workdir, check=False, diff=False):
    """Start the module itself as a child (own process group); returns the Popen."""
    fd, argfile = tempfile.mkstemp(prefix="args-", suffix=".json", dir=workdir)
    margs = dict(args)
    if check:
        margs["_ansible_check_mode"] = True
    if diff:
        margs["_ansible_diff"] = True
    with os.fdopen(fd, "w") as f:
        json.dump({"ANSIBLE_MODULE_ARGS": margs}, f)
    env = dict(os.environ, PYTHONPATH=BUILD, no_proxy="127.0.0.1,localhost")
    return subprocess.Popen([sys.executable, module_path(module), argfile], env=env, cwd=workdir,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                            start_new_session=True)


def finish_module(proc, timeout=600):
    out, err = proc.communicate(timeout=timeout)
    try:
        result = json.loads(out)
    except ValueError:
        raise AssertionError("module rc=%s printed no JSON:\n%s\n%s" % (proc.returncode, out, err))
    result["_output"] = out + err
    result["_rc"] = proc.returncode
    return result


def kill_group(proc):
    """SIGKILL the module we started and anything it started (its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.communicate()


@pytest.fixture(scope="session")
def run_direct(tmp_path_factory):
    """run_direct(args, check=False) -> result: the module run as a plain child process (fast)."""
    workdir = str(tmp_path_factory.mktemp("direct"))

    def run(args, check=False, diff=False, module="gofleet.golang.go_toolchain"):
        return finish_module(start_module(module, args, workdir, check=check, diff=diff))

    return run


def _read_sums():
    found = {}
    sums = os.path.join(ARTIFACTS, "SHA256SUMS")
    if not os.path.isfile(sums):
        return found
    with open(sums) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 2:
                continue
            name = parts[1].lstrip("*")
            match = _TARBALL_RE.match(name)
            path = os.path.join(ARTIFACTS, name)
            if match and os.path.isfile(path):
                found[match.group(1)] = Tarball(match.group(1), path, name, parts[0].lower(), match.group(2))
    return found


@pytest.fixture(scope="session")
def tarballs():
    """{'1.22.12': Tarball(...), '1.23.5': Tarball(...)} from .cache/artifacts/SHA256SUMS."""
    found = _read_sums()
    if not all(v in found for v in WANTED):
        proc = subprocess.run(["bash", os.path.join(ROOT, "tests", "harness", "go_tarballs.sh")], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        found = _read_sums()
        if proc.returncode != 0 or not all(v in found for v in WANTED):
            pytest.skip("skipped: Go tarballs unavailable: tests/harness/go_tarballs.sh rc=%s: %s"
                        % (proc.returncode, proc.stdout.strip().splitlines()[-1:]))
    return found


@pytest.fixture(scope="session")
def http_server():
    """serve(directory) -> base URL of a python http.server on 127.0.0.1 (one per directory)."""
    if ThreadingHTTPServer is None:
        pytest.skip("skipped: http.server.ThreadingHTTPServer unavailable")
    servers = []

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    def serve(directory):
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return "http://127.0.0.1:%d" % server.server_address[1]

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def go_run(go, *args, **kwargs):
    """Run an installed `go` with a clean environment (no user go/env, no inherited GO*)."""
    home = kwargs.pop("home", None) or tempfile.mkdtemp(prefix="gofleet-home-")
    env = {"PATH": "/usr/bin:/bin", "HOME": home, "GOENV": "off", "LANG": "C"}
    env.update(kwargs.pop("env", {}))
    return subprocess.run([go] + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=kwargs.pop("timeout", 600),
                          check=kwargs.pop("check", False), **kwargs)


def go_version(go):
    proc = go_run(go, "version")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()[2]


def assert_one_line_failure(result, *words):
    """A failed run: one-line msg naming the input, no traceback anywhere in the output."""
    assert result.get("failed") is True, result
    msg = result["msg"]
    assert "\n" not in msg.strip(), msg
    # ansible-core adds exception="(traceback unavailable)" to every fail_json; a real crash
    # shows up as a traceback, module_stderr and "MODULE FAILURE".
    assert "Traceback" not in result["_output"] and "Traceback" not in str(result.get("exception")), result["_output"]
    assert "module_stderr" not in result and not msg.startswith("MODULE FAILURE"), result
    for word in words:
        assert word in msg, (word, msg)
    return msg
