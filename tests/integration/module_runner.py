# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for the integration tests here (conftest.py holds the fixtures built on them).

`import module_runner` works from conftest.py and from the tests: pytest puts this directory
first on sys.path before it imports either, and no other directory it adds has a module by this name.

run_playbook_tasks(module, args_list, ...) writes a playbook with one task per args, runs it
with connection local through tests/harness/ansible_run.py (the runner bench uses too) and returns
the module results, each with `_output` (everything ansible printed) and `_rc`, so tests can
assert that no traceback escaped.

start_module(module, args, workdir) runs the module file directly as a child process (the way
AnsiballZ runs it, args in a JSON file) so a test can SIGKILL the very process doing the work;
finish_module(proc) reads its result, kill_group(proc) kills it and whatever it started.

NodeLayout is a managed node under one directory; go_run/go_version run the `go` it installed;
assert_one_line_failure checks how a failed run reports.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

import ansible_run  # tests/harness/ansible_run.py, on pytest.ini's pythonpath
from ansible_collections.gofleet.golang.plugins.module_utils import artifact, atomic, toolchain
from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import tarball_arch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# GOFLEET_ANSIBLE_BIN: another ansible-core's venv bin/ (tests/matrix/venv.sh), for the matrix run
# (tests/quality/test_matrix.py); the module children then run with that venv's Python too.
VENV_BIN = ansible_run.VENV_BIN   # the ansible-* commands of this run (the matrix may point elsewhere)
MODULE_PYTHON = os.path.join(VENV_BIN, "python") if os.environ.get("GOFLEET_ANSIBLE_BIN") else sys.executable
BUILD = os.path.join(ROOT, ".build")
ARTIFACTS = os.path.join(ROOT, ".cache", "artifacts")
WANTED = ("1.22.12", "1.23.5")
_TARBALL_RE = re.compile(r"^go(\d+\.\d+(?:\.\d+)?)\.linux-([a-z0-9]+)\.tar\.gz$")

Tarball = collections.namedtuple("Tarball", "version path name sha256 arch")


def run_playbook_tasks(module, args_list, check=False, diff=False, workdir=None, timeout=900):
    """One playbook, one task per args (failures do not stop the play); the task results in order.

    Each result carries `_output` (all ansible printed) and `_rc` (ansible-playbook's exit code).
    """
    workdir = workdir or tempfile.mkdtemp(prefix="gofleet-it-")
    tasks = [dict({"name": "module under test %d" % i, module: args}, **({"ignore_errors": True} if len(args_list) > 1 else {}))
             for i, args in enumerate(args_list)]
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    run = ansible_run.run(play, check=check, diff=diff, workdir=workdir, timeout=timeout,
                          env={"no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"})
    results = run.task_results("localhost")
    if len(results) != len(args_list):
        raise AssertionError("ansible-playbook ran %d of %d tasks:\n%s" % (len(results), len(args_list), run.output))
    for result in results:
        result["_output"] = run.output
        result["_rc"] = run.proc.returncode
    return results


def module_name(module):
    return "ansible_collections.gofleet.golang.plugins.modules." + module.split(".")[-1]


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
    env = ansible_run.ansible_env(PYTHONPATH=BUILD, no_proxy="127.0.0.1,localhost")   # the same Go env as a play
    # -m, as AnsiballZ runs it: a module file run by path puts plugins/modules first on sys.path,
    # where the `platform` module would shadow the standard library's for every sibling.
    return subprocess.Popen([MODULE_PYTHON, "-m", module_name(module), argfile], env=env, cwd=workdir,
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


def read_sums():
    """{version: Tarball} for the Go tarballs of this machine's architecture listed in
    .cache/artifacts/SHA256SUMS and present (the cache also holds other architectures' tarballs)."""
    found = {}
    arch = tarball_arch()
    sums = os.path.join(ARTIFACTS, "SHA256SUMS")
    if not os.path.isfile(sums):
        return found
    with open(sums) as f:
        listed = artifact.parse_sha256sums(f.read(), sums)  # the modules' parser, not a copy
    for name, sha256 in sorted(listed.items()):
        match = _TARBALL_RE.match(name)
        path = os.path.join(ARTIFACTS, name)
        # The cache may hold other architectures' tarballs too (fleet bundles); these tests install here.
        if match and match.group(2) == tarball_arch() and os.path.isfile(path):
            found[match.group(1)] = Tarball(match.group(1), path, name, sha256, match.group(2))
    return found


class NodeLayout(object):
    """A managed node under `base`: <base>/lib/go<version> trees (receipts in lib/.receipts),
    <base>/go the link, <base>/bin the go/gofmt links; `tarballs` from the `tarballs` fixture."""

    def __init__(self, base, tarballs):
        self.base = str(base)
        self.root = os.path.join(self.base, "lib")
        self.link = os.path.join(self.base, "go")
        self.bin = os.path.join(self.base, "bin")
        self.tarballs = tarballs

    def goroot(self, version):
        return os.path.join(self.root, "go" + version)

    def args(self, version, **extra):
        """go_toolchain args installing `version` from its local tarball; extra=Ellipsis drops a key."""
        t = self.tarballs[version]
        args = {"version": version, "src": t.path, "checksum": "sha256:" + t.sha256,
                "install_root": self.root, "link": self.link, "bin_dir": self.bin}
        args.update(extra)
        return dict((k, v) for k, v in args.items() if v is not Ellipsis)

    def receipt(self, version):
        """The receipt of an installed version (a dict), None when there is none."""
        text = atomic.read_file(toolchain.receipt_path(self.root, version))
        return json.loads(text) if text else None

    def go(self):
        return os.path.join(self.bin, "go")


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


def snapshot(*tops):
    """Everything below `tops` (and the tops): mode, size, mtime, inode and link target of each path,
    so a comparison catches a path that was replaced as well as one that was changed."""
    found = {}
    for top in tops:
        if not os.path.lexists(top):
            continue
        paths = [top]
        for dirpath, dirnames, filenames in os.walk(top):
            paths.extend(os.path.join(dirpath, n) for n in dirnames + filenames)
        for path in paths:
            st = os.lstat(path)
            found[path] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino, atomic.read_link(path))
    return found


def same_size_edit(path):
    """Edit a Go source file keeping its size and mtime (only a hash can see it); returns the old bytes."""
    st = os.stat(path)
    data = open(path, "rb").read()
    edited = data.replace(b"package fmt", b"package fmX", 1)
    assert len(edited) == len(data) and edited != data
    with open(path, "wb") as f:
        f.write(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    return data
