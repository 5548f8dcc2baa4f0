# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""selinux_labels against fake `selinux` / `seobject` bindings injected through Host.

FakePolicy is a tiny policy store: base rules (regex -> type), local rules (what
`semanage fcontext -a` adds), current file labels, and the file tree.  matchpathcon answers
from local rules first, then base rules, most specific (longest expression) first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import stat

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import selinux_labels as sl
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

TARGETED_BASE = [
    (r"/.*", "default_t"),
    (r"/var(/.*)?", "var_t"),
    (r"/var/cache(/.*)?", "var_t"),
    (r"/var/lib(/.*)?", "var_lib_t"),
    (r"/srv(/.*)?", "var_t"),
    (r"/srv/www(/.*)?", "httpd_sys_content_t"),
    (r"/usr(/.*)?", "usr_t"),
    (r"/usr/lib(/.*)?", "lib_t"),
    (r"/usr/local/bin(/.*)?", "bin_t"),
    (r"/opt(/.*)?", "usr_t"),
    (r"/home/[^/]+(/.*)?", "user_home_t"),
    (r"/home/[^/]+/\.cache(/.*)?", "cache_home_t"),
    (r"/root(/.*)?", "admin_home_t"),
    (r"/tmp(/.*)?", "tmp_t"),
]
TARGETED_TYPES = set(setype for expression, setype in TARGETED_BASE) | set(["bin_t", "public_content_t", "httpd_cache_t"])

# Debian's refpolicy calls the per-user cache xdg_cache_t and has no cache_home_t.
REFPOLICY_BASE = [r for r in TARGETED_BASE if "cache_home_t" not in r[1]] + [
    (r"/home/[^/]+/\.cache(/.*)?", "xdg_cache_t"),
]
REFPOLICY_TYPES = (TARGETED_TYPES - set(["cache_home_t"])) | set(["xdg_cache_t"])


class FakePolicy(object):
    def __init__(self, base=None, types=None, enabled=True, files=None, labels=None, mls=1):
        self.base = list(base if base is not None else TARGETED_BASE)
        self.types = set(types if types is not None else TARGETED_TYPES)
        self.enabled = enabled
        self.local = {}  # (target, ftype_str) -> (user, role, type, level)
        self.files = dict(files or {})  # path -> "d" | "f" | "l"
        self.labels = dict(labels or {})  # path -> type
        self.commits = 0
        self.reload = None
        self.mls = mls
        self.fail_on = None  # target whose add raises inside the transaction

    def lookup(self, path):
        for rules in (sorted(((k[0], v[2]) for k, v in self.local.items()), key=lambda r: -len(r[0])),
                      sorted(self.base, key=lambda r: -len(r[0]))):
            for expr, setype in rules:
                if re.match("^(?:%s)$" % expr, path):
                    return setype
        return None


class FakeSelinux(object):
    def __init__(self, policy):
        self.p = policy
        self.fini_calls = 0
        self.restored = []

    def is_selinux_enabled(self):
        return 1 if self.p.enabled else 0

    def security_getenforce(self):
        return 1

    def selinux_getpolicytype(self):
        return (0, "targeted")

    def matchpathcon(self, path, mode):
        t = self.p.lookup(path)
        if t is None:
            raise OSError(2, "No such file or directory")
        return (0, "system_u:object_r:%s:s0" % t)

    def matchpathcon_fini(self):
        self.fini_calls += 1

    def lgetfilecon(self, path):
        if path not in self.p.labels:
            raise OSError(61, "No data available")
        ctx = "system_u:object_r:%s:s0" % self.p.labels[path]
        return (len(ctx) + 1, ctx)

    def restorecon(self, path):
        self.restored.append(path)
        self.p.labels[path] = self.p.lookup(path)


class FakeRecords(object):
    def __init__(self, policy):
        self.p = policy
        self.valid_types = sorted(policy.types)
        self.staged = None

    def set_reload(self, load):
        self.p.reload = load

    def get_all(self, locallist=0):
        assert locallist
        return dict(self.p.local)

    def start(self):
        self.staged = dict(self.p.local)

    def finish(self):
        self.p.local = self.staged
        self.staged = None
        self.p.commits += 1

    def _check_type(self, setype):
        if setype not in self.p.types:
            raise ValueError("Type %s is invalid, must be a file or device type" % setype)

    def add(self, target, setype, ftype, serange, seuser):
        assert self.staged is not None, "rules must change inside a transaction"
        self._check_type(setype)
        if target == self.p.fail_on:
            raise ValueError("Could not add file context for %s" % target)
        key = (target, "all files")
        if key in self.staged:
            raise ValueError("File context for %s already defined" % target)
        self.staged[key] = (seuser or "system_u", "object_r", setype, "s0")

    def modify(self, target, setype, ftype, serange, seuser):
        assert self.staged is not None
        self._check_type(setype)
        key = (target, "all files")
        user, role, old_setype, level = self.staged.get(key) or ("system_u", "object_r", None, "s0")
        self.staged[key] = (user, role, setype, level)

    def delete(self, target, ftype):
        assert self.staged is not None
        del self.staged[(target, "all files")]


