# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake "internet" for the offline-mirror tests: module sources laid out as a GOPROXY tree.

tests/fixtures/gomod_upstream/<module path>@<version>/ holds each module version's files.
`build_goproxy(dest)` writes `<escaped path>/@v/{list,<v>.info,<v>.mod,<v>.zip}` exactly as the
proxy protocol wants them (zip members prefixed `module@version/`), served as file://.
`go_sum_for(app)` runs the real `go` against it to produce the app's go.sum.
"""

import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM_SRC = ROOT / "tests" / "fixtures" / "gomod_upstream"
ARTIFACTS = ROOT / ".cache" / "artifacts"
GO_TARBALL = "go1.22.12.linux-amd64.tar.gz"
FIXED_TIME = "2024-01-02T03:04:05Z"


def escape(path):
    return "".join("!" + c.lower() if "A" <= c <= "Z" else c for c in path)


def module_versions(src=UPSTREAM_SRC):
    """[(module path, version, directory)] for every `<path>@<version>/` under src."""
    found = []
    for dirpath, dirnames, _files in os.walk(src):
        for name in list(dirnames):
            if "@" in name:
                full = Path(dirpath) / name
                rel = full.relative_to(src).as_posix()
                path, version = rel.rsplit("@", 1)
                found.append((path, version, full))
                dirnames.remove(name)
    return sorted(found)


def _zip_module(path, version, directory, dest):
    prefix = "%s@%s/" % (path, version)
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            info = zipfile.ZipInfo(prefix + f.relative_to(directory).as_posix(), (2024, 1, 2, 3, 4, 6))
            info.external_attr = 0o644 << 16
            z.writestr(info, f.read_bytes())


def build_goproxy(dest, src=UPSTREAM_SRC, only=None):
    """Lay out module sources as a GOPROXY directory; returns dest. `only`: set of 'path@v'."""
    dest = Path(dest)
    versions = {}
    for path, version, directory in module_versions(src):
        if only is not None and "%s@%s" % (path, version) not in only:
            continue
        vdir = dest / escape(path) / "@v"
        vdir.mkdir(parents=True, exist_ok=True)
        (vdir / (escape(version) + ".mod")).write_bytes((directory / "go.mod").read_bytes())
        (vdir / (escape(version) + ".info")).write_text(json.dumps({"Version": version, "Time": FIXED_TIME}))
        _zip_module(path, version, directory, vdir / (escape(version) + ".zip"))
        versions.setdefault(vdir, []).append(version)
    for vdir, vs in versions.items():
        (vdir / "list").write_text("".join(v + "\n" for v in sorted(vs)))
    return dest


def go_env(go_root, work, proxy_url, **extra):
    """Environment for running `go` hermetically in `work` against `proxy_url`."""
    work = Path(work)
    for d in ("home", "gopath", "gocache", "modcache"):
        (work / d).mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": "%s/bin:/usr/bin:/bin" % go_root,
        "HOME": str(work / "home"),
        "GOPATH": str(work / "gopath"),
        "GOCACHE": str(work / "gocache"),
        "GOMODCACHE": str(work / "modcache"),
        "GOPROXY": proxy_url,
        "GOSUMDB": "off",
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-mod=mod",
        "CGO_ENABLED": "0",
    }
    env.update(extra)
    return env


def copy_app(name, dest):
    shutil.copytree(UPSTREAM_SRC / name, dest)
    return Path(dest)


def make_go_sum(go_root, app_dir, proxy_dir, work):
    """Write app_dir/go.sum by resolving the app against the file:// proxy (no sumdb)."""
    env = go_env(go_root, work, "file://%s" % proxy_dir)
    subprocess.run([str(Path(go_root) / "bin" / "go"), "mod", "tidy"], cwd=str(app_dir), env=env,
                   check=True, capture_output=True, timeout=300)
    return Path(app_dir) / "go.sum"


def go_tarball():
    path = ARTIFACTS / GO_TARBALL
    return path if path.is_file() else None


def extract_go(dest):
    """Extract the harness's Go tarball into dest; returns GOROOT or None when absent."""
    tarball = go_tarball()
    if tarball is None:
        return None
    dest = Path(dest)
    if not (dest / "go" / "bin" / "go").exists():
        with tarfile.open(tarball) as t:
            t.extractall(dest)
    return dest / "go"


def make_world(dest):
    """Everything the connected side needs in dest: goroot/, upstream/ (GOPROXY tree) and
    app/ + app_extra/ with complete go.sum files. Returns their paths (None if no Go tarball)."""
    dest = Path(dest)
    goroot = extract_go(dest / "goroot")
    if goroot is None:
        return None
    proxy = dest / "upstream"
    if not proxy.exists():
        build_goproxy(proxy)
    apps = {}
    for name in ("app", "app_extra"):
        app = dest / name
        if not (app / "go.sum").exists():
            if app.exists():
                shutil.rmtree(str(app))
            copy_app(name, app)
            make_go_sum(goroot, app, proxy, dest / ("work-" + name))
        apps[name] = str(app)
    return {"go": str(goroot / "bin" / "go"), "goroot": str(goroot), "upstream": "file://%s" % proxy, "apps": apps}


if __name__ == "__main__":
    # python3 tests/mirror_fixtures.py world DIR  -> prints the paths as JSON (used by molecule/mirror)
    import sys

    if len(sys.argv) != 3 or sys.argv[1] != "world":
        sys.exit("usage: mirror_fixtures.py world DIR")
    world = make_world(sys.argv[2])
    if world is None:
        sys.exit("skipped: Go tarball unavailable: %s (run tests/harness/go_tarballs.sh)" % (ARTIFACTS / GO_TARBALL))
    print(json.dumps(world))


def build(run_command, check_mode, go, path, requirements, upstream, gosumdb=None, bundle=None, go_env=None):
    """go_offline_mirror state=built through its pipeline (Request -> NodeState -> plan -> apply -> report),
    with the options the tests name most, in one call."""
    from ansible_collections.gofleet.golang.plugins.module_utils import gomod_mirror

    params = dict(state="built", go=go, path=path, requirements=requirements, upstream=upstream, gosumdb=gosumdb,
                  bundle=bundle, go_env=go_env or {})
    return gomod_mirror.run(params, gomod_mirror.Runner(run_command), check_mode)


def present(run_command, check_mode, path, bundle, checksum, verify="fast", signature=None, keyring=None, gpg=None):
    """go_offline_mirror state=present through its pipeline, as build() above."""
    from ansible_collections.gofleet.golang.plugins.module_utils import gomod_mirror

    params = dict(state="present", path=path, bundle=bundle, checksum=checksum, verify=verify,
                  signature=signature, keyring=keyring)
    return gomod_mirror.run(params, gomod_mirror.Runner(run_command, gpg), check_mode)
