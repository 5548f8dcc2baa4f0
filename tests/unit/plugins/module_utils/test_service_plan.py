# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The init-independent part of go_service: parameters -> spec, node checks, RAM, file comparison."""

import os

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import atomic
from ansible_collections.gofleet.golang.plugins.module_utils.service import spec as service_spec
from ansible_collections.gofleet.golang.plugins.module_utils.service import plan as gs
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

NO_SUCH_USER = "gofleet-no-such-user-xyz"


@pytest.mark.parametrize("given,expected", [
    ({}, dict(name="hello", dynamic_user=True, exec_start="/usr/local/bin/hello", environment_file=None)),
    ({"name": "hello.service", "user": "web", "args": ["-addr", ":80"]},
     dict(name="hello", dynamic_user=None, exec_start="/usr/local/bin/hello -addr :80")),
    ({"environment": {"A": "1"}}, dict(environment_file="ENV/hello.env")),
    ({"environment": {"A": "1"}, "environment_file": "/etc/x.env"}, dict(environment_file="/etc/x.env")),
    ({"binary": None, "exec_start": "-/usr/bin/hello --flag"},
     dict(binary="/usr/bin/hello", args=["--flag"], exec_start="-/usr/bin/hello --flag")),
    ({"binary": None, "state": "absent"}, dict(binary=None, exec_start=None)),
])
def test_normalise(monkeypatch, tmp_path, service_params, given, expected):
    monkeypatch.setattr(service_spec, "DEFAULT_ENV_DIR", str(tmp_path))
    spec = service_spec.normalise(service_params(**given))
    for key, value in expected.items():
        if isinstance(value, str):
            value = value.replace("ENV", str(tmp_path))
        assert spec[key] == value, key


@pytest.mark.parametrize("given,reason", [
    ({"name": "../x"}, "not a valid service name"),
    ({"user": "web", "dynamic_user": True}, "exclude each other"),
    ({"environment": {"1X": "y"}}, "not a valid variable name"),
    ({"limits": {"Bogus": 1}}, "limits key 'Bogus'"),
    ({"address_families": ["INET"]}, "not an AF_* name"),
    ({"restart": {"policy": "sometimes"}}, "restart.policy"),
    ({"binary": "bin/hello"}, "absolute path"),
    ({"binary": None}, "state=started needs binary or exec_start"),
    ({"binary": None, "exec_start": "/bin/x", "args": ["a"]}, "args go with binary"),
    ({"binary": None, "exec_start": "x --flag"}, "absolute path"),
    # systemd ignores a relative EnvironmentFile= (the secrets never reach the service) and
    # WorkingDirectory=; the env file itself would land in the module's working directory
    ({"environment_file": "env/hello.env", "environment": {"A": "1"}}, "environment_file must be an absolute path"),
    ({"working_directory": "srv/hello"}, "working_directory must be an absolute path"),
    ({"install_from": ".hello.new"}, "install_from must be an absolute path"),
])
def test_normalise_refuses(service_params, given, reason):
    with pytest.raises(GofleetError) as e:
        service_spec.normalise(service_params(**given))
    assert reason in e.value.message


@pytest.mark.parametrize("text,expected", [
    ("MemTotal:        2048 kB\nMemFree: 1 kB\n", 2048 * 1024),
    ("MemFree: 1 kB\n", None),
    ("MemTotal: lots kB\n", None),
    (None, None),   # no such file
])
def test_total_memory(tmp_path, text, expected):
    path = tmp_path / "meminfo"
    if text is not None:
        path.write_text(text)
    assert gs.total_memory(str(path)) == expected


@pytest.mark.parametrize("user,group,check_mode,warning,error", [
    ("root", "root", False, None, None),
    (None, None, False, None, None),
    (NO_SUCH_USER, None, True, "user %s does not exist yet (check mode)" % NO_SUCH_USER, None),
    (NO_SUCH_USER, None, False, None, "user %s does not exist on this node" % NO_SUCH_USER),
    ("root", NO_SUCH_USER, False, None, "group %s does not exist on this node" % NO_SUCH_USER),
])
def test_check_identity(user, group, check_mode, warning, error):
    warnings = []
    spec = dict(user=user, group=group)
    if error:
        with pytest.raises(GofleetError) as e:
            gs.check_identity(spec, check_mode, warnings)
        assert e.value.message == error
    else:
        gs.check_identity(spec, check_mode, warnings)
    assert warnings == ([warning] if warning else [])


