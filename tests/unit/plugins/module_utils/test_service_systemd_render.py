# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit text per hardening profile, and GOMAXPROCS/GOMEMLIMIT derived from the limits."""

import shutil
import subprocess

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.service import go_runtime, systemd_syntax
from ansible_collections.gofleet.golang.plugins.module_utils.service import spec as service_spec
from ansible_collections.gofleet.golang.plugins.module_utils.service import systemd_render as sr
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


def spec(**kw):
    base = dict(name="hello", exec_start="/usr/local/bin/hello -addr :8080", user="hello", group="hello",
                hardening="strict", address_families=list(service_spec.DEFAULT_ADDRESS_FAMILIES))
    base.update(kw)
    return base


def lines(text):
    return text.splitlines()


@pytest.mark.parametrize("profile,present,absent", [
    ("strict",
     ["NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
      "PrivateUsers=yes", "ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes",
      "ProtectControlGroups=yes", "ProtectClock=yes", "ProtectHostname=yes", "ProtectProc=invisible",
      "ProcSubset=pid", "RestrictNamespaces=yes", "RestrictRealtime=yes", "RestrictSUIDSGID=yes",
      "LockPersonality=yes", "MemoryDenyWriteExecute=yes", "CapabilityBoundingSet=", "UMask=0077",
      "SystemCallArchitectures=native", "SystemCallFilter=@system-service", "SystemCallFilter=~@privileged",
      "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"],
     ["ProtectSystem=full"]),
    ("baseline",
     ["NoNewPrivileges=yes", "ProtectSystem=full", "ProtectHome=read-only", "PrivateTmp=yes",
      "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallArchitectures=native"],
     ["ProtectSystem=strict", "PrivateUsers=yes", "MemoryDenyWriteExecute=yes"]),
    ("none", [], ["NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectSystem=full", "PrivateTmp=yes"]),
])
def test_profiles(profile, present, absent):
    text, info = sr.render_unit(spec(hardening=profile), systemd_version=252)
    got = lines(text)
    for line in present:
        assert line in got, line
    for line in absent:
        assert line not in got, line
    assert info["skipped"] == []
    # Every profile still runs the service as declared.
    assert "ExecStart=/usr/local/bin/hello -addr :8080" in got
    assert "User=hello" in got and "Group=hello" in got
    assert not any(l.startswith("RestrictAddressFamilies") for l in got) or profile != "none"


def test_strict_never_denies_setrlimit():
    """Go raises RLIMIT_NOFILE at start: ~@resources (which holds setrlimit) would kill it."""
    text = sr.render_unit(spec(), 252)[0]
    filters = [l.split("=", 1)[1] for l in lines(text) if l.startswith("SystemCallFilter=")]
    denied = " ".join(f for f in filters if f.startswith("~"))
    assert "@resources" not in denied and "setrlimit" not in denied and "prlimit64" not in denied


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="skipped: systemd-analyze not on this host")
def test_strict_filter_expands_to_allow_setrlimit():
    """Expand the groups with the real systemd: setrlimit/prlimit64 allowed, @privileged denied."""
    def group(name):
        out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True, check=False).stdout
        calls, todo = set(), []
        for w in out.split():
            if w.startswith("@"):
                if w != name:
                    todo.append(w)
            elif not w.startswith("#") and w.isidentifier():
                calls.add(w)
        for sub in todo:
            calls |= group(sub)
        return calls
    allowed = group("@system-service") - group("@privileged")
    assert {"setrlimit", "prlimit64", "sched_getaffinity", "mmap", "clone"} <= allowed
    assert "setuid" not in allowed


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="skipped: systemd-analyze not on this host")
@pytest.mark.parametrize("profile,at_most", [("strict", 2.0), ("baseline", 5.0), ("none", 10.0)])
def test_exposure_offline(tmp_path, profile, at_most):
    """systemd-analyze security --offline on the rendered unit (the container test measures it live)."""
    text = sr.render_unit(spec(hardening=profile), 252)[0]
    unit = tmp_path / "hello.service"
    unit.write_text(text)
    res = subprocess.run(["systemd-analyze", "security", "--offline=true", str(unit)],
                         capture_output=True, text=True, check=False)
    score = sr.parse_exposure(res.stdout + res.stderr)
    if score is None:
        pytest.skip("skipped: this systemd-analyze cannot score offline units: %s" % res.stderr.strip()[:200])
    assert score <= at_most
    if profile == "strict":
        assert score <= 2.0


