# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_offline_mirror without the module around it: Request -> NodeState -> plan -> apply -> report.

Request parses and checks the options; NodeState reads the mirror (inspect, changing nothing);
plan() decides every change, the same in check mode and in a real run, so the prediction is
exact; apply() carries it out; report() is the module's result. The work per state lives in
gomod_build (state=built) and gomod_release (state=present).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.gofleet.golang.plugins.module_utils import gomod_build, gomod_release
from ansible_collections.gofleet.golang.plugins.module_utils.argspec import ArgumentSpec
from ansible_collections.gofleet.golang.plugins.module_utils.artifact_options import (
    ArtifactChecks, artifact_argument_spec, url_argument_spec)
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

# Options that only one state reads; the artifact options (checksum, signature, ...) are present's.
BUILT_OPTIONS = ("go", "go_env", "gosumdb", "requirements", "upstream")


def argument_spec():
    """The module's options: its own, plus the shared artifact and url options."""
    spec = ArgumentSpec(
        argument_spec=dict(
            state=dict(type="str", choices=["built", "present"], default="present"),
            path=dict(type="path", required=True),
            requirements=dict(type="list", elements="str", default=[]),
            upstream=dict(type="str", default="https://proxy.golang.org"),
            gosumdb=dict(type="str"),
            go=dict(type="path", default="go"),
            go_env=dict(type="dict", default={}),
            bundle=dict(type="path"),
        ),
        required_if=[("state", "present", ("bundle",)),
                     ("state", "present", ("checksum", "checksum_url"), True)],
    )
    return spec.merge(artifact_argument_spec()).merge(url_argument_spec())


def _state_options():
    shared = artifact_argument_spec().merge(url_argument_spec())
    return {"built": BUILT_OPTIONS, "present": tuple(sorted(shared.argument_spec))}


class Request(object):
    """Validated options of one go_offline_mirror call.

    params: the module's params (a missing option takes its declared default).
    find_bin: how a bare go name is looked up (module.get_bin_path); None uses the go option as given.
    """

    def __init__(self, params, find_bin=None):
        spec = argument_spec()
        given = dict((k, v) for k, v in params.items() if v is not None)
        p = dict(spec.defaults(), **given)
        self.state = p["state"]
        # Relative paths would resolve against whatever directory the module runs in.
        for name in ("path", "bundle"):
            if p[name] and not os.path.isabs(p[name]):
                raise GofleetError("%s must be an absolute path, got %r" % (name, p[name]))
        if os.path.sep in p["go"] and not os.path.isabs(p["go"]):
            raise GofleetError("go must be an absolute path, got %r" % p["go"])
        self.checks = ArtifactChecks(p)  # signature and keyring paths too
        _refuse_other_state_options(p, spec)
        self.path = p["path"]
        self.bundle = p["bundle"]
        if self.state == "built":
            self.go = gomod_build.resolve_go(p["go"], find_bin) if find_bin else p["go"]
            self.go_env = gomod_build.check_go_env(p["go_env"])
            gomod_build.check_requirements(p["requirements"])
            self.requirements = p["requirements"]
            self.upstream = p["upstream"]
            self.gosumdb = p["gosumdb"]
        elif not (self.bundle and self.checks.given):
            raise GofleetError("state=present needs bundle and checksum (sha256:<hex>) or checksum_url")

    @property
    def lock_path(self):
        path = os.path.abspath(self.path)
        return os.path.join(os.path.dirname(path), ".%s.gofleet.lock" % os.path.basename(path))


def _refuse_other_state_options(params, spec):
    """An option the chosen state ignores is a mistake to report, never to skip silently."""
    for state, options in sorted(_state_options().items()):
        given = [name for name in options if params[name] != spec.argument_spec[name].get("default")]
        if state != params["state"] and given:
            raise GofleetError("options %s apply only to state=%s (state=%s ignores them)"
                               % (", ".join(given), state, params["state"]))


class NodeState(object):
    """What the node holds now: the mirror tree (built) or the current release and its drift (present)."""

    def __init__(self, req):
        if req.state == "built":
            self.found = gomod_build.inspect(req.path, req.bundle)
        else:
            self.found = gomod_release.inspect(req.path, req.checks.verify)


def _backend(req):
    return gomod_build if req.state == "built" else gomod_release


class Runner(object):
    """What plan and apply run on the node: run_command (the unit-test seam) and gpg."""

    def __init__(self, run_command, gpg=None):
        self.run_command = run_command
        self.gpg = gpg


def plan(req, node, runner, check_mode):
    """Decide every change (built downloads into scratch here). Close the plan when done."""
    if req.state == "built":
        return gomod_build.plan(req, node.found, runner.run_command, check_mode)
    return gomod_release.plan(req, node.found, runner.run_command, runner.gpg)


def apply(req, node, plan_):
    _backend(req).apply(req, node.found, plan_)


def report(req, node, plan_):
    """The module's result (with 'diff' and, for built, 'bundle_changed' for the module to pop)."""
    return _backend(req).report(req, node.found, plan_)


def run(params, runner, check_mode, find_bin=None):
    """The whole pipeline for callers that hold params rather than a module (tests, the module)."""
    req = Request(params, find_bin)
    node = NodeState(req)
    p = plan(req, node, runner, check_mode)
    try:
        if p.changed and not check_mode:
            apply(req, node, p)
        return report(req, node, p)
    finally:
        p.close()