@pytest.mark.parametrize("check_mode,exists,outcome", [
    (True, False, "warning"),     # a later task builds it: check mode says so and goes on
    (False, False, "does not exist"),
    (True, True, "static"),
    (False, True, "static"),
])
def test_check_node_binary(static_elf, fake_module, tmp_path, check_mode, exists, outcome):
    binary = static_elf if exists else str(tmp_path / "missing")
    warnings = []
    module = fake_module(check_mode)
    if outcome == "does not exist":
        with pytest.raises(GofleetError, match=outcome):
            gs.check_node(module, dict(binary=binary), warnings)
        return
    info = gs.check_node(module, dict(binary=binary, user="root"), warnings)
    if outcome == "warning":
        assert info is None and warnings == ["binary %s is not there yet (check mode): its checks are skipped" % binary]
    else:
        assert info["linkage"] == outcome and warnings == []


@pytest.mark.parametrize("content,mode,data,wanted_mode,differs", [
    (None, None, b"x\n", 0o600, True),          # missing
    ("x\n", 0o600, b"x\n", 0o600, False),
    ("x\n", 0o644, b"x\n", 0o600, True),        # a secret left readable is a change
    ("y\n", 0o600, b"x\n", 0o600, True),
])
def test_file_differs(tmp_path, content, mode, data, wanted_mode, differs):
    path = tmp_path / "f"
    if content is not None:
        path.write_text(content)
        os.chmod(str(path), mode)
    assert atomic.file_differs(str(path), data, wanted_mode) is differs


def test_text_diff():
    assert gs.text_diff("/p", None, "new") == {"before_header": "/p", "after_header": "/p", "before": "", "after": "new"}


@pytest.mark.parametrize("given,names", [
    ({"description": "x\nExecStartPre=/bin/sh -c id"}, "description"),
    ({"user": "web\nUser=root"}, "user"),
    ({"group": "web\rGroup=root"}, "group"),
    ({"working_directory": "/srv\nExecStartPre=/bin/true"}, "working_directory"),
    ({"environment": {"A": "1"}, "environment_file": "/etc/x.env\nUser=root"}, "environment_file"),
    ({"binary": None, "exec_start": "/usr/bin/hello\nExecStartPost=/bin/true"}, "exec_start"),
    ({"service": {"StateDirectory": "x\nUser=root"}}, "service.StateDirectory"),
    ({"service": {"ReadWritePaths": ["/a", "/b\nUser=root"]}}, "service.ReadWritePaths"),
    ({"unit": {"Foo\nUser": "root"}}, "unit key"),
    ({"install": {"WantedBy": "x\nAlias=y"}}, "install.WantedBy"),
    ({"limits": {"LimitNOFILE": "1024\nUser=root"}}, "limits.LimitNOFILE"),
    ({"restart": {"sec": "1\nUser=root", "policy": None, "start_limit_interval_sec": None,
                  "start_limit_burst": None}}, "restart.sec"),
])
def test_line_breaks_that_would_inject_unit_lines_fail_naming_the_option(service_params, given, names):
    with pytest.raises(GofleetError) as e:
        service_spec.normalise(service_params(**given))
    assert names in e.value.message and "line break" in e.value.message


@pytest.mark.parametrize("exec_start", ["/usr/local/bin/%u-server -v", "/srv/%n/hello"])
def test_exec_start_program_with_a_specifier_is_refused(service_params, exec_start):
    # the checked program would not be the one systemd runs (it expands the specifier)
    with pytest.raises(GofleetError, match="exec_start.*'%'"):
        service_spec.normalise(service_params(binary=None, exec_start=exec_start))


@pytest.mark.parametrize("given", [
    {"working_directory": "~"},
    {"working_directory": "-/srv/hello"},
    {"environment_file": "-/etc/default/hello"},   # only referenced: systemd's optional form
])
def test_normalise_keeps_systemds_own_path_forms(service_params, given):
    spec = service_spec.normalise(service_params(**given))
    for key, value in given.items():
        assert spec[key] == value


def test_normalise_refuses_an_optional_env_file_it_would_write(service_params):
    with pytest.raises(GofleetError) as e:
        service_spec.normalise(service_params(environment_file="-/etc/default/hello", environment={"A": "1"}))
    assert "environment_file must be an absolute path" in e.value.message