@pytest.mark.parametrize("version,skipped", [
    (257, []),   # Debian 13
    (252, []),   # Debian 12
    (247, []),   # Debian 11: ProtectProc= and ProcSubset= are new in 247
    (245, ["ProtectProc", "ProcSubset"]),
    (239, ["ProtectHostname", "ProtectClock", "ProtectKernelLogs", "ProtectProc", "ProcSubset", "RestrictSUIDSGID"]),
    (None, []),
])
def test_old_systemd_leaves_out_unknown_directives(version, skipped):
    text, info = sr.render_unit(spec(), version)
    assert info["skipped"] == skipped
    for key in skipped:
        assert not any(l.startswith(key + "=") for l in lines(text))


@pytest.mark.parametrize("families,line,since", [
    (["AF_UNIX"], "RestrictAddressFamilies=AF_UNIX", 211),
    ([], "RestrictAddressFamilies=none", 249),
    (["AF_INET", "AF_NETLINK"], "RestrictAddressFamilies=AF_INET AF_NETLINK", 211),
])
def test_address_families_follow_declaration(families, line, since):
    text, info = sr.render_unit(spec(address_families=families), 252)
    assert line in lines(text)
    _text, old = sr.render_unit(spec(address_families=families), since - 1)
    assert "RestrictAddressFamilies" in old["skipped"]


@pytest.mark.parametrize("extra,present,absent", [
    ({"ProtectHome": "read-only"}, ["ProtectHome=read-only"], ["ProtectHome=yes"]),
    ({"MemoryDenyWriteExecute": None}, [], ["MemoryDenyWriteExecute=yes"]),
    ({"StateDirectory": "hello"}, ["StateDirectory=hello"], []),
    ({"ReadWritePaths": ["/var/lib/a", "/var/lib/b"]}, ["ReadWritePaths=/var/lib/a", "ReadWritePaths=/var/lib/b"], []),
    ({"SystemCallFilter": "@system-service"}, ["SystemCallFilter=@system-service"], ["SystemCallFilter=~@privileged"]),
    ({"Type": "exec"}, ["Type=exec"], ["Type=simple"]),
    ({"NoNewPrivileges": True}, ["NoNewPrivileges=yes"], []),
])
def test_service_overrides(extra, present, absent):
    text = sr.render_unit(spec(service=extra), 252)[0]
    got = lines(text)
    for line in present:
        assert line in got
    for line in absent:
        assert line not in got


def test_sections_restart_limits_and_user_modes():
    text = sr.render_unit(spec(user=None, group=None, dynamic_user=True, working_directory="/srv/hello",
                               restart={"policy": "always", "sec": "5", "start_limit_burst": 3},
                               limits={"LimitNOFILE": 65536, "TasksMax": 64},
                               unit={"After": "postgresql.service"}, install={"WantedBy": "default.target"},
                               environment_file="/etc/gofleet/env/hello.env"), 252)[0]
    got = lines(text)
    for line in ["DynamicUser=yes", "WorkingDirectory=/srv/hello", "Restart=always", "RestartSec=5",
                 "StartLimitBurst=3", "StartLimitIntervalSec=60", "LimitNOFILE=65536", "TasksMax=64",
                 "After=postgresql.service", "WantedBy=default.target",
                 "EnvironmentFile=/etc/gofleet/env/hello.env"]:
        assert line in got, line
    assert "After=network-online.target" not in got
    assert got.index("[Unit]") < got.index("StartLimitBurst=3") < got.index("[Service]") < got.index("[Install]")
    assert not any(l.startswith("User=") for l in got)


@pytest.mark.parametrize("limits,env,expected", [
    ({"CPUQuota": "150%"}, {}, {"GOMAXPROCS": "2"}),
    ({"CPUQuota": "100%"}, {}, {"GOMAXPROCS": "1"}),
    ({"CPUQuota": "50%"}, {}, {"GOMAXPROCS": "1"}),
    ({"CPUQuota": "400%"}, {}, {"GOMAXPROCS": "4"}),
    ({"CPUQuota": "250.5%"}, {}, {"GOMAXPROCS": "3"}),
    ({"MemoryMax": "512M"}, {}, {"GOMEMLIMIT": "460MiB"}),
    ({"MemoryMax": "1G"}, {}, {"GOMEMLIMIT": "921MiB"}),
    ({"MemoryMax": "2048K"}, {}, {"GOMEMLIMIT": "1MiB"}),
    ({"MemoryMax": 1000000}, {}, {"GOMEMLIMIT": "900000B"}),
    ({"MemoryMax": "infinity"}, {}, {}),
    ({"CPUQuota": "150%", "MemoryMax": "512M"}, {"GOMAXPROCS": "8"}, {"GOMEMLIMIT": "460MiB"}),
    ({"CPUQuota": "150%", "MemoryMax": "512M"}, {"GOMEMLIMIT": "100MiB"}, {"GOMAXPROCS": "2"}),
    ({"LimitNOFILE": 1024}, {}, {}),
])
def test_go_runtime_env(limits, env, expected):
    assert dict(go_runtime.go_runtime_env(limits, env)) == expected
    text, info = sr.render_unit(spec(limits=limits, environment=env), 252)
    assert info["derived_env"] == expected
    for key, value in expected.items():
        assert "Environment=%s=%s" % (key, value) in lines(text)


