# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""state=built: a mirror made by `go mod download` on a connected host, plus its bundle.

plan() does the downloading, into scratch space (the system tmp in check mode), and decides
what the mirror and the bundle gain; apply() puts exactly that in place. Requirements add to
what the mirror already holds; nothing is fetched twice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import re
import shutil

from ansible_collections.gofleet.golang.plugins.module_utils import atomic
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_bundle as gb
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_index as gi
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_sumdb as gs
from ansible_collections.gofleet.golang.plugins.module_utils import gomod_tree as gt
from ansible_collections.gofleet.golang.plugins.module_utils import goproxy_paths as gp
from ansible_collections.gofleet.golang.plugins.module_utils.artifact import UrlOptions, fetch_bytes, sha256_file
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

_MODVER_RE = re.compile(r"^(?P<path>[^@\s]+)@(?P<version>[^@\s]+)$")


def parse_requirement(item):
    """'path/to/go.mod' -> ('gomod', path); 'example.com/m@v1.2.3' -> ('module', m, v)."""
    text = (item or "").strip()
    if not text:
        raise GofleetError("requirements: empty entry")
    if text.endswith("go.mod") or os.path.sep in text and os.path.exists(text):
        if not os.path.isabs(text):
            raise GofleetError("requirements: go.mod file %r must be an absolute path" % text)
        if not os.path.isfile(text):
            raise GofleetError("requirements: go.mod file %s does not exist" % text)
        return ("gomod", text)
    match = _MODVER_RE.match(text)
    if not match:
        raise GofleetError("requirements: %r is neither a go.mod file nor module@version" % text)
    try:
        gp.check_module_path(match.group("path"))
        gp.check_version(match.group("version"))
    except GofleetError as e:
        raise GofleetError("requirements: %s: %s (exact versions keep the mirror reproducible)" % (text, e.message))
    return ("module", match.group("path"), match.group("version"))


def parse_go_sum(text, label="go.sum"):
    """{(module, version): h1} where version is 'v1.2.3' or 'v1.2.3/go.mod'."""
    sums = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3 or not fields[2].startswith("h1:"):
            raise GofleetError("%s line %d is malformed: %r" % (label, number, line.strip()))
        key = (fields[0], fields[1])
        if key in sums and sums[key] != fields[2]:
            raise GofleetError("%s lists %s %s twice with different hashes" % (label, fields[0], fields[1]))
        sums[key] = fields[2]
    return sums


def check_go_env(go_env):
    """go_env as strings; the module's own settings cannot be overridden."""
    for key in sorted(go_env or {}):
        if key in PROTECTED_ENV:
            raise GofleetError("go_env: %s is set by the module (use upstream/gosumdb for GOPROXY/GOSUMDB)" % key)
    return dict((k, str(v)) for k, v in (go_env or {}).items())


def check_requirements(requirements):
    if not requirements:
        raise GofleetError("requirements: at least one go.mod file or module@version is needed for state=built")
    return [parse_requirement(item) for item in requirements]


def resolve_go(go, find_bin):
    """The go binary to run: a bare name looked up on PATH (find_bin), which must be executable."""
    found = go
    if os.path.sep not in go:
        found = find_bin(go) or go
    if not (os.path.isfile(found) and os.access(found, os.X_OK)):
        raise GofleetError("go %s is not an executable (set the go option to the go binary)" % go)
    return found


def go_environment(work, upstream, gosumdb=None, extra=None):
    """A hermetic go environment: staging module cache, throwaway HOME/GOPATH, no user go.env."""
    env = {
        "HOME": os.path.join(work, "home"),
        "GOPATH": os.path.join(work, "gopath"),
        "GOMODCACHE": os.path.join(work, "modcache"),
        "GOCACHE": os.path.join(work, "gocache"),
        "GOENV": "off",
        "GOPROXY": upstream,
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GONOPROXY": "",
        "GOPRIVATE": "",
        "GONOSUMDB": "",
        "GOINSECURE": "",
        "GOWORK": "off",
    }
    if gosumdb:
        env["GOSUMDB"] = gosumdb
    env.update(extra or {})
    for key in ("HOME", "GOPATH", "GOMODCACHE", "GOCACHE"):
        atomic.makedirs(env[key], 0o700)
    return env


def go_error(err, out=""):
    """The line of go's output that says what went wrong (progress lines dropped)."""
    lines = [ln.strip() for ln in ((err or "") + "\n" + (out or "")).splitlines() if ln.strip()]
    useful = [ln for ln in lines if not ln.startswith(("go: downloading", "go: finding", "go: extracting"))]
    return (useful or lines or ["no output"])[0]


