# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""selinux_gocache and the gocache role for real, in containers, through ansible-playbook.

The kernel here runs with SELinux disabled, so labels on files cannot be observed; what is
real is the policy store: rules land in `semanage fcontext -l -C`, and `matchpathcon` answers
with them.  Hence `ignore_selinux_state: true` (the image-build / chroot case) on the
debian-selinux image, and the plain debian-systemd image as "a host without SELinux".
"""

from __future__ import annotations

import os

import pytest

import ansible_run

CACHE_PATHS = ["/var/cache/go-build", "/var/cache/gomod", "/srv/gomirror", "/usr/local/go",
               "/root/.cache/go-build"]


def run_play(tmp_path, container, tasks, check=False, diff=False, gather_facts=False, name="play"):
    """Run tasks on the container; return {task name: that host's result}, and the stats."""
    run = ansible_run.run_playbook(tmp_path, container, [{"name": name, "hosts": "all", "gather_facts": gather_facts,
                                                          "tasks": tasks}], name=name, check=check, diff=diff)
    return run.results, run.stats


def label_task(**args):
    return {"name": "label", "gofleet.golang.selinux_gocache": args}


def local_rules(container):
    """{expression: type} from `semanage fcontext -l -C`."""
    out = container.exec(["semanage", "fcontext", "-l", "-C"]).stdout
    rules = {}
    for line in out.splitlines():
        words = line.split()
        if len(words) >= 3 and words[0].startswith("/"):
            rules[words[0]] = words[-1].split(":")[2]
    return rules


def matchpathcon_type(container, path):
    out = container.exec(["matchpathcon", path]).stdout.split()
    return out[-1].split(":")[2]


@pytest.fixture(scope="module")
def selinux_host(engine, selinux_image):
    """One debian-selinux container for the module's tests (the policy store is the state)."""
    container = engine.container(selinux_image, network="none", command=["sleep", "infinity"])
    try:
        # a GOROOT-shaped tree and a few cache entries, so that paths have files under them
        container.exec("mkdir -p /usr/local/go/bin /usr/local/go/pkg/tool/linux_amd64 /usr/local/go/src "
                       "/var/cache/go-build/0a /var/cache/gomod/cache/download /srv/gomirror "
                       "/root/.cache/go-build && : > /usr/local/go/bin/go && chmod 755 /usr/local/go/bin/go "
                       "&& : > /var/cache/go-build/0a/0a1b-d && : > /srv/gomirror/list")
        yield container
    finally:
        container.remove()


EXPECTED = {
    # path -> (rule expression, type) the module must choose on Debian's refpolicy
    "/var/cache/go-build": (r"/var/cache/go-build(/.*)?", None),
    "/var/cache/gomod": (r"/var/cache/gomod(/.*)?", None),
    "/srv/gomirror": (r"/srv/gomirror(/.*)?", None),
    "/usr/local/go": (r"/usr/local/go(/.*)?", "usr_t"),
    "/usr/local/go/bin": (r"/usr/local/go/bin(/.*)?", "bin_t"),
    "/usr/local/go/pkg/tool": (r"/usr/local/go/pkg/tool(/.*)?", "bin_t"),
    "/root/.cache/go-build": (r"/root/\.cache/go-build(/.*)?", None),
}


def test_rules_labels_idempotence_and_removal(tmp_path, selinux_host):
    c = selinux_host
    assert local_rules(c) == {}
    sibling_type = {p: matchpathcon_type(c, os.path.join(os.path.dirname(p), "x")) for p in CACHE_PATHS}

    # check mode: predicts, changes nothing
    results = run_play(tmp_path, c, [label_task(path=CACHE_PATHS, ignore_selinux_state=True)],
                       check=True, diff=True, name="check")[0]
    predicted = results["label"]
    assert predicted["changed"] is True, predicted
    assert all(r["action"] == "add" for r in predicted["rules"])
    assert predicted["msg"].startswith("would add")
    assert local_rules(c) == {}

    # real run
    results = run_play(tmp_path, c, [label_task(path=CACHE_PATHS, ignore_selinux_state=True)],
                       diff=True, name="apply")[0]
    first = results["label"]
    assert first["changed"] is True, first
    assert [(r["path"], r["setype"]) for r in first["rules"]] == [(r["path"], r["setype"]) for r in predicted["rules"]]
    assert first["diff"] == predicted["diff"]
    assert "relabel skipped: SELinux is disabled" in first["msg"]
    chosen = {r["path"]: r["setype"] for r in first["rules"]}
    rules = local_rules(c)
    for path, (expression, expected_type) in EXPECTED.items():
        want = expected_type or sibling_type[path]  # the policy's own convention for the place
        assert chosen[path] == want, (path, first["rules"])
        assert rules.get(expression) == want, (expression, rules)
        # files (existing or not) under each path get the type
        for probe in (path, path + "/some/file", path + "/0a"):
            assert matchpathcon_type(c, probe) == want, probe
    assert set(rules) == set(pair[0] for pair in EXPECTED.values())
    for rule in first["rules"]:
        assert rule["reason"].startswith(rule["setype"] + ":")

    # second run: nothing to do
    results, stats = run_play(tmp_path, c, [label_task(path=CACHE_PATHS, ignore_selinux_state=True)], name="again")
    assert results["label"]["changed"] is False, results["label"]
    assert stats["changed"] == 0
    assert local_rules(c) == rules

    # an explicit setype replaces the type of one rule
    results = run_play(tmp_path, c, [label_task(path=["/srv/gomirror"], setype="public_content_t",
                                                ignore_selinux_state=True)], name="setype")[0]
    assert [r["action"] for r in results["label"]["rules"]] == ["modify"]
    assert local_rules(c)[r"/srv/gomirror(/.*)?"] == "public_content_t"

    # a type the policy does not know: one-line failure naming it, store untouched
    results = run_play(tmp_path, c, [label_task(path=["/srv/gomirror"], setype="gofleet_nosuch_t",
                                                ignore_selinux_state=True)], name="badtype")[0]
    assert results["label"]["failed"] is True
    assert "setype gofleet_nosuch_t" in results["label"]["msg"] and "\n" not in results["label"]["msg"]

    # absent removes every rule the module made, GOROOT exec rules included
    results = run_play(tmp_path, c, [label_task(path=CACHE_PATHS, state="absent", ignore_selinux_state=True)],
                       name="absent")[0]
    assert results["label"]["changed"] is True
    assert local_rules(c) == {}
    # back to the base policy (which has its own bin_t rule for any .../bin under /usr)
    assert matchpathcon_type(c, "/usr/local/go/src/go.mod") == sibling_type["/usr/local/go"]
    assert matchpathcon_type(c, "/var/cache/go-build/0a") == sibling_type["/var/cache/go-build"]
    results = run_play(tmp_path, c, [label_task(path=CACHE_PATHS, state="absent", ignore_selinux_state=True)],
                       name="absent-again")[0]
    assert results["label"]["changed"] is False


def local_ports(container):
    """{(proto, port): type} from `semanage port -l -C` (the local store only)."""
    out = container.exec(["semanage", "port", "-l", "-C"]).stdout
    ports = {}
    for line in out.splitlines():
        words = line.replace(",", " ").split()
        if len(words) >= 3 and words[0].endswith("_port_t"):
            for port in words[2:]:
                ports[(words[1], port)] = words[0]
    return ports


def policy_port_types(container, port):
    """Every type `semanage port -l` (base and local) lists `port` under, for tcp."""
    out = container.exec(["semanage", "port", "-l"]).stdout
    return sorted(line.split()[0] for line in out.splitlines()
                  if len(line.split()) >= 3 and line.split()[1] == "tcp"
                  and port in line.split(None, 2)[2].replace(" ", "").split(","))


def test_ports_through_the_policy_store(tmp_path, selinux_host):
    """The offline mirror's port rules (roles/offline_mirror/tasks/server.yml), read back with semanage."""
    c = selinux_host
    assert local_ports(c) == {}
    # seobject (and semanage port) name the protocol through /etc/protocols, which every real host
    # has (netbase, setup) and the minbase image lacks.
    c.exec("test -s /etc/protocols || printf 'tcp 6 TCP\\nudp 17 UDP\\n' > /etc/protocols")
    # 8080 is http_cache_port_t in the base policy: nginx may bind it, nothing to add.
    assert "http_cache_port_t" in policy_port_types(c, "8080")
    task = label_task(ports=["8080", "8099", "tcp/5432"], port_types=["http_port_t", "http_cache_port_t"],
                      ignore_selinux_state=True)
    predicted = run_play(tmp_path, c, [task], check=True, diff=True, name="ports-check")[0]["label"]
    assert predicted["changed"] is True and local_ports(c) == {}, predicted
    applied = run_play(tmp_path, c, [task], diff=True, name="ports")[0]["label"]
    assert [(p["port"], p["action"]) for p in applied["ports"]] == [(5432, "modify"), (8080, "none"), (8099, "add")]
    assert applied["ports"] == predicted["ports"] and applied["diff"] == predicted["diff"]
    # 8099 gets a local rule; 5432 (postgresql_port_t in the base policy) is overridden locally
    assert local_ports(c) == {("tcp", "8099"): "http_port_t", ("tcp", "5432"): "http_port_t"}, local_ports(c)
    assert "http_port_t" in policy_port_types(c, "8099")
    results, stats = run_play(tmp_path, c, [task], name="ports-again")
    assert results["label"]["changed"] is False and stats["changed"] == 0, results["label"]

    # a port that is not a number: one line naming it, store untouched
    bad = run_play(tmp_path, c, [label_task(ports=["80a"], ignore_selinux_state=True)], name="ports-bad")[0]["label"]
    assert bad["failed"] and "ports entry '80a'" in bad["msg"] and "\n" not in bad["msg"]

    # absent: the local rules go, the base policy's 8080 stays
    gone = run_play(tmp_path, c, [label_task(ports=["8080", "8099", "5432"], state="absent",
                                             port_types=["http_port_t", "http_cache_port_t"],
                                             ignore_selinux_state=True)], name="ports-absent")[0]["label"]
    assert gone["changed"] is True and local_ports(c) == {}, gone
    assert "http_cache_port_t" in policy_port_types(c, "8080")


def test_selinux_disabled_without_ignore_changes_nothing(tmp_path, selinux_host):
    results = run_play(tmp_path, selinux_host, [label_task(path=["/var/cache/go-build"])], name="disabled")[0]
    res = results["label"]
    assert res["changed"] is False and "SELinux is disabled on this host" in res["msg"], res
    assert res["selinux"]["present"] is True and res["selinux"]["enabled"] is False


def test_host_without_selinux(tmp_path, engine, debian_image):
    with engine.container(debian_image, network="none", command=["sleep", "infinity"]) as c:
        results, stats = run_play(tmp_path, c, [label_task(path=["/var/cache/go-build", "/var/cache/gomod"])],
                                  name="plain")
        res = results["label"]
        assert res["changed"] is False, res
        assert "SELinux is not present on this host" in res["msg"]
        assert stats["changed"] == 0 and stats["failures"] == 0
        # asking to manage a policy store anyway needs the bindings: say which packages
        results = run_play(tmp_path, c, [label_task(path=["/var/cache/go-build"], ignore_selinux_state=True)],
                           name="plain-ignore")[0]
        res = results["label"]
        assert res["failed"] is True
        assert res["msg"] == ("SELinux Python bindings missing (selinux and seobject): install python3-selinux "
                              "python3-semanage policycoreutils-python-utils (Debian family)")


def test_gocache_role(tmp_path, engine, selinux_image):
    with engine.container(selinux_image, network="none", command=["sleep", "infinity"]) as c:
        c.exec("useradd -m builder")
        role = {"name": "role", "ansible.builtin.include_role": {"name": "gofleet.golang.gocache"},
                "vars": {"gocache_selinux": "always", "gocache_members": ["builder"],
                         "gocache_selinux_install_packages": False}}
        show = {"name": "env", "ansible.builtin.debug": {"var": "gocache_env"}}
        results, stats = run_play(tmp_path, c, [role, show], gather_facts=True, name="role")
        assert stats["failures"] == 0, results
        assert results["env"]["gocache_env"] == {"GOCACHE": "/var/cache/go-build", "GOMODCACHE": "/var/cache/gomod"}
        assert stats["changed"] > 0
        for path in ("/var/cache/go-build", "/var/cache/gomod"):
            assert c.exec(["stat", "-c", "%a %U %G", path]).stdout.split() == ["2775", "root", "gocache"]
        assert "gocache" in c.exec(["id", "-nG", "builder"]).stdout.split()
        rules = local_rules(c)
        assert set(rules) == {r"/var/cache/go-build(/.*)?", r"/var/cache/gomod(/.*)?"}
        # the builder can write into the shared cache, and what it makes stays in the group
        c.exec("mkdir /var/cache/go-build/ab && : > /var/cache/go-build/ab/x", user="builder")
        assert c.exec(["stat", "-c", "%G", "/var/cache/go-build/ab/x"]).stdout.strip() == "gocache"

        results, stats = run_play(tmp_path, c, [role, show], gather_facts=True, name="role-again")
        assert stats["changed"] == 0 and stats["failures"] == 0, results