class FakeSeobject(object):
    def __init__(self, policy):
        self.p = policy
        self.is_mls_enabled = policy.mls

    def fcontextRecords(self, store):
        return FakeRecords(self.p)


class FakeStat(object):
    def __init__(self, kind):
        self.st_mode = {"d": stat.S_IFDIR, "f": stat.S_IFREG, "l": stat.S_IFLNK}[kind] | 0o755


def relabel(policy):
    """restorecon's answer: the paths after `--` get the label the fake policy gives them."""
    def restorecon(argv, **kw):
        for path in argv[argv.index("--") + 1:]:
            policy.labels[path] = policy.lookup(path)
        return 0, "", ""
    return restorecon


@pytest.fixture
def make_host(run_command):
    """make_host(policy, ...) -> (host, its run_command fake): restorecon relabels in `policy`, any
    other command fails the test."""
    return lambda policy, *a, **kw: _make_host(run_command([(["restorecon"], relabel(policy))], strict=True),
                                               policy, *a, **kw)


def _make_host(rc, policy, check_mode=False, missing=None, family=None, present=True, restorecon="/sbin/restorecon",
               homes=("/home/alice", "/root", "/home")):

    def walk(root):
        for path in sorted(policy.files):
            if path == root or path.startswith(root + "/"):
                yield path

    host = sl.Host(
        run_command=rc,
        selinux=None if missing and "selinux" in missing else FakeSelinux(policy),
        seobject=None if missing and "seobject" in missing else FakeSeobject(policy),
        missing=missing or [],
        family=family,
        selinux_present=present,
        restorecon_bin=restorecon,
        home_dirs=list(homes),
        check_mode=check_mode,
        isfile=lambda p: policy.files.get(p) == "f",
        walk=walk,
        lstat=lambda p: FakeStat(policy.files[p]),
    )
    return host, rc


def rules_of(result):
    return [(r["path"], r["setype"], r["action"]) for r in result["rules"]]


# ---------------------------------------------------------------------------------------------
# pure helpers

@pytest.mark.parametrize("text, family", [
    ('ID=rocky\nID_LIKE="rhel centos fedora"\n', "RedHat"),
    ('ID=openEuler\n', "RedHat"),
    ('ID=kylin\n', "RedHat"),
    # Kylin desktop: ID_LIKE decides before ID, as in distro_family (it once said RedHat here).
    ('ID=kylin\nID_LIKE="ubuntu debian"\n', "Debian"),
    ('ID="debian"\n', "Debian"),
    ('ID=uos\nID_LIKE=debian\n', "Debian"),
    ('ID=linuxmint\nID_LIKE="ubuntu debian"\n', "Debian"),
    ('ID="void"\n', "Void"),
    ('ID=someos\nID_LIKE=rhel\n', "RedHat"),
    ('ID=arch\n', None),
    ("", None),
])
def test_os_family(text, family):
    assert sl.os_family(text) == family


@pytest.mark.parametrize("path, target", [
    ("/var/cache/go-build", r"/var/cache/go-build(/.*)?"),
    ("/var/cache/go-build/", r"/var/cache/go-build(/.*)?"),
    ("/home/alice/.cache/go-build", r"/home/alice/\.cache/go-build(/.*)?"),
    ("/opt/go1.22.12", r"/opt/go1\.22\.12(/.*)?"),
    ("/srv/mirror+x", r"/srv/mirror\+x(/.*)?"),
    ("//srv//gomirror", r"/srv/gomirror(/.*)?"),
])
def test_rule_target(path, target):
    assert sl.rule_target(sl.check_path(path)) == target


@pytest.mark.parametrize("path, words", [
    ("var/cache/go-build", "is relative"),
    ("~/go", "is relative"),
    ("", "non-empty absolute"),
    ("/var/cache/go build", "whitespace"),
    ("/var/cache/../go", "'..'"),
    ("/", "whole system"),
])
def test_bad_path_fails_naming_it(path, words):
    with pytest.raises(GofleetError) as e:
        sl.check_path(path)
    assert words in e.value.message
    assert "\n" not in e.value.message


