# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Persistent SELinux file-context rules for Go caches, module mirrors and toolchains.

What selinux_gocache does, as plain functions the unit tests drive with fake bindings:

1. find out whether the node has SELinux at all, and whether its Python bindings are there;
2. pick a type for every path (the caller's `setype`, or the policy's own convention for that
   kind of location, explained in the result);
3. add, change or remove `<path>(/.*)?` rules in the policy store in ONE semanage transaction
   (either every rule lands or none does), the way `semanage fcontext -a/-m/-d` would;
4. relabel only the files whose type differs from what the policy now says;
5. give TCP ports a port type (the service's confined domain may bind only those), the way
   `semanage port -a/-m` would, in one transaction too; a port the policy already gives one of
   the accepted types is left alone.

The bindings (`selinux`, `seobject`) and `run_command` are the seams: `Host` carries them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import stat

from ansible_collections.gofleet.golang.plugins.module_utils import distro_family, drift
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

# --------------------------------------------------------------------------------------------
# Families and the packages that bring the bindings

BINDING_PACKAGES = {
    "RedHat": ["python3-libselinux", "python3-policycoreutils"],
    "Debian": ["python3-selinux", "python3-semanage", "policycoreutils-python-utils"],
    # Void ships no SELinux policy nor Python bindings in its official repositories.
    "Void": [],
}


def os_family(os_release_text, package_tools=None):
    """RedHat/Debian/Void by distro_family (the only family table, ID_LIKE before ID), or None."""
    try:
        return distro_family.resolve({}, os_release_text, package_tools)
    except GofleetError:
        return None


def missing_bindings_message(family, missing):
    """One line: what is missing and which packages bring it on this family."""
    what = " and ".join(missing)
    packages = BINDING_PACKAGES.get(family)
    if packages:
        return "SELinux Python bindings missing (%s): install %s (%s family)" % (
            what, " ".join(packages), family)
    if family == "Void":
        return ("SELinux Python bindings missing (%s): Void ships no SELinux bindings; build "
                "libselinux and libsemanage with their Python bindings" % what)
    return ("SELinux Python bindings missing (%s): install %s on RedHat-family or %s on "
            "Debian-family hosts" % (what, " ".join(BINDING_PACKAGES["RedHat"]),
                                     " ".join(BINDING_PACKAGES["Debian"])))


def import_bindings():
    """Return (selinux, seobject, missing): the modules or None, and the names that failed."""
    missing = []
    try:
        import selinux  # pylint: disable=import-error
    except ImportError:
        selinux = None
        missing.append("selinux")
    try:
        import seobject  # pylint: disable=import-error
    except Exception:  # seobject also raises non-ImportErrors when sepolicy cannot load
        seobject = None
        missing.append("seobject")
    return selinux, seobject, missing


# --------------------------------------------------------------------------------------------
# Paths and rules

FTYPE_ALL = "all files"
# regex metacharacters that must be literal in a file-context expression
_REGEX_SPECIAL = re.compile(r"([.^$*+?{}\[\]()|\\])")
GOROOT_EXEC_DIRS = ("bin", "pkg/tool")
PROBE_NAME = ".gofleet-sibling-probe"


def check_path(path):
    """Normalised absolute path, or a one-line GofleetError naming it."""
    if not isinstance(path, str) or not path:
        raise GofleetError("path %r: must be a non-empty absolute path" % (path,))
    if not path.startswith("/"):
        raise GofleetError("path %r is relative: give an absolute path such as /var/cache/go-build" % path)
    if re.search(r"\s", path):
        raise GofleetError("path %r contains whitespace, which file_contexts cannot express" % path)
    norm = os.path.normpath(path)
    if norm.startswith("//"):
        norm = "/" + norm.lstrip("/")
    if ".." in path.split("/"):
        raise GofleetError("path %r contains '..': give the real absolute path" % path)
    if norm == "/":
        raise GofleetError("path '/' would relabel the whole system: give a Go cache, mirror or GOROOT")
    return norm


def escape_path(path):
    return _REGEX_SPECIAL.sub(r"\\\1", path)


def rule_target(path):
    """The file-context expression covering `path` and everything below it."""
    return "%s(/.*)?" % escape_path(path)


def context_type(context):
    """'system_u:object_r:var_t:s0' -> 'var_t'."""
    parts = (context or "").split(":")
    return parts[2] if len(parts) >= 3 else None


def rule_line(target, entry):
    """A `semanage fcontext -l -C`-like line for diffs."""
    if entry is None:
        return "%s  %s  <<None>>" % (target, FTYPE_ALL)
    user, role, setype, level = entry
    context = "%s:%s:%s" % (user, role, setype)
    if level:
        context += ":" + level
    return "%s  %s  %s" % (target, FTYPE_ALL, context)


# --------------------------------------------------------------------------------------------
# Default types: the policy's conventions per kind of location

# kind -> types that are the policy's convention there, preferred first.  A type missing
# from the loaded policy is skipped (refpolicy and Fedora's policy name some differently).
CONVENTIONS = {
    "home_cache": ("cache_home_t", "xdg_cache_t", "xdg_cache_home_t", "user_home_t", "admin_home_t"),
    "home": ("user_home_t", "admin_home_t"),
    "var_cache": ("var_t",),
    "var_lib": ("var_lib_t", "var_t"),
    "srv": ("var_t", "public_content_t"),
    "tmp": ("tmp_t",),
    "goroot": ("usr_t", "lib_t"),
    "goroot_exec": ("bin_t",),
}

KIND_WORDS = {
    "home_cache": "a cache under a home directory",
    "home": "a directory under a home directory",
    "var_cache": "a system cache under /var/cache",
    "var_lib": "state under /var/lib",
    "srv": "served data under /srv",
    "tmp": "a temporary directory",
    "goroot": "a GOROOT",
    "goroot_exec": "GOROOT executables that builds and services run",
    "other": "a location with no Go convention",
}

# Types that say nothing about who uses a directory: seeing one of them on a sibling is no
# reason to keep it.  Any other type on a sibling is the policy saying what the place is for
# (e.g. httpd_sys_content_t under /srv/www) and is inherited.
GENERIC_TYPES = frozenset((
    "default_t", "file_t", "unlabeled_t", "root_t", "etc_t", "usr_t", "lib_t", "bin_t", "var_t",
    "var_lib_t", "tmp_t", "home_root_t", "user_home_dir_t", "user_home_t", "admin_home_t",
    "cache_home_t", "xdg_cache_t", "xdg_cache_home_t", "mnt_t", "src_t", "public_content_t",
))
UNUSABLE_TYPES = frozenset(("default_t", "file_t", "unlabeled_t", "root_t"))


def under(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def looks_like_goroot(path, isfile):
    if isfile(os.path.join(path, "bin", "go")):
        return True
    base = os.path.basename(path)
    parent = os.path.dirname(path)
    named = re.match(r"^go(-?\d+(\.\d+)*)?$", base) is not None
    return named and (under(parent, "/usr") or under(parent, "/opt"))


def classify(path, home_dirs, isfile=os.path.isfile):
    """The kind of location `path` is, one of CONVENTIONS' keys or 'other'."""
    for home in home_dirs:
        if under(path, home) and path != home:
            rel = path[len(home.rstrip("/")) + 1:].split("/")
            return "home_cache" if ".cache" in rel else "home"
    if looks_like_goroot(path, isfile):
        return "goroot"
    if under(path, "/var/cache"):
        return "var_cache"
    if under(path, "/var/lib"):
        return "var_lib"
    if under(path, "/srv"):
        return "srv"
    if under(path, "/tmp") or under(path, "/var/tmp"):
        return "tmp"
    return "other"


def choose_type(path, kind, sibling_type, known_types):
    """(setype, reason) for `path` of `kind`, given what the policy labels its siblings.

    Order: the siblings' type when it is one of the kind's conventions; the siblings' type
    when it is specific (the policy says what this place is for); the first convention the
    loaded policy knows.  Looking at a sibling (parent/<probe>), never at the path itself,
    keeps the answer the same once our own rule exists.
    """
    words = KIND_WORDS[kind]
    parent = os.path.dirname(path)
    candidates = CONVENTIONS.get(kind, ())
    if sibling_type and sibling_type in candidates:
        return sibling_type, "%s: the policy labels entries of %s %s, the convention for %s" % (
            sibling_type, parent, sibling_type, words)
    if sibling_type and sibling_type not in GENERIC_TYPES:
        return sibling_type, "%s: the policy labels entries of %s %s; kept for %s" % (
            sibling_type, parent, sibling_type, words)
    for candidate in candidates:
        if not known_types or candidate in known_types:
            return candidate, "%s: convention for %s (the policy labels entries of %s %s)" % (
                candidate, words, parent, sibling_type or "nothing")
    if kind == "other" and sibling_type and sibling_type not in UNUSABLE_TYPES:
        return sibling_type, "%s: %s; kept the type the policy gives entries of %s" % (
            sibling_type, words, parent)
    raise GofleetError(
        "path %s: no type to choose for %s (the policy labels entries of %s %s and knows none of %s); "
        "pass setype" % (path, words, parent, sibling_type or "nothing", ", ".join(candidates) or "no convention"))


# --------------------------------------------------------------------------------------------
# The node, as the planner sees it

class Host(object):
    """Everything the planner asks of the node.  Unit tests pass fakes for every field."""

    def __init__(self, run_command, selinux=None, seobject=None, missing=None, family=None,
                 selinux_present=None, restorecon_bin=None, home_dirs=None, check_mode=False,
                 isfile=os.path.isfile, walk=None, lstat=os.lstat):
        self.run_command = run_command
        self.selinux = selinux
        self.seobject = seobject
        self.missing = missing if missing is not None else []
        self.family = family
        self.selinux_present = selinux_present if selinux_present is not None else host_has_selinux()
        self.restorecon_bin = restorecon_bin
        self.home_dirs = home_dirs if home_dirs is not None else default_home_dirs()
        self.check_mode = check_mode
        self.isfile = isfile
        self.walk = walk or walk_tree
        self.lstat = lstat


def host_has_selinux(sysfs_roots=("/sys/fs/selinux", "/selinux"), config="/etc/selinux/config"):
    """True when the kernel exposes selinuxfs, or the config asks for SELinux at boot."""
    for root in sysfs_roots:
        if os.path.exists(os.path.join(root, "enforce")):
            return True
    try:
        with open(config) as f:
            for line in f:
                m = re.match(r"\s*SELINUX\s*=\s*(\w+)", line)
                if m:
                    return m.group(1).lower() in ("enforcing", "permissive")
    except (IOError, OSError):
        pass
    return False


def default_home_dirs():
    homes = set(["/home", "/root"])
    try:
        import pwd
        for entry in pwd.getpwall():
            d = entry.pw_dir or ""
            if entry.pw_uid >= 1000 and d.startswith("/") and d not in ("/", "/nonexistent") \
                    and not d.startswith(("/var", "/usr", "/srv", "/opt", "/run", "/proc", "/dev", "/bin")):
                homes.add(os.path.normpath(d))
    except Exception:
        pass
    return sorted(homes, key=len, reverse=True)


def walk_tree(root):
    """Yield `root` and every entry below it (symlinks listed, never followed)."""
    if not os.path.lexists(root):
        return
    yield root
    if os.path.islink(root) or not os.path.isdir(root):
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            yield os.path.join(dirpath, name)


# --------------------------------------------------------------------------------------------
# The run

RELABEL_CHUNK = 500
RESULT_PATH_LIMIT = 100


class Run(object):
    """One selinux_gocache invocation: check state, plan rules, commit, relabel."""

    def __init__(self, host, paths, setype=None, state="present", restore=True, ignore_selinux_state=False,
                 ports=None, port_types=None):
        self.host = host
        self.paths = [check_path(p) for p in paths or []]
        self.ports = [check_port(p) for p in ports or []]
        self.port_types = [check_port_type(t) for t in port_types or [DEFAULT_PORT_TYPE]]
        if not self.paths and not self.ports:
            raise GofleetError("path: give at least one directory (or ports)")
        if setype is not None and not re.match(r"^[A-Za-z0-9_]+$", setype):
            raise GofleetError("setype %r is not an SELinux type name (like var_t)" % setype)
        self.setype = setype
        self.state = state
        self.restore = restore
        self.ignore_selinux_state = ignore_selinux_state
        self.label_items = []  # drift.item per mislabelled path (the first RESULT_PATH_LIMIT)
        self.result = dict(changed=False, rules=[], ports=[], relabeled=[], relabel_count=0,
                           relabel_skipped=None, not_applicable=None,
                           selinux=dict(present=False, enabled=False), drift_items=[], drift=[])

    # -- state -----------------------------------------------------------------------------
    def selinux_status(self):
        """None to go on, or a message for a host where there is nothing to do."""
        host = self.host
        status = self.result["selinux"]
        if host.missing:
            if host.selinux_present or self.ignore_selinux_state:
                raise GofleetError(missing_bindings_message(host.family, host.missing))
            return ("SELinux is not present on this host (no selinuxfs, no SELinux config, no Python "
                    "bindings): nothing labelled; set ignore_selinux_state to manage a policy store anyway")
        status["present"] = True
        status["enabled"] = host.selinux.is_selinux_enabled() == 1
        if status["enabled"]:
            try:
                status["mode"] = "enforcing" if host.selinux.security_getenforce() == 1 else "permissive"
            except OSError:
                status["mode"] = "unknown"
        else:
            status["mode"] = "disabled"
        try:
            status["policy"] = host.selinux.selinux_getpolicytype()[1]
        except (OSError, IndexError, TypeError):
            status["policy"] = None
        if not status["enabled"] and not self.ignore_selinux_state:
            return ("SELinux is disabled on this host: no rules added, nothing relabelled; set "
                    "ignore_selinux_state to manage the policy store anyway (image builds, chroots)")
        return None

    # -- policy queries --------------------------------------------------------------------
    def policy_type(self, path, mode=0):
        try:
            rc, con = self.host.selinux.matchpathcon(path, mode)
        except OSError:
            return None
        return context_type(con)

    def open_records(self):
        try:
            records = self.host.seobject.fcontextRecords("")
        except (ValueError, OSError, RuntimeError) as e:
            raise GofleetError("cannot open the SELinux policy store: %s (is a policy package installed?)"
                               % str(e).strip())
        records.set_reload(bool(self.result["selinux"]["enabled"]))
        return records

    # -- plan ------------------------------------------------------------------------------
    def desired_rules(self, known_types):
        """[(path, target, setype, reason)] for state=present, parents before children."""
        planned = []  # (path, setype): rules already decided, used to answer sibling probes

        def predicted(probe):
            best = None
            for p, t in planned:
                if under(probe, p) and (best is None or len(p) > len(best[0])):
                    best = (p, t)
            return best[1] if best else self.policy_type(probe, stat.S_IFDIR)

        rules = []
        for path in sorted(set(self.paths), key=lambda p: (p.count("/"), p)):
            if self.setype:
                if known_types and self.setype not in known_types:
                    raise GofleetError("setype %s: the loaded SELinux policy (%s) knows no file type of that name"
                                       % (self.setype, self.result["selinux"].get("policy") or "unknown"))
                entries = [(path, self.setype, "%s: given as setype" % self.setype)]
            else:
                kind = classify(path, self.host.home_dirs, self.host.isfile)
                sibling = predicted(os.path.join(os.path.dirname(path), PROBE_NAME))
                setype, reason = choose_type(path, kind, sibling, known_types)
                entries = [(path, setype, reason)]
                if kind == "goroot":
                    for sub in GOROOT_EXEC_DIRS:
                        sub_path = os.path.join(path, sub)
                        exec_type, exec_reason = choose_type(sub_path, "goroot_exec", setype, known_types)
                        entries.append((sub_path, exec_type, exec_reason))
            for p, t, reason in entries:
                planned.append((p, t))
                rules.append((p, rule_target(p), t, reason))
        return rules

    def plan(self, records):
        """Compare desired rules with the local store: [(action, path, target, new, old, reason)]."""
        try:
            local = records.get_all(True)
        except (ValueError, OSError, RuntimeError) as e:  # opened, but listing it failed
            raise GofleetError("cannot read the local file-context rules of the SELinux policy store: %s"
                               % str(e).strip())
        known = set(getattr(records, "valid_types", None) or [])
        actions = []
        if self.state == "present":
            for path, target, setype, reason in self.desired_rules(known):
                old = local.get((target, FTYPE_ALL))
                old_type = old[2] if old else None
                if old is None:
                    action = "add"
                elif old_type != setype:
                    action = "modify"
                else:
                    action = "none"
                actions.append((action, path, target, setype, old, reason))
        else:
            for path in sorted(set(self.paths)):
                for p in [path] + [os.path.join(path, sub) for sub in GOROOT_EXEC_DIRS]:
                    target = rule_target(p)
                    old = local.get((target, FTYPE_ALL))
                    if old is not None or p == path:
                        actions.append(("remove" if old is not None else "none", p, target, None, old,
                                        "state=absent" if old is not None else "no local rule"))
        return local, actions

    # -- apply -----------------------------------------------------------------------------
    def commit(self, records, actions):
        """All rule changes in one semanage transaction: all land or none."""
        todo = [a for a in actions if a[0] != "none"]
        if not todo:
            return
        try:
            records.start()
            for action, path, target, setype, old, reason in todo:
                if action == "add":
                    try:
                        records.add(target, setype, "a", "", "system_u")
                    except ValueError as e:
                        if "already defined" not in str(e):
                            raise
                        records.modify(target, setype, "a", "", "")  # defined by the base policy
                elif action == "modify":
                    records.modify(target, setype, "a", "", "")
                else:
                    records.delete(target, "a")
            records.finish()
        except (ValueError, OSError, RuntimeError) as e:
            raise GofleetError("semanage fcontext for %s failed, policy store unchanged: %s"
                               % (", ".join(a[2] for a in todo), str(e).strip()))

    def expected_type_fn(self, actions):
        """How to know a file's type once the rules are in place.

        After a real commit, ask the refreshed policy.  In check mode predict: the type of the
        most specific planned rule covering the file; for removals, the type the policy gives
        the removed path's siblings.
        """
        sel = self.host.selinux
        if not self.host.check_mode:
            fini = getattr(sel, "matchpathcon_fini", None)
            if fini:
                fini()  # drop the file_contexts this process cached before the commit
            return self.policy_type
        overrides = []
        for action, path, target, setype, old, reason in actions:
            if self.state == "present":
                overrides.append((path, setype))
            elif action == "remove":
                overrides.append((path, self.policy_type(os.path.join(os.path.dirname(path), PROBE_NAME),
                                                         stat.S_IFDIR)))

        def predict(path, mode=0):
            best = None
            for p, t in overrides:
                if under(path, p) and (best is None or len(p) > len(best[0])):
                    best = (p, t)
            return best[1] if best else self.policy_type(path, mode)
        return predict

    def mislabelled(self, expected_type):
        """Every entry under the paths whose current type is not the expected one."""
        sel = self.host.selinux
        found = []
        roots = sorted(set(self.paths))
        # a path nested in another one is walked with its parent, once
        roots = [r for r in roots if not any(o != r and under(r, o) for o in roots)]
        for root in roots:
            for path in self.host.walk(root):
                try:
                    mode = self.host.lstat(path).st_mode
                except OSError:
                    continue
                want = expected_type(path, mode)
                if want is None:
                    continue
                try:
                    have = context_type(sel.lgetfilecon(path)[1])
                except OSError:
                    have = None  # no label at all
                if have != want:
                    found.append(path)
                    if len(self.label_items) < RESULT_PATH_LIMIT:
                        self.label_items.append(drift.item(path, "label", want, have))
        return found

    def relabel(self, paths):
        host = self.host
        if host.restorecon_bin:
            for i in range(0, len(paths), RELABEL_CHUNK):
                chunk = paths[i:i + RELABEL_CHUNK]
                rc, out, err = host.run_command([host.restorecon_bin, "-F", "--"] + chunk)
                if rc != 0:
                    first = (err or out or "").strip().splitlines()
                    raise GofleetError("restorecon failed (rc=%d) on %s: %s"
                                       % (rc, chunk[0], first[0] if first else "no output"))
            return
        for path in paths:
            try:
                host.selinux.restorecon(path)
            except OSError as e:
                raise GofleetError("restorecon of %s failed: %s" % (path, e.strerror or e))

    # -- the whole thing -------------------------------------------------------------------
    def execute(self):
        res = self.result
        message = self.selinux_status()
        if message:
            res["msg"] = res["not_applicable"] = message
            return res
        port_msg = self.label_ports() if self.ports else None
        if not self.paths:
            res["msg"] = port_msg
            return res
        records = self.open_records()
        actions = self.plan(records)[1]
        changing = [a for a in actions if a[0] != "none"]

        before = [rule_line(a[2], a[4]) for a in actions if a[4] is not None]
        after = []
        for action, path, target, setype, old, reason in actions:
            if action == "remove":
                continue
            if action in ("add", "modify"):
                user = old[0] if old else "system_u"
                role = old[1] if old else "object_r"
                level = old[3] if old else ("s0" if getattr(self.host.seobject, "is_mls_enabled", 0) == 1 else "")
                after.append(rule_line(target, (user, role, setype, level)))
            elif old is not None:
                after.append(rule_line(target, old))
        port_diff = res.get("diff") or dict(before="", after="")
        res["diff"] = dict(before="\n".join(before) + ("\n" if before else "") + port_diff["before"],
                           after="\n".join(after) + ("\n" if after else "") + port_diff["after"])
        for action, path, target, setype, old, reason in actions:
            res["rules"].append(dict(path=path, target=target, setype=setype,
                                     previous=old[2] if old else None, action=action, reason=reason))
            if action != "none":
                # A rule to add, change or remove is drift of the policy store: the rule's type, or none.
                res["drift_items"].append(drift.item(target, "rule", setype, old[2] if old else None))

        if changing and not self.host.check_mode:
            self.commit(records, actions)
        res["changed"] = bool(changing) or res["changed"]

        if not self.restore:
            res["relabel_skipped"] = "restore is false"
        elif not res["selinux"]["enabled"]:
            res["relabel_skipped"] = ("SELinux is disabled: files get these labels at the first relabel "
                                      "after it is enabled (touch /.autorelabel)")
        else:
            wrong = self.mislabelled(self.expected_type_fn(actions))
            res["drift_items"].extend(self.label_items)
            res["relabel_count"] = len(wrong)
            res["relabeled"] = wrong[:RESULT_PATH_LIMIT]
            if wrong:
                res["changed"] = True
                if not self.host.check_mode:
                    self.relabel(wrong)

        res["drift"] = [drift.line(i) for i in res["drift_items"]]
        verb = {"add": "added", "modify": "changed", "remove": "removed"}
        if self.host.check_mode:
            verb = {"add": "would add", "modify": "would change", "remove": "would remove"}
        parts = ["%s %s" % (verb[a[0]], a[2]) for a in changing]
        if res["relabel_count"]:
            verb_relabel = "would relabel" if self.host.check_mode else "relabelled"
            parts.append("%s %d path(s)" % (verb_relabel, res["relabel_count"]))
        if res["relabel_skipped"] and changing:
            parts.append("relabel skipped: " + res["relabel_skipped"])
        res["msg"] = "; ".join((parts or ["rules and labels already as wanted"]) + ([port_msg] if port_msg else []))
        return res

    # -- ports -----------------------------------------------------------------------------
    def label_ports(self):
        """Plan and (unless check mode) commit the port rules; fills result["ports"] -> a message."""
        try:
            records = self.host.seobject.portRecords("")
            records.set_reload(bool(self.result["selinux"]["enabled"]))
            policy, local = records.get_all(), records.get_all(True)
        except (ValueError, OSError, RuntimeError) as e:
            raise GofleetError("cannot read the port rules of the SELinux policy store: %s" % str(e).strip())
        actions = plan_ports(policy, local, self.ports, self.port_types, self.state)
        self.result["ports"] = [dict(port=port, proto="tcp", setype=new, previous=old, action=action)
                                for action, port, new, old in actions]
        todo = [a for a in actions if a[0] != "none"]
        if todo and not self.host.check_mode:
            commit_ports(records, todo)
        if todo:
            self.result["changed"] = True
            lines = self.result.setdefault("diff", dict(before="", after=""))
            for action, port, new, old in todo:
                lines["before"] += "%s tcp %d\n" % (old, port) if old else ""
                lines["after"] += "%s tcp %d\n" % (new, port) if new else ""
        verb = "would give" if self.host.check_mode else "gave"
        return ("%s %s" % (verb, ", ".join("tcp/%d %s" % (a[1], a[2] or "no local type") for a in todo))) if todo \
            else "ports already as wanted"


DEFAULT_PORT_TYPE = "http_port_t"


def check_port(port):
    try:
        number = int(str(port).rsplit("/", 1)[-1])
    except ValueError:
        number = 0
    if str(port).count("/") > 1 or (str(port).count("/") == 1 and not str(port).startswith("tcp/")) \
            or not 0 < number < 65536:
        raise GofleetError("ports entry %r is not a TCP port number (1-65535)" % (port,))
    return number


def check_port_type(port_type):
    if not re.match(r"^[A-Za-z0-9_]+_port_t$", port_type or ""):
        raise GofleetError("port_types entry %r is not an SELinux port type (like http_port_t)" % (port_type,))
    return port_type


def port_types_of(policy, port, proto="tcp"):
    """Types the policy gives `port` (base and local rules), the narrowest range first."""
    hits = [(high - low, entry[0]) for (low, high, p), entry in policy.items() if p == proto and low <= port <= high]
    return [t for _width, t in sorted(hits)]


def plan_ports(policy, local, ports, port_types, state="present"):
    """[(action, port, new type, old type)]: add, modify, remove or none.

    policy: every rule (base and local), local: the local store's rules, both as seobject's
    get_all() gives them. present: a port whose narrowest rule already has one of `port_types` is
    left alone, else it gets port_types[0] (modify when a rule for exactly that port exists).
    absent: only a local rule for exactly that port with one of `port_types` is removed (a
    base-policy rule cannot be, and is left alone).
    """
    # get_all() keys base and local rules alike: for a port the local store overrides (semanage
    # port -m on a base rule) it may answer the base type, so the local rule is laid over it.
    merged = dict(policy)
    merged.update(local)
    actions = []
    for port in sorted(set(ports)):
        current = port_types_of(merged, port)
        exact = merged.get((port, port, "tcp"))
        if state == "absent":
            mine = local.get((port, port, "tcp"))
            removable = mine is not None and mine[0] in port_types
            actions.append(("remove" if removable else "none", port, None, current[0] if current else None))
        elif current and current[0] in port_types:
            actions.append(("none", port, current[0], current[0]))
        else:
            actions.append(("modify" if exact else "add", port, port_types[0], current[0] if current else None))
    return actions


def commit_ports(records, todo):
    """All port changes in one semanage transaction: all land or none."""
    try:
        records.start()
        for action, port, new, _old in todo:
            if action == "add":
                records.add(str(port), "tcp", "", new)
            elif action == "modify":
                records.modify(str(port), "tcp", "", new)
            else:
                records.delete(str(port), "tcp")
        records.finish()
    except (ValueError, OSError, RuntimeError) as e:
        # seobject logs each change with socket.getprotobyname(): a host without /etc/protocols
        # (a minimal image without netbase) fails there, as `semanage port` itself does.
        hint = " (/etc/protocols is missing)" if "protocol not found" in str(e) else ""
        raise GofleetError("semanage port for %s failed, policy store unchanged: %s%s"
                           % (", ".join("tcp/%d" % a[1] for a in todo), str(e).strip(), hint))


def run(host, paths, setype=None, state="present", restore=True, ignore_selinux_state=False, ports=None,
        port_types=None):
    return Run(host, paths, setype, state, restore, ignore_selinux_state, ports, port_types).execute()