def test_memory_percentage_needs_total_memory():
    assert go_runtime.gomemlimit_for("50%", total_memory=None) is None
    assert go_runtime.gomemlimit_for("50%", total_memory=2 << 30) == "921MiB"


@pytest.mark.parametrize("bad", ["150", "1.5 cpus", "%"])
def test_bad_cpu_quota(bad):
    with pytest.raises(GofleetError, match="CPUQuota"):
        go_runtime.gomaxprocs_for(bad)


@pytest.mark.parametrize("arg,word", [
    ("plain", "plain"),
    (":8080", ":8080"),
    ("a b", '"a b"'),
    ("50%", "50%%"),
    ("$HOME", "$$HOME"),
    ('say "hi"', '"say \\"hi\\""'),
    ("", '""'),
])
def test_exec_quoting(arg, word):
    assert systemd_syntax.quote_exec_arg(arg) == word


@pytest.mark.parametrize("env,expected", [
    ({"A": "plain"}, ['A="plain"']),
    ({"B": 'q"$`\\'}, ['B="q\\"\\$\\`\\\\"']),
    ({"C": "two\nlines", "A": "1"}, ['A="1"', 'C="two', 'lines"']),
])
def test_env_file_text(env, expected):
    text = sr.env_file_text(env)
    assert text.splitlines()[0].startswith("#")
    assert text.splitlines()[1:] == expected


@pytest.mark.parametrize("name,ok", [
    ("hello", "hello"), ("hello.service", "hello"), ("api-v2_x.y", "api-v2_x.y"), ("tpl@1", "tpl@1"),
    ("../etc", None), ("a/b", None), ("", None), ("a b", None), (".service", None),
])
def test_names(name, ok):
    if ok:
        assert service_spec.validate_name(name) == ok
    else:
        with pytest.raises(GofleetError):
            service_spec.validate_name(name)


@pytest.mark.parametrize("check,arg", [
    (service_spec.validate_environment, {"1BAD": "x"}),
    (service_spec.validate_environment, {"A-B": "x"}),
    (service_spec.validate_address_families, ["inet"]),
    (service_spec.validate_limits, {"CPUShares": 10}),
    (service_spec.restart_settings, {"policy": "sometimes"}),
])
def test_input_errors_are_gofleet_errors(check, arg):
    with pytest.raises(GofleetError):
        check(arg)


@pytest.mark.parametrize("text,value", [
    ("→ Overall exposure level for hello.service: 1.2 OK 🙂", 1.2),
    ("Overall exposure level for x.service: 9.6 UNSAFE 😨", 9.6),
    ("nothing", None),
])
def test_parse_exposure(text, value):
    assert sr.parse_exposure(text) == value


def test_parse_systemd_version():
    assert sr.parse_systemd_version("systemd 252 (252.38-1~deb12u1)\n+PAM") == 252
    assert sr.parse_systemd_version("") is None


@pytest.mark.parametrize("arg,word", [
    ("two\nlines", '"two\\nlines"'),
    ("cr\rhere", '"cr\\rhere"'),
])
def test_exec_arg_line_breaks_are_escaped_never_literal(arg, word):
    # a literal newline would end ExecStart= and let the rest of the argument become a directive
    assert systemd_syntax.quote_exec_arg(arg) == word


@pytest.mark.parametrize("field,value,line", [
    ("user", "%u", "User=%%u"),
    ("group", "50%g", "Group=50%%g"),
    ("working_directory", "/srv/50%off", "WorkingDirectory=/srv/50%%off"),
    ("environment_file", "/etc/gofleet/env/%n.env", "EnvironmentFile=/etc/gofleet/env/%%n.env"),
    ("description", "100% Go, %H", "Description=100%% Go, %%H"),
])
def test_specifiers_in_fields_systemd_expands_are_escaped(field, value, line):
    # systemd expands %u, %n, %o ... in these fields: User=%u would run the service as root
    text, _info = sr.render_unit(spec(**{field: value}))
    assert line in lines(text)


def test_percentages_in_limits_are_not_specifiers():
    text, _info = sr.render_unit(spec(limits={"CPUQuota": "150%", "MemoryMax": "50%"}))
    assert "CPUQuota=150%" in lines(text) and "MemoryMax=50%" in lines(text)