@pytest.mark.parametrize("path, files, kind", [
    ("/home/alice/.cache/go-build", {}, "home_cache"),
    ("/root/.cache/go-build", {}, "home_cache"),
    ("/home/alice/go/pkg/mod", {}, "home"),
    ("/var/cache/go-build", {}, "var_cache"),
    ("/var/lib/gomirror", {}, "var_lib"),
    ("/srv/gomirror", {}, "srv"),
    ("/tmp/gocache", {}, "tmp"),
    ("/usr/local/go", {}, "goroot"),
    ("/opt/go1.22.12", {}, "goroot"),
    ("/usr/lib/go-1.22", {}, "goroot"),
    ("/data/toolchains/current", {"/data/toolchains/current/bin/go": "f"}, "goroot"),
    ("/var/cache/go", {}, "var_cache"),
    ("/data/gocache", {}, "other"),
])
def test_classify(path, files, kind):
    assert sl.classify(path, ["/home/alice", "/root", "/home"], lambda p: files.get(p) == "f") == kind


# ---------------------------------------------------------------------------------------------
# default types per kind of path

@pytest.mark.parametrize("base, types, path, files, expected", [
    (TARGETED_BASE, TARGETED_TYPES, "/var/cache/go-build", {}, [("/var/cache/go-build", "var_t")]),
    (TARGETED_BASE, TARGETED_TYPES, "/var/cache/gomod", {}, [("/var/cache/gomod", "var_t")]),
    (TARGETED_BASE, TARGETED_TYPES, "/home/alice/.cache/go-build", {},
     [("/home/alice/.cache/go-build", "cache_home_t")]),
    (REFPOLICY_BASE, REFPOLICY_TYPES, "/home/alice/.cache/go-build", {},
     [("/home/alice/.cache/go-build", "xdg_cache_t")]),
    (TARGETED_BASE, TARGETED_TYPES, "/home/alice/go/pkg/mod", {}, [("/home/alice/go/pkg/mod", "user_home_t")]),
    (TARGETED_BASE, TARGETED_TYPES, "/root/go/pkg/mod", {}, [("/root/go/pkg/mod", "admin_home_t")]),
    (TARGETED_BASE, TARGETED_TYPES, "/srv/gomirror", {}, [("/srv/gomirror", "var_t")]),
    # the policy says what /srv/www is for: keep it rather than break the web server
    (TARGETED_BASE, TARGETED_TYPES, "/srv/www/gomirror", {}, [("/srv/www/gomirror", "httpd_sys_content_t")]),
    (TARGETED_BASE, TARGETED_TYPES, "/var/lib/gomirror", {}, [("/var/lib/gomirror", "var_lib_t")]),
    (TARGETED_BASE, TARGETED_TYPES, "/usr/local/go", {}, [
        ("/usr/local/go", "usr_t"), ("/usr/local/go/bin", "bin_t"), ("/usr/local/go/pkg/tool", "bin_t")]),
    (TARGETED_BASE, TARGETED_TYPES, "/usr/lib/go-1.22", {}, [
        ("/usr/lib/go-1.22", "lib_t"), ("/usr/lib/go-1.22/bin", "bin_t"), ("/usr/lib/go-1.22/pkg/tool", "bin_t")]),
    # a GOROOT found by its bin/go where the policy only says var_lib_t: the table's usr_t
    (TARGETED_BASE, TARGETED_TYPES, "/var/lib/toolchains/go", {"/var/lib/toolchains/go/bin/go": "f"}, [
        ("/var/lib/toolchains/go", "usr_t"), ("/var/lib/toolchains/go/bin", "bin_t"),
        ("/var/lib/toolchains/go/pkg/tool", "bin_t")]),
    # no /var/cache rule in this policy (siblings are default_t): the table's var_t
    ([(r"/.*", "default_t")], TARGETED_TYPES, "/var/cache/go-build", {}, [("/var/cache/go-build", "var_t")]),
    # a policy without any of the cache types: falls back to the home type it knows
    ([(r"/.*", "default_t")], set(["user_home_t", "var_t"]), "/home/alice/.cache/go-build", {},
     [("/home/alice/.cache/go-build", "user_home_t")]),
    # unknown place with a meaningful sibling type: inherited
    (TARGETED_BASE + [(r"/export(/.*)?", "nfs_t")], TARGETED_TYPES | set(["nfs_t"]), "/export/gocache", {},
     [("/export/gocache", "nfs_t")]),
])
def test_default_setype(make_host, base, types, path, files, expected):
    policy = FakePolicy(base=base, types=types, files=files)
    host = make_host(policy)[0]
    res = sl.run(host, [path])
    assert [(r["path"], r["setype"]) for r in res["rules"]] == expected
    for rule in res["rules"]:
        assert rule["reason"].startswith(rule["setype"] + ":")  # the choice is explained
    # and the rules are really in the store with those types
    assert sorted((k[0], v[2]) for k, v in policy.local.items()) == sorted(
        (sl.rule_target(p), t) for p, t in expected)


