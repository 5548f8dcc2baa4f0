# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the unit tests, and the one run_command fake (RunCommand) they all mock with.

In a test: the `run_command` fixture (a factory, sequences checked at teardown), `fake_module`,
`fake_systemctl`. Where a fixture cannot reach (module-scoped fixtures, import-time tables), import
the class: `from ansible_collections.gofleet.golang.tests.unit.conftest import RunCommand`.
"""

import os

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import ELF_SIGNATURE, tarball_arch

from elf_fixtures import write_elf  # tests/elf_fixtures.py, on pytest.ini's pythonpath


def make_static_elf(path):
    """A minimal static ELF executable for this machine's architecture (no program headers)."""
    return write_elf(path, *ELF_SIGNATURE[tarball_arch()])


@pytest.fixture
def static_elf(tmp_path):
    """Path of a static ELF executable for this machine, as a Go service binary would be."""
    return make_static_elf(tmp_path / "hello")


OK = (0, "", "")


def _matches(match, argv):
    """`match` is an argv prefix (a first element without '/' matches argv[0]'s basename) or a predicate."""
    if callable(match):
        return bool(match(argv))
    match = list(match)
    if len(argv) < len(match):
        return False
    if match and "/" not in match[0]:
        return [os.path.basename(argv[0])] + argv[1:len(match)] == match
    return argv[:len(match)] == match


class RunCommand(object):
    """The one run_command fake of the unit tests: answers from a table, records every call.

    Table mode, RunCommand(rules, default=OK, strict=False): each rule is (match, answer); the first
    rule whose `match` fits the call answers it (see _matches). An `answer` is (rc, out, err), a list
    of those (one per matching call, the last repeats) or a callable(argv, **kwargs) -> (rc, out, err)
    for commands with state or side effects. A call no rule matches gets `default`, or fails the test
    when strict.

    Sequence mode, RunCommand.expect(steps): each step is (argv, answer) or (argv, answer, environ);
    every call must be the next step's argv exactly (and carry `environ` within environ_update), in
    order. An unexpected call fails at once, naming it; `assert_done()` (run by the `run_command`
    fixture at teardown) fails when a step was never run.

    `calls` holds every argv (lists), `kwargs` the keyword arguments of each call.
    """

    def __init__(self, rules=(), default=OK, strict=False):
        self.rules = [[match, answer, 0] for match, answer in rules]
        self.default, self.strict = default, strict
        self.steps = None
        self.calls, self.kwargs = [], []

    @classmethod
    def expect(cls, steps):
        fake = cls(strict=True)
        fake.steps = [tuple(step) + (None,) * (3 - len(step)) for step in steps]
        return fake

    def __call__(self, argv, **kwargs):
        argv = list(argv)
        self.calls.append(argv)
        self.kwargs.append(kwargs)
        if self.steps is not None:
            return self._next_step(argv, kwargs)
        for rule in self.rules:
            if _matches(rule[0], argv):
                rule[2] += 1
                return self._answer(rule[1], argv, kwargs, rule[2] - 1)
        assert not self.strict, "unexpected command: %r" % (argv,)
        return self._answer(self.default, argv, kwargs, 0)

    def _next_step(self, argv, kwargs):
        done = len(self.calls) - 1
        assert done < len(self.steps), "command %d was not expected: %r" % (done + 1, argv)
        want, answer, environ = self.steps[done]
        assert argv == list(want), "command %d: expected %r, ran %r" % (done + 1, list(want), argv)
        if environ:
            got = kwargs.get("environ_update") or {}
            assert dict((k, got.get(k)) for k in environ) == environ, "command %d: environ %r" % (done + 1, got)
        return self._answer(answer, argv, kwargs, 0)

    @staticmethod
    def _answer(answer, argv, kwargs, nth):
        if callable(answer):
            return answer(argv, **kwargs)
        if isinstance(answer, list):
            return answer[min(nth, len(answer) - 1)]
        return answer

    def assert_done(self):
        if self.steps is not None:
            left = [list(s[0]) for s in self.steps[len(self.calls):]]
            assert not left, "expected commands never ran: %r" % (left,)

    def commands(self, name):
        """The argv of every call to `name` (compared with argv[0]'s basename)."""
        return [c for c in self.calls if os.path.basename(c[0]) == name]


class FakeModule(object):
    """What module_utils use of an AnsibleModule: check_mode, params, get_bin_path (`bins` maps a
    name to its path or None; /usr/bin/<name> otherwise) and run_command: a RunCommand of its own
    answering from a rules list, or passing every call on to `answer` (a RunCommand or a callable)."""

    def __init__(self, check_mode=False, answer=None, params=None, bins=None, strict=False):
        self.check_mode = check_mode
        self.params = params or {}
        self.bins = bins or {}
        # its own record of calls; a shared fake (a RunCommand is callable) keeps the whole story
        if callable(answer):
            self.run_command = RunCommand(default=answer)
        else:
            self.run_command = RunCommand(answer or (), strict=strict)

    @property
    def calls(self):
        return self.run_command.calls

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return self.bins.get(name, "/usr/bin/" + name)


@pytest.fixture
def run_command():
    """Factory of RunCommand fakes: run_command(rules, default=OK, strict=False), or
    run_command.expect(steps) for an exact sequence, checked to be used up when the test ends."""
    made = []

    def make(rules=(), default=OK, strict=False):
        made.append(RunCommand(rules, default, strict))
        return made[-1]

    def expect(steps):
        made.append(RunCommand.expect(steps))
        return made[-1]
    make.expect = expect
    make.OK = OK
    make.RunCommand = RunCommand   # untracked instances, for a test of the fake itself
    yield make
    for fake in made:
        fake.assert_done()


@pytest.fixture
def fake_module():
    """The FakeModule class: fake_module(check_mode=False, answer=rules | RunCommand | callable, bins={},
    params={}, strict=False)."""
    return FakeModule


class FakeSystemctl(RunCommand):
    """run_command on a host with one systemd unit: systemctl answers from the unit's state, which the
    actions it runs change; anything else (systemd-analyze verify) answers clean."""

    def __init__(self):
        super(FakeSystemctl, self).__init__([(["systemctl"], self._systemctl)])
        self.active, self.enabled, self.pid = False, False, 0

    def _systemctl(self, cmd, **kw):
        verb = cmd[1]
        if verb == "--version":
            return 0, "systemd 252 (252.38-1~deb12u1)\n", ""
        if verb == "show":
            return 0, "LoadState=loaded\nActiveState=%s\nUnitFileState=%s\nMainPID=%d\n" % (
                "active" if self.active else "inactive", "enabled" if self.enabled else "disabled", self.pid), ""
        if verb in ("start", "restart"):
            self.active, self.pid = True, self.pid + 100
        elif verb == "stop":
            self.active, self.pid = False, 0
        elif verb in ("enable", "disable"):
            self.enabled = verb == "enable"
        return OK

    def actions(self, calls=None):
        """The systemctl actions among `calls` (all run so far by default), queries left out."""
        return [c[1] for c in (self.calls if calls is None else calls)
                if os.path.basename(c[0]) == "systemctl" and c[1] not in ("show", "--version")]


@pytest.fixture
def fake_systemctl():
    return FakeSystemctl()