def download(run_command, go, requirements, work, env):
    """Run `go mod download` for every requirement into the staging module cache.

    Returns [(label, go.sum dict)] for the go.sum files read beside go.mod requirements.
    """
    sums = []
    modules = []
    for index, item in enumerate(requirements):
        req = parse_requirement(item)
        if req[0] == "module":
            modules.append("%s@%s" % (req[1], req[2]))
            continue
        gomod = req[1]
        gosum = os.path.join(os.path.dirname(gomod) or ".", "go.sum")
        moddir = os.path.join(work, "req%d" % index)
        atomic.makedirs(moddir, 0o700)
        shutil.copyfile(gomod, os.path.join(moddir, "go.mod"))
        if os.path.isfile(gosum):
            shutil.copyfile(gosum, os.path.join(moddir, "go.sum"))
            sums.append((gosum, parse_go_sum(gi.read_bytes(gosum).decode("utf-8", "replace"), gosum)))
        rc, out, err = run_command([go, "mod", "download", "all"], cwd=moddir, environ_update=env)
        if rc != 0:
            raise GofleetError("go mod download for requirement %s failed: %s" % (gomod, go_error(err, out)))
    if modules:
        moddir = os.path.join(work, "modules")
        atomic.makedirs(moddir, 0o700)
        rc, out, err = run_command([go, "mod", "download"] + modules, cwd=moddir, environ_update=env)
        if rc != 0:
            raise GofleetError("go mod download for requirements %s failed: %s" % (" ".join(modules), go_error(err, out)))
    return sums


def export(work, dest):
    """Copy the staging cache/download tree (filtered) into dest.

    go's own sumdb cache is left out: capture_sumdb() takes what every client order needs.
    """
    source = os.path.join(work, "modcache", "cache", "download")
    for rel in gi.walk_files(source) if os.path.isdir(source) else []:
        if gi.classify(rel) not in (None, ("sumdb",)):
            gt.place_file(os.path.join(dest, rel), source=os.path.join(source, rel))


def sumdb_proxy(req, fetch):
    """The first upstream proxy that serves the checksum database (as go picks it), or None
    when gosumdb is off. fetch(url) -> bytes raises GofleetError for an error answer."""
    name = gs.sumdb_name(req.gosumdb)
    if name is None:
        return None
    proxies = gs.proxy_urls(req.upstream)
    for proxy in proxies:
        try:
            fetch("%s/sumdb/%s/supported" % (proxy, name))
            return proxy
        except GofleetError:
            continue
    raise GofleetError(
        "gosumdb: no http(s) proxy in upstream %r serves sumdb/%s/supported, so the mirror cannot carry the "
        "checksum database; set gosumdb: off to build without it" % (req.upstream, name))


def _fetcher(timeout=60):
    options = UrlOptions(timeout=timeout)
    return lambda url: fetch_bytes(url, options, "checksum database answer", gs.MAX_ANSWER)


def capture_sumdb(req, current, merged, fetch=None, workers=8):
    """{rel: bytes}: the lookups, tiles, latest and supported the merged mirror's modules need,
    fetched from the upstream proxy (what the mirror holds is reused) and verified."""
    fetch = fetch or _fetcher()
    proxy = sumdb_proxy(req, fetch)
    if proxy is None:
        return {}

    def read_have(rel):
        full = os.path.join(req.path, rel)
        return gi.read_bytes(full) if rel in current["files"] and os.path.isfile(full) else None

    def fetch_many(rels):
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return dict(zip(rels, pool.map(lambda rel: fetch("%s/%s" % (proxy, rel)), rels)))

    capture = gs.Capture(gs.sumdb_name(req.gosumdb), read_have, lambda rel: fetch("%s/%s" % (proxy, rel)), fetch_many)
    return capture.run(merged["modules"])


PROTECTED_ENV = ("GOMODCACHE", "GOPATH", "HOME", "GOCACHE", "GOENV", "GOPROXY", "GOSUMDB", "GOFLAGS", "GOTOOLCHAIN")


def inspect(path, bundle):
    """What the mirror at path holds (its manifest, else an index of its files) and the bundle's state."""
    current = gi.load_doc_file(os.path.join(path, gi.MANIFEST))
    if current is None and os.path.isdir(path) and any(gi.classify(rel) for rel in gi.walk_files(path)):
        current = gi.index_tree(path)
    state = {"current": current or gi.empty_doc(), "manifest_text": atomic.read_file(os.path.join(path, gi.MANIFEST))}
    if bundle:
        state["bundle_sha256"] = sha256_file(bundle) if os.path.isfile(bundle) else None
        state["bundle_line"] = atomic.read_file(bundle + ".sha256")
    return state


class Plan(object):
    """What a built run changes: the merged index, where each file comes from, the bundle."""

    def __init__(self):
        self.work = None             # scratch: the staging module cache and the export
        self.staged = None           # the export of this run's downloads
        self.merged = None
        self.sources = None          # rel -> 'base', 'new' or derived bytes (gomod_index.merge)
        self.manifest = None         # the merged gofleet-mirror.json
        self.mirror_changed = False
        self.bundle_changed = False
        self.bundle_sha256 = None
        self.bundle_tmp = None       # the packed bundle, renamed over the bundle by apply

    @property
    def changed(self):
        return self.mirror_changed or self.bundle_changed

    def close(self):
        if self.bundle_tmp and os.path.exists(self.bundle_tmp):
            os.unlink(self.bundle_tmp)
        if self.work:
            gt.remove_scratch(self.work)