def test_default_setype_unknown_place_asks_for_setype(make_host):
    host = make_host(FakePolicy())[0]
    with pytest.raises(GofleetError) as e:
        sl.run(host, ["/data/gocache"])
    assert "path /data/gocache" in e.value.message and "pass setype" in e.value.message


def test_explicit_setype_one_rule_even_for_goroot(make_host):
    policy = FakePolicy()
    host = make_host(policy)[0]
    res = sl.run(host, ["/usr/local/go"], setype="bin_t")
    assert rules_of(res) == [("/usr/local/go", "bin_t", "add")]
    assert res["rules"][0]["reason"] == "bin_t: given as setype"


@pytest.mark.parametrize("setype, words", [
    ("nosuch_t", "setype nosuch_t: the loaded SELinux policy (targeted) knows no file type"),
    ("var_t;rm", "is not an SELinux type name"),
])
def test_bad_setype(make_host, setype, words):
    policy = FakePolicy()
    host = make_host(policy)[0]
    with pytest.raises(GofleetError) as e:
        sl.run(host, ["/var/cache/go-build"], setype=setype)
    assert words in e.value.message
    assert policy.local == {} and policy.commits == 0


# ---------------------------------------------------------------------------------------------
# rules: add, already there, change, remove

T_BUILD = r"/var/cache/go-build(/.*)?"
T_MOD = r"/var/cache/gomod(/.*)?"


@pytest.mark.parametrize("local, state, setype, actions, changed, commits", [
    ({}, "present", None, [("/var/cache/go-build", "var_t", "add"), ("/var/cache/gomod", "var_t", "add")], True, 1),
    ({(T_BUILD, "all files"): ("system_u", "object_r", "var_t", "s0"),
      (T_MOD, "all files"): ("system_u", "object_r", "var_t", "s0")},
     "present", None, [("/var/cache/go-build", "var_t", "none"), ("/var/cache/gomod", "var_t", "none")], False, 0),
    ({(T_BUILD, "all files"): ("system_u", "object_r", "tmp_t", "s0")},
     "present", None, [("/var/cache/go-build", "var_t", "modify"), ("/var/cache/gomod", "var_t", "add")], True, 1),
    ({}, "present", "httpd_cache_t",
     [("/var/cache/go-build", "httpd_cache_t", "add"), ("/var/cache/gomod", "httpd_cache_t", "add")], True, 1),
    ({(T_BUILD, "all files"): ("system_u", "object_r", "var_t", "s0")},
     "absent", None, [("/var/cache/go-build", None, "remove"), ("/var/cache/gomod", None, "none")], True, 1),
    ({}, "absent", None, [("/var/cache/go-build", None, "none"), ("/var/cache/gomod", None, "none")], False, 0),
])
def test_rule_actions(make_host, local, state, setype, actions, changed, commits):
    policy = FakePolicy()
    policy.local = dict(local)
    host, rc = make_host(policy)
    res = sl.run(host, ["/var/cache/go-build", "/var/cache/gomod"], setype=setype, state=state)
    assert rules_of(res) == actions
    assert res["changed"] is changed
    assert policy.commits == commits
    assert rc.calls == []  # no files exist, nothing to relabel
    if state == "absent":
        assert policy.local == {}


def test_absent_removes_goroot_exec_rules_too(make_host):
    policy = FakePolicy()
    host = make_host(policy)[0]
    sl.run(host, ["/usr/local/go"])
    assert len(policy.local) == 3
    res = sl.run(host, ["/usr/local/go"], state="absent")
    assert [r["action"] for r in res["rules"]] == ["remove", "remove", "remove"]
    assert policy.local == {} and policy.commits == 2


def test_second_run_changes_nothing_nested_paths(make_host):
    policy = FakePolicy(files={"/srv/go": "d", "/srv/go/mod": "d", "/srv/go/mod/x.zip": "f"},
                        labels={"/srv/go": "user_home_t", "/srv/go/mod": "var_t", "/srv/go/mod/x.zip": "tmp_t"})
    host, rc = make_host(policy)
    first = sl.run(host, ["/srv/go/mod", "/srv/go"])
    assert first["changed"] and first["relabel_count"] == 2
    second = sl.run(host, ["/srv/go", "/srv/go/mod"])
    assert not second["changed"], second
    assert [r["setype"] for r in second["rules"]] == [r["setype"] for r in first["rules"]]
    assert second["msg"] == "rules and labels already as wanted"
    assert len(rc.calls) == 1


