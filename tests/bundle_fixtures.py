"""A go.dev/dl-shaped source directory (tarballs + index.json in go.dev's
`?mode=json&include=all` format) made from the repacked tarballs in .cache/artifacts."""

import json
import os
import re
import shutil
from pathlib import Path

from ansible_collections.gofleet.golang.plugins.module_utils import artifact

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / ".cache" / "artifacts"
_NAME = re.compile(r"^go([0-9.]+)\.linux-([0-9a-z]+)\.tar\.gz$")


def available():
    """{(version, arch): path} of the repacked tarballs present."""
    out = {}
    for path in sorted(ARTIFACTS.glob("go*.linux-*.tar.gz")):
        m = _NAME.match(path.name)
        if m:
            out[(m.group(1), m.group(2))] = path
    return out


# The modules' own hashing, not a copy of it.
sha256 = artifact.sha256_file


def go_source(dest, tarballs, copy=False, index_override=None):
    """Lay out dest like go.dev/dl with `tarballs` (paths); return its file:// URL.

    Tarballs are symlinked unless copy (a test that corrupts one needs its own copy).
    index_override: {filename: {field: value}} patched into the index entries.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    releases = {}
    for path in tarballs:
        path = Path(path)
        version, arch = _NAME.match(path.name).groups()
        target = dest / path.name
        if copy:
            shutil.copyfile(path, target)
        else:
            os.symlink(path, target)
        entry = {"filename": path.name, "os": "linux", "arch": arch, "version": "go" + version,
                 "sha256": sha256(path), "size": path.stat().st_size, "kind": "archive"}
        entry.update((index_override or {}).get(path.name, {}))
        releases.setdefault(version, []).append(entry)
    index = []
    for version in sorted(releases, key=lambda v: [int(x) for x in v.split(".")], reverse=True):
        files = [{"filename": "go%s.src.tar.gz" % version, "os": "", "arch": "", "version": "go" + version,
                  "sha256": "0" * 64, "size": 1, "kind": "source"},
                 {"filename": "go%s.darwin-arm64.pkg" % version, "os": "darwin", "arch": "arm64",
                  "version": "go" + version, "sha256": "1" * 64, "size": 1, "kind": "installer"}]
        index.append({"version": "go" + version, "stable": True, "files": files + releases[version]})
    (dest / "index.json").write_text(json.dumps(index, indent=1))
    return "file://" + str(dest)


def build_bundle(dest, keys, signing_key=None, gnupg_home=None):
    """Build a fleet bundle at dest from the repacked tarballs `keys` [(version, arch)] with
    playbooks/bundle_build.yml; returns dest. Raises with ansible's output when it fails."""
    found = available()
    missing = [k for k in keys if k not in found]
    if missing:
        raise LookupError("Go tarballs unavailable: %s (tests/harness/go_tarballs.sh golang-1.22:arm64 ...)" % missing)
    dest = Path(dest)
    url = go_source(dest.parent / (dest.name + "-src"), [found[k] for k in keys])
    extra = {"gofleet_bundle_dir": str(dest), "gofleet_go_source": url,
             "gofleet_go_versions": sorted(set(k[0] for k in keys)), "gofleet_go_arches": sorted(set(k[1] for k in keys))}
    if signing_key:
        extra.update(gofleet_bundle_signing_key=signing_key, gofleet_bundle_gnupg_home=str(gnupg_home))
    build_from(extra)
    return dest


def build_from(extra):
    """Run playbooks/bundle_build.yml with `extra` vars; raises with ansible's output when it fails."""
    import subprocess
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build"), ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "ansible-playbook"), str(ROOT / "playbooks" / "bundle_build.yml"),
                           "-e", json.dumps(extra)], env=env, capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0:
        raise RuntimeError("bundle_build.yml failed:\n%s\n%s" % (proc.stdout[-3000:], proc.stderr[-2000:]))
