"""The go_service role's hello service, per host: running, answering, hardened for its systemd.

The strict profile is data (directive -> first systemd version that knows it, in
plugins/module_utils/service/systemd_render.py): the unit must hold exactly the directives this
host's systemd knows, `systemd-analyze verify` must have nothing to say about it, and where no
directive had to be left out the exposure must be at most 2.0. Each host prints a line
`gofleet-score: <host> systemd=<N> exposure=<X> skipped=<...>` (tests/molecule collects them).
"""

import shlex

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.service import systemd_render as render
from ansible_collections.gofleet.golang.plugins.module_utils.service.spec import DEFAULT_ADDRESS_FAMILIES
from ansible_collections.gofleet.golang.plugins.module_utils.service.systemd_manager import verify_problems

UNIT = "/etc/systemd/system/hello.service"
MAX_EXPOSURE = 2.0
HELLO = "import urllib.request as u; print(u.urlopen('http://127.0.0.1:8080/', timeout=5).read().decode(), end='')"


@pytest.fixture
def systemd(host):
    """This host's systemd version; the tests below are about systemd units."""
    if not host.file("/run/systemd/system").is_directory:
        pytest.skip("skipped: %s does not run systemd (runit is checked by tests/containers)" % host.backend.hostname)
    return render.parse_systemd_version(host.check_output("systemctl --version"))


def strict_on(version):
    return render.hardening_directives("strict", DEFAULT_ADDRESS_FAMILIES, version)


def unit_lines(host):
    return set(host.file(UNIT).content_string.splitlines())


def test_service_runs_enabled_and_answers(host, systemd):
    assert host.check_output("systemctl is-active hello") == "active"
    assert host.check_output("systemctl is-enabled hello") == "enabled"
    assert host.check_output("python3 -c %s" % shlex.quote(HELLO)) == "hello from molecule"


def test_files_owner_and_mode(host, systemd):
    binary = host.file("/usr/local/bin/hello")
    assert (binary.user, binary.group, binary.mode) == ("root", "root", 0o755)
    assert host.check_output("head -c 4 /usr/local/bin/hello | od -An -c | tr -d ' '") == "177ELF"
    unit = host.file(UNIT)
    assert (unit.user, unit.mode) == ("root", 0o644)
    env = host.file("/etc/gofleet/env/hello.env")
    assert (env.user, env.mode) == ("root", 0o600)


def test_runs_as_its_own_unprivileged_user(host, systemd):
    pid = host.check_output("systemctl show hello -p MainPID --value")
    uid = host.check_output("stat -c %%u /proc/%s" % pid)
    assert uid == str(host.user("hello").uid) and uid != "0"


def test_unit_holds_exactly_the_directives_this_systemd_knows(host, systemd):
    known, skipped = strict_on(systemd)
    lines = unit_lines(host)
    assert "# hardening: strict" in lines
    for key, value in known:
        for v in value if isinstance(value, list) else [value]:
            assert "%s=%s" % (key, v) in lines, (systemd, key)
    for key in skipped:
        assert not any(line.startswith(key + "=") for line in lines), (systemd, key)


def test_systemd_analyze_verify_is_clean(host, systemd):
    result = host.run("systemd-analyze verify %s" % UNIT)
    problems = verify_problems(result.stdout + "\n" + result.stderr, "hello.service", UNIT)
    assert result.rc == 0 and not problems, (systemd, problems or result.stderr)


def test_exposure(host, systemd):
    _known, skipped = strict_on(systemd)
    result = host.run("systemd-analyze security hello")
    score = render.parse_exposure(result.stdout + result.stderr)
    print("\ngofleet-score: %s systemd=%s exposure=%s skipped=%s"
          % (host.backend.hostname, systemd, score, ",".join(skipped) or "-"))
    assert score is not None, result.stdout[-2000:] + result.stderr
    if skipped:
        pytest.skip("skipped: systemd %s does not know %s: exposure %.1f not held to %.1f"
                    % (systemd, ", ".join(skipped), score, MAX_EXPOSURE))
    assert score <= MAX_EXPOSURE, (systemd, score)


def test_systemd_loaded_the_unit_without_a_complaint(host, systemd):
    # What systemd itself said when it loaded the unit: "<path>:<line>: Unknown key name ...".
    said = host.check_output("journalctl -b --no-pager -o cat | grep -F '%s:' || true" % UNIT)
    assert said == "", (systemd, said)