def test_transaction_failure_leaves_store_unchanged(make_host):
    policy = FakePolicy()
    policy.fail_on = T_MOD
    host = make_host(policy)[0]
    with pytest.raises(GofleetError) as e:
        sl.run(host, ["/var/cache/go-build", "/var/cache/gomod"])
    assert "policy store unchanged" in e.value.message and T_MOD in e.value.message
    assert policy.local == {} and policy.commits == 0


def test_rule_defined_by_base_policy_is_modified_locally(make_host):
    policy = FakePolicy()

    class Records(FakeRecords):
        def add(self, target, setype, ftype, serange, seuser):
            raise ValueError("File context for %s already defined" % target)

    class Seobject(FakeSeobject):
        def fcontextRecords(self, store):
            return Records(self.p)

    host = make_host(policy)[0]
    host.seobject = Seobject(policy)
    res = sl.run(host, ["/var/cache/go-build"])
    assert res["changed"] and policy.local[(T_BUILD, "all files")][2] == "var_t"


def test_diff_shows_rules_before_and_after(make_host):
    policy = FakePolicy()
    policy.local = {(T_BUILD, "all files"): ("system_u", "object_r", "tmp_t", "s0")}
    host = make_host(policy)[0]
    res = sl.run(host, ["/var/cache/go-build", "/var/cache/gomod"])
    assert res["diff"]["before"] == "%s  all files  system_u:object_r:tmp_t:s0\n" % T_BUILD
    assert res["diff"]["after"] == (
        "%s  all files  system_u:object_r:var_t:s0\n%s  all files  system_u:object_r:var_t:s0\n" % (T_BUILD, T_MOD))


# ---------------------------------------------------------------------------------------------
# SELinux absent, disabled, bindings missing

@pytest.mark.parametrize("missing, family, present, ignore, outcome", [
    # not an SELinux host at all: nothing to do, said plainly
    (["selinux", "seobject"], "Debian", False, False, "SELinux is not present on this host"),
    # an SELinux host without bindings: fail with this family's packages
    (["selinux", "seobject"], "RedHat", True, False, "install python3-libselinux python3-policycoreutils (RedHat family)"),
    (["seobject"], "RedHat", True, False, "missing (seobject): install python3-libselinux python3-policycoreutils"),
    (["selinux", "seobject"], "Debian", True, False,
     "install python3-selinux python3-semanage policycoreutils-python-utils (Debian family)"),
    (["selinux", "seobject"], "Void", True, False, "Void ships no SELinux bindings"),
    (["selinux", "seobject"], None, True, False, "on RedHat-family or"),
    # asked to manage the store anyway: bindings are required
    (["selinux", "seobject"], "Debian", False, True, "install python3-selinux python3-semanage"),
])
def test_missing_bindings(make_host, missing, family, present, ignore, outcome):
    host = make_host(FakePolicy(), missing=missing, family=family, present=present)[0]
    if present or ignore:
        with pytest.raises(GofleetError) as e:
            sl.run(host, ["/var/cache/go-build"], ignore_selinux_state=ignore)
        assert outcome in e.value.message
    else:
        res = sl.run(host, ["/var/cache/go-build"], ignore_selinux_state=ignore)
        assert res["changed"] is False and outcome in res["msg"]
        assert res["selinux"]["present"] is False


@pytest.mark.parametrize("ignore, changed, local_after, msg", [
    (False, False, 0, "SELinux is disabled on this host"),
    (True, True, 1, "relabel skipped: SELinux is disabled"),
])
def test_selinux_disabled(make_host, ignore, changed, local_after, msg):
    policy = FakePolicy(enabled=False, files={"/var/cache/go-build": "d"}, labels={})
    host, rc = make_host(policy)
    res = sl.run(host, ["/var/cache/go-build"], ignore_selinux_state=ignore)
    assert res["changed"] is changed and msg in res["msg"]
    assert len(policy.local) == local_after
    assert res["selinux"]["mode"] == "disabled"
    assert rc.calls == []
    if ignore:
        assert policy.reload is False  # no policy load on a disabled kernel


# ---------------------------------------------------------------------------------------------
# relabelling only where labels differ, and check mode

TREE = {
    "/var/cache/go-build": "d",
    "/var/cache/go-build/00": "d",
    "/var/cache/go-build/00/a-d": "f",
    "/var/cache/go-build/README": "f",
    "/var/cache/go-build/trim.txt": "f",
}


