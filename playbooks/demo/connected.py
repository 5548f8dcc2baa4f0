"""`make demo`'s connected side, with no network: the hermetic synthetic upstream.

    connected.py WORK    writes WORK/upstream (a GOPROXY tree from tests/fixtures/gomod_upstream),
                         WORK/goroot/go (the go1.22.12 amd64 tarball of .cache/artifacts, extracted once)
                         and WORK/app (playbooks/demo/app with its go.sum, resolved against the upstream);
                         prints the go binary's path.

The same fixtures the offline-mirror tests use (tests/mirror_fixtures.py), so the demo's mirror
holds exactly the modules those tests prove go resolves offline.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import mirror_fixtures  # noqa: E402  pylint: disable=wrong-import-position


def remove(path):
    """rmtree that also removes go's read-only module cache."""
    if path.exists():
        for sub in [path] + list(path.rglob("*")):
            if sub.is_dir() and not sub.is_symlink():
                sub.chmod(0o755)
        shutil.rmtree(path)


def main(work):
    work = Path(work).resolve()
    goroot = mirror_fixtures.extract_go(work / "goroot")
    if goroot is None:
        sys.exit("demo: %s is missing: run make setup (tests/harness/go_tarballs.sh)"
                 % (mirror_fixtures.ARTIFACTS / mirror_fixtures.GO_TARBALL))
    for name in ("upstream", "app", "sum"):
        remove(work / name)
    upstream = mirror_fixtures.build_goproxy(work / "upstream")
    shutil.copytree(Path(__file__).resolve().parent / "app", work / "app")
    mirror_fixtures.make_go_sum(goroot, work / "app", upstream, work / "sum")
    remove(work / "sum")
    print(Path(goroot) / "bin" / "go")


if __name__ == "__main__":
    main(sys.argv[1])
