# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run_command fake every unit test uses (tests/unit/conftest.py) must be able to fail a test."""

import pytest

BAD = (1, "", "boom")


@pytest.mark.parametrize("rules,argv,answer", [
    ([(["systemctl", "show"], BAD)], ["/usr/bin/systemctl", "show", "x.service"], BAD),   # basename match
    ([(["/sbin/restorecon"], BAD)], ["/usr/sbin/restorecon", "--", "/x"], (0, "", "")),  # a path must be equal
    ([(["sv", "status"], BAD)], ["/usr/bin/sv"], (0, "", "")),                            # argv shorter than the prefix
    ([(lambda argv: "--import" in argv, BAD)], ["gpg", "--batch", "--import", "k"], BAD),  # predicate
    ([(["go"], lambda argv, **kw: (0, kw["cwd"], ""))], ["go", "version"], (0, "/src", "")),  # callable gets kwargs
])
def test_table_answers_the_first_matching_rule(run_command, rules, argv, answer):
    fake = run_command(rules)
    assert fake(argv, cwd="/src") == answer
    assert fake.calls == [argv] and fake.kwargs == [{"cwd": "/src"}]


def test_a_list_answers_one_call_each_and_repeats_its_last(run_command):
    fake = run_command([(["sv", "status"], [(0, "down", ""), (0, "run", "")])])
    assert [fake(["sv", "status", "x"])[1] for _call in range(3)] == ["down", "run", "run"]


def test_strict_table_fails_on_a_command_it_does_not_know(run_command):
    fake = run_command([(["ldd"], (0, "", ""))], strict=True)
    with pytest.raises(AssertionError, match="unexpected command: \\['rm', '-rf', '/'\\]"):
        fake(["rm", "-rf", "/"])


def test_sequence_checks_order_arguments_and_environment(run_command):
    fake = run_command.expect([(["go", "version"], (0, "go1.22", ""), {"GOTOOLCHAIN": "local"}),
                               (["go", "env"], (0, "", ""))])
    assert fake(["go", "version"], environ_update={"GOTOOLCHAIN": "local", "HOME": "/x"}) == (0, "go1.22", "")
    with pytest.raises(AssertionError, match="command 2: expected \\['go', 'env'\\], ran \\['go', 'build'\\]"):
        fake(["go", "build"])


def test_sequence_refuses_the_wrong_environment_and_extra_commands(run_command):
    RunCommand = run_command.RunCommand   # untracked: this test checks assert_done() itself
    fake = RunCommand.expect([(["go", "version"], (0, "", ""), {"GOTOOLCHAIN": "local"})])
    with pytest.raises(AssertionError, match="environ"):
        fake(["go", "version"], environ_update={"GOTOOLCHAIN": "auto"})
    with pytest.raises(AssertionError, match="was not expected"):
        fake(["go", "version"])
    unused = RunCommand.expect([(["go", "version"], (0, "", ""))])
    with pytest.raises(AssertionError, match="never ran: \\[\\['go', 'version'\\]\\]"):
        unused.assert_done()


def test_fake_module_keeps_its_own_calls_and_passes_them_on(fake_module, fake_systemctl):
    first, second = fake_module(answer=fake_systemctl), fake_module(answer=fake_systemctl)
    first.run_command(["/usr/bin/systemctl", "start", "x.service"])
    second.run_command(["/usr/bin/systemctl", "show", "x.service"])
    assert len(first.calls) == len(second.calls) == 1 and len(fake_systemctl.calls) == 2
    assert fake_systemctl.actions() == ["start"] and fake_systemctl.active
    assert fake_module(bins={"ldd": None}).get_bin_path("ldd") is None