@pytest.mark.parametrize("labels, wrong", [
    ({p: "var_t" for p in TREE}, []),
    (dict({p: "var_t" for p in TREE}, **{"/var/cache/go-build/00/a-d": "user_home_t"}), ["/var/cache/go-build/00/a-d"]),
    (dict({p: "var_t" for p in TREE}, **{"/var/cache/go-build": "tmp_t", "/var/cache/go-build/README": None}),
     ["/var/cache/go-build", "/var/cache/go-build/README"]),
])
def test_restorecon_only_where_labels_differ(make_host, labels, wrong):
    policy = FakePolicy(files=TREE, labels={k: v for k, v in labels.items() if v})
    policy.local = {(T_BUILD, "all files"): ("system_u", "object_r", "var_t", "s0")}
    host, rc = make_host(policy)
    res = sl.run(host, ["/var/cache/go-build"])
    assert res["relabel_count"] == len(wrong) and res["relabeled"] == wrong
    assert rc.calls == ([["/sbin/restorecon", "-F", "--"] + wrong] if wrong else [])
    assert res["changed"] is bool(wrong)
    assert all(policy.labels[p] == "var_t" for p in TREE)
    assert host.selinux.fini_calls == 1  # the policy is re-read after the commit


def test_relabel_in_chunks(make_host, monkeypatch):
    monkeypatch.setattr(sl, "RELABEL_CHUNK", 2)
    policy = FakePolicy(files=TREE, labels={})
    host, rc = make_host(policy)
    res = sl.run(host, ["/var/cache/go-build"])
    assert res["relabel_count"] == 5
    assert [len(c) - 3 for c in rc.calls] == [2, 2, 1]


def test_restorecon_failure_is_one_line(make_host, run_command):
    policy = FakePolicy(files=TREE, labels={})
    host = make_host(policy)[0]
    host.run_command = run_command([(["restorecon"], (255, "", "restorecon: Could not set context\nmore\n"))])
    with pytest.raises(GofleetError) as e:
        sl.run(host, ["/var/cache/go-build"])
    assert e.value.message == "restorecon failed (rc=255) on /var/cache/go-build: restorecon: Could not set context"


def test_restorecon_binding_used_without_binary(make_host):
    policy = FakePolicy(files=TREE, labels={"/var/cache/go-build": "var_t"})
    host, rc = make_host(policy, restorecon=None)
    res = sl.run(host, ["/var/cache/go-build"])
    assert rc.calls == [] and len(host.selinux.restored) == 4 == res["relabel_count"]


def test_restore_false_never_walks(make_host):
    policy = FakePolicy(files=TREE, labels={})
    host, rc = make_host(policy)
    res = sl.run(host, ["/var/cache/go-build"], restore=False)
    assert rc.calls == [] and res["relabel_skipped"] == "restore is false" and res["relabel_count"] == 0


@pytest.mark.parametrize("state, local, labels, actions, would_relabel", [
    # present: the new rule is not there yet; prediction uses it
    ("present", {}, {"/var/cache/go-build": "var_t", "/var/cache/go-build/00": "tmp_t"},
     ["add"], ["/var/cache/go-build/00", "/var/cache/go-build/00/a-d", "/var/cache/go-build/README",
               "/var/cache/go-build/trim.txt"]),
    ("present", {(T_BUILD, "all files"): ("system_u", "object_r", "tmp_t", "s0")},
     {p: "tmp_t" for p in TREE}, ["modify"], sorted(TREE)),
    ("present", {(T_BUILD, "all files"): ("system_u", "object_r", "var_t", "s0")},
     {p: "var_t" for p in TREE}, ["none"], []),
    # absent: files carry the removed rule's type; the siblings' type (var_t) is predicted
    ("absent", {(T_BUILD, "all files"): ("system_u", "object_r", "httpd_cache_t", "s0")},
     {p: "httpd_cache_t" for p in TREE}, ["remove"], sorted(TREE)),
])
def test_check_mode_predicts_exactly_and_changes_nothing(make_host, state, local, labels, actions, would_relabel):
    def fresh():
        policy = FakePolicy(files=TREE, labels=labels)
        policy.local = dict(local)
        return policy

    policy = fresh()
    host, rc = make_host(policy, check_mode=True)
    predicted = sl.run(host, ["/var/cache/go-build"], state=state)
    assert [r["action"] for r in predicted["rules"]] == actions
    assert predicted["relabeled"] == would_relabel
    assert policy.local == local and policy.labels == labels and policy.commits == 0 and rc.calls == []
    if would_relabel or actions != ["none"]:
        assert predicted["msg"].startswith("would ")

    real_policy = fresh()
    host, rc = make_host(real_policy)
    real = sl.run(host, ["/var/cache/go-build"], state=state)
    assert real["changed"] == predicted["changed"]
    assert real["relabeled"] == predicted["relabeled"]
    assert [r["action"] for r in real["rules"]] == actions
    assert real["diff"] == predicted["diff"]