def plan(req, node, run_command, check_mode, fetch=None):
    """Download the requirements into scratch and decide; the caller closes the plan."""
    p = Plan()
    current = node["current"]
    proxy = req.upstream
    if current["files"]:
        # What the mirror already holds is served from it: nothing is fetched twice.
        proxy = "file://%s,%s" % (os.path.abspath(req.path), req.upstream)
    p.work = gt.temp_dir(check_mode, os.path.dirname(os.path.abspath(req.path)), "gomirror")
    env = go_environment(p.work, proxy, req.gosumdb, req.go_env)
    sums = download(run_command, req.go, req.requirements, p.work, env)
    p.staged = os.path.join(p.work, "export")
    atomic.makedirs(p.staged, 0o755)
    export(p.work, p.staged)
    new = gi.index_tree(p.staged, sums)
    p.merged, p.sources = gi.merge(current, new, lambda rel: gi.read_bytes(os.path.join(req.path, rel)),
                                   lambda rel: gi.read_bytes(os.path.join(p.staged, rel)))
    for rel, data in sorted(capture_sumdb(req, current, p.merged, fetch).items()):
        gt.place_file(os.path.join(p.staged, rel), data=data)
        p.merged["files"][rel] = hashlib.sha256(data).hexdigest()
        p.sources[rel] = "new"
    missing = [rel for rel in p.merged["files"] if not os.path.isfile(os.path.join(req.path, rel))]
    p.manifest = gi.dump_doc(p.merged)
    p.mirror_changed = (bool(missing) or p.merged["files"] != current["files"]
                        or node["manifest_text"] != p.manifest.decode("utf-8"))
    if req.bundle:
        if p.mirror_changed:
            # A different mirror always gives a different bundle; it is packed once the mirror is written.
            p.bundle_changed = True
        else:
            _pack(req, node, p, check_mode)
    return p


def _pack(req, node, p, check_mode):
    """Pack the mirror at req.path into bundle_tmp; decide whether the bundle changes."""
    if check_mode:
        p.bundle_tmp = os.path.join(p.work, "bundle.tar.gz")
    else:
        parent = os.path.dirname(os.path.abspath(req.bundle))
        atomic.makedirs(parent, 0o755)
        p.bundle_tmp = os.path.join(parent, ".%s.gofleet-%d" % (os.path.basename(req.bundle), os.getpid()))
    p.bundle_sha256 = gb.write_bundle(p.bundle_tmp, req.path, p.merged)
    p.bundle_changed = p.bundle_sha256 != node["bundle_sha256"] or node["bundle_line"] != _sha_line(req, p)


def _sha_line(req, p):
    return "%s  %s\n" % (p.bundle_sha256, os.path.basename(req.bundle))


def apply(req, node, p):
    """Write the mirror files and manifest, then the bundle and its .sha256 (real runs only)."""
    if p.mirror_changed:
        # Derived list files last: an interrupted run must not advertise a version whose
        # .mod/.zip it has not placed yet (the manifest, written last of all, repairs the rest).
        for rel in sorted(p.merged["files"], key=lambda rel: (isinstance(p.sources[rel], bytes), rel)):
            src = p.sources[rel]
            target = os.path.join(req.path, rel)
            if isinstance(src, bytes):
                if not os.path.isfile(target) or sha256_file(target) != p.merged["files"][rel]:
                    gt.place_file(target, data=src)
            elif src == "new" or not os.path.isfile(target):
                if not os.path.isfile(os.path.join(p.staged, rel)):
                    raise GofleetError(
                        "mirror file %s is missing and these requirements do not bring it back; "
                        "add its module to requirements" % target)
                gt.place_file(target, source=os.path.join(p.staged, rel))
        atomic.write_file(os.path.join(req.path, gi.MANIFEST), p.manifest, 0o644)
        if req.bundle:
            _pack(req, node, p, False)
    if req.bundle and p.bundle_changed:
        os.chmod(p.bundle_tmp, 0o644)
        os.rename(p.bundle_tmp, req.bundle)
        atomic.write_file(req.bundle + ".sha256", _sha_line(req, p), 0o644)


def report(req, node, p):
    result = {
        "changed": p.changed,
        "modules": gi.module_keys(p.merged),
        "added": sorted(set(p.merged["modules"]) - set(node["current"]["modules"])),
        "diff": {"before": gi.diff_text(node["current"]), "after": gi.diff_text(p.merged)},
        "mirror_id": gi.doc_id(p.merged),
    }
    if req.bundle:
        result.update(bundle_changed=p.bundle_changed, bundle_sha256=p.bundle_sha256)
        if p.bundle_sha256:
            result["bundle_checksum"] = "sha256:" + p.bundle_sha256
    return result
