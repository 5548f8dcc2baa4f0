# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the integration tests: run a module on this machine, Go tarballs, an http server.

The helpers they are built on (and that tests import) are in module_runner.py.

run_module(args, check=False, diff=False) runs the module in a one-task playbook through
.venv/bin/ansible-playbook with connection local; run_direct(args) runs it as a plain child process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import os
import subprocess
import threading

import pytest

from module_runner import ROOT, WANTED, finish_module, read_sums, run_playbook_tasks, start_module

try:
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
except ImportError:  # pragma: no cover
    ThreadingHTTPServer = None


@pytest.fixture(scope="session")
def run_module_tasks(tmp_path_factory):
    """run_module_tasks([args, ...], check=False) -> [result, ...]: one playbook, one task each."""
    workdir = str(tmp_path_factory.mktemp("playbooks-many"))

    def run(args_list, check=False, diff=False, module="gofleet.golang.go_toolchain"):
        return run_playbook_tasks(module, args_list, check=check, diff=diff, workdir=workdir)

    return run


@pytest.fixture(scope="session")
def run_module(run_module_tasks):
    """run_module(args, check=False, diff=False, module='gofleet.golang.go_toolchain') -> result dict."""

    def run(args, check=False, diff=False, module="gofleet.golang.go_toolchain"):
        return run_module_tasks([args], check=check, diff=diff, module=module)[0]

    return run


@pytest.fixture(scope="session")
def run_direct(tmp_path_factory):
    """run_direct(args, check=False) -> result: the module run as a plain child process (fast)."""
    workdir = str(tmp_path_factory.mktemp("direct"))

    def run(args, check=False, diff=False, module="gofleet.golang.go_toolchain"):
        return finish_module(start_module(module, args, workdir, check=check, diff=diff))

    return run


@pytest.fixture(scope="session")
def tarballs():
    """{'1.22.12': Tarball(...), '1.23.5': Tarball(...)} from .cache/artifacts/SHA256SUMS."""
    found = read_sums()
    if not all(v in found for v in WANTED):
        proc = subprocess.run(["bash", os.path.join(ROOT, "tests", "harness", "go_tarballs.sh")], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        found = read_sums()
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