def test_selinux_status_in_result(make_host):
    host = make_host(FakePolicy())[0]
    res = sl.run(host, ["/var/cache/go-build"])
    assert res["selinux"] == dict(present=True, enabled=True, mode="enforcing", policy="targeted")


def test_policy_store_unavailable(make_host):
    policy = FakePolicy()

    class Seobject(FakeSeobject):
        def fcontextRecords(self, store):
            raise ValueError("SELinux policy is not managed or store cannot be accessed.")

    host = make_host(policy)[0]
    host.seobject = Seobject(policy)
    with pytest.raises(GofleetError) as e:
        sl.run(host, ["/var/cache/go-build"])
    assert e.value.message.startswith("cannot open the SELinux policy store: SELinux policy is not managed")


def test_no_paths(make_host):
    host = make_host(FakePolicy())[0]
    with pytest.raises(GofleetError):
        sl.run(host, [])


def test_host_has_selinux(tmp_path):
    sysfs = tmp_path / "sys"
    sysfs.mkdir()
    config = tmp_path / "config"
    assert sl.host_has_selinux((str(sysfs),), str(config)) is False
    config.write_text("# x\nSELINUX=disabled\n")
    assert sl.host_has_selinux((str(sysfs),), str(config)) is False
    config.write_text("SELINUX=enforcing\n")
    assert sl.host_has_selinux((str(sysfs),), str(config)) is True
    config.write_text("")
    (sysfs / "enforce").write_text("1")
    assert sl.host_has_selinux((str(sysfs),), str(config)) is True


def test_walk_tree_lists_links_without_following(tmp_path):
    root = tmp_path / "c"
    (root / "d").mkdir(parents=True)
    (root / "d" / "f").write_text("x")
    (root / "l").symlink_to("/etc")
    got = sorted(p[len(str(tmp_path)):] for p in sl.walk_tree(str(root)))
    assert got == ["/c", "/c/d", "/c/d/f", "/c/l"]
    assert list(sl.walk_tree(str(tmp_path / "missing"))) == []


@pytest.mark.parametrize("error", [
    ValueError("Could not list local file contexts"),
    OSError(13, "Permission denied"),
])
def test_policy_store_unreadable_fails_in_one_line(make_host, error):
    # seobject opens the store fine but raises when listing it (another semanage holds it, no rights)
    policy = FakePolicy()

    class Records(FakeRecords):
        def get_all(self, locallist=0):
            raise error

    class Seobject(FakeSeobject):
        def fcontextRecords(self, store):
            return Records(self.p)

    host = make_host(policy)[0]
    host.seobject = Seobject(policy)
    with pytest.raises(GofleetError) as e:
        sl.run(host, ["/var/cache/go-build"])
    assert e.value.message.startswith("cannot read the local file-context rules of the SELinux policy store")


# ---------------------------------------------------------------- ports (semanage port, through seobject)

# A slice of the Debian/RHEL policy: 8080 is http_cache_port_t, 5432 postgresql_port_t, the rest unreserved.
BASE_PORTS = {
    (80, 80, "tcp"): ("http_port_t", "s0"),
    (8080, 8080, "tcp"): ("http_cache_port_t", "s0"),
    (5432, 5432, "tcp"): ("postgresql_port_t", "s0"),
    (1024, 65535, "tcp"): ("unreserved_port_t", "s0"),
    (8099, 8099, "udp"): ("other_port_t", "s0"),
}
PORT_TYPES = ["http_port_t", "http_cache_port_t"]


class FakePortRecords(object):
    """seobject.portRecords over BASE_PORTS plus a local store; add/modify refuse like semanage does."""

    def __init__(self, local):
        self.local = local
        self.staged = None
        self.commits = 0
        self.reload = None

    def set_reload(self, load):
        self.reload = load

    def get_all(self, locallist=0):
        # as the real one answers: a base rule the local store overrides still shows its base type
        merged = dict(self.local)
        merged.update(BASE_PORTS)
        return dict(self.local) if locallist else merged

    def start(self):
        self.staged = dict(self.local)

    def finish(self):
        self.local.clear()
        self.local.update(self.staged)
        self.staged = None
        self.commits += 1

    def add(self, port, proto, serange, setype):
        key = (int(port), int(port), proto)
        if key in self.staged or key in BASE_PORTS:
            raise ValueError("Port %s/%s already defined" % (proto, port))
        self.staged[key] = (setype, "s0")

    def modify(self, port, proto, serange, setype):
        key = (int(port), int(port), proto)
        if key not in self.staged and key not in BASE_PORTS:
            raise ValueError("Port %s/%s is not defined" % (proto, port))
        self.staged[key] = (setype, "s0")

    def delete(self, port, proto):
        key = (int(port), int(port), proto)
        if key not in self.staged:
            raise ValueError("Port %s/%s is defined in policy, cannot be deleted" % (proto, port))
        del self.staged[key]


@pytest.mark.parametrize("port, state, local, expected", [
    (8080, "present", {}, ("none", 8080, "http_cache_port_t", "http_cache_port_t")),  # an accepted type
    (80, "present", {}, ("none", 80, "http_port_t", "http_port_t")),
    (8099, "present", {}, ("add", 8099, "http_port_t", "unreserved_port_t")),        # udp rule is not tcp
    (5432, "present", {}, ("modify", 5432, "http_port_t", "postgresql_port_t")),     # exact base rule
    (8099, "absent", {(8099, 8099, "tcp"): ("http_port_t", "s0")}, ("remove", 8099, None, "http_port_t")),
    (8080, "absent", {}, ("none", 8080, None, "http_cache_port_t")),                 # base rule stays
    (5432, "absent", {}, ("none", 5432, None, "postgresql_port_t")),                 # not ours
])
def test_plan_ports(port, state, local, expected):
    policy = dict(BASE_PORTS)
    policy.update(local)
    assert sl.plan_ports(policy, local, [port], PORT_TYPES, state) == [expected]


@pytest.fixture
def port_host(make_host):
    """port_host(local, check_mode=False) -> (host, its port records over `local`)."""
    def make(local, check_mode=False):
        host = make_host(FakePolicy(), check_mode=check_mode)[0]
        records = FakePortRecords(local)
        host.seobject.portRecords = lambda store: records
        return host, records
    return make


def test_ports_land_in_one_transaction_and_a_second_run_changes_nothing(port_host):
    local = {}
    host, records = port_host(local, check_mode=True)
    res = sl.run(host, [], ports=["8099", "tcp/5432", "8080"], port_types=PORT_TYPES)
    assert res["changed"] and records.commits == 0 and local == {}
    assert "would give tcp/5432 http_port_t, tcp/8099 http_port_t" in res["msg"], res["msg"]

    host, records = port_host(local)
    res = sl.run(host, [], ports=["8099", "tcp/5432", "8080"], port_types=PORT_TYPES)
    assert res["changed"] and records.commits == 1
    assert local == {(8099, 8099, "tcp"): ("http_port_t", "s0"), (5432, 5432, "tcp"): ("http_port_t", "s0")}
    assert [(p["port"], p["action"], p["previous"]) for p in res["ports"]] == [
        (5432, "modify", "postgresql_port_t"), (8080, "none", "http_cache_port_t"), (8099, "add", "unreserved_port_t")]
    assert "http_port_t tcp 8099" in res["diff"]["after"] and "postgresql_port_t tcp 5432" in res["diff"]["before"]

    host, records = port_host(local)
    res = sl.run(host, [], ports=["8099", "5432", "8080"], port_types=PORT_TYPES)
    assert not res["changed"] and records.commits == 0 and res["msg"] == "ports already as wanted"


def test_ports_and_paths_in_one_run(make_host):
    policy = FakePolicy(base={"/srv(/.*)?": "var_t"}, types={"var_t", "httpd_sys_content_t"})
    host = make_host(policy)[0]
    records = FakePortRecords({})
    host.seobject.portRecords = lambda store: records
    res = sl.run(host, ["/srv/gomirror"], setype="httpd_sys_content_t", ports=["8099"], port_types=PORT_TYPES)
    assert res["changed"] and records.commits == 1 and policy.commits == 1
    assert "gave tcp/8099 http_port_t" in res["msg"] and "/srv/gomirror" in res["msg"], res["msg"]


@pytest.mark.parametrize("ports, port_types, words", [
    (["80a"], None, "ports entry '80a' is not a TCP port number"),
    (["udp/53"], None, "ports entry 'udp/53' is not a TCP port number"),
    (["70000"], None, "ports entry '70000'"),
    (["8080"], ["httpd_sys_content_t"], "port_types entry 'httpd_sys_content_t' is not an SELinux port type"),
])
def test_bad_port_input_fails_naming_it(port_host, ports, port_types, words):
    host = port_host({})[0]
    with pytest.raises(GofleetError) as e:
        sl.run(host, [], ports=ports, port_types=port_types)
    assert words in e.value.message and "\n" not in e.value.message


def test_port_transaction_that_fails_leaves_the_store_unchanged(port_host):
    local = {}
    host, records = port_host(local)

    def refuse(*args):
        raise ValueError("Could not add port")
    records.add = refuse
    with pytest.raises(GofleetError) as e:
        sl.run(host, [], ports=["8099"], port_types=PORT_TYPES)
    assert "semanage port for tcp/8099 failed, policy store unchanged: Could not add port" in e.value.message
    assert local == {} and records.commits == 0
