"""The connected side's Go module proxy, for fixtures: real modules and official toolchain zips.

Users fetch from a GOPROXY on a connected host and carry the result across the air gap; tests do
the same here. `go mod download` (the controller's own go, never a managed node's) fills one
content-addressed cache under .cache/goproxy, so a second run needs no network. Managed nodes in
tests never see this proxy: they get what was fetched, through a mirror or a copy.

    from goproxy import download, toolchain_module
    info = download(["gopkg.in/yaml.v3@v3.0.1"])["gopkg.in/yaml.v3@v3.0.1"]
    info["Zip"], info["Sum"]        # the cached zip and its h1: hash as go.sum records it

When the proxy does not answer, ProxyUnavailable says what failed; the `goproxy` pytest fixture
turns that into a skip whose reason starts with "skipped:".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from engine import REPO_ROOT

__all__ = ["CACHE", "ProxyUnavailable", "download", "go_binary", "goproxy", "proxy_env",
           "toolchain_module"]

CACHE = REPO_ROOT / ".cache" / "goproxy"
# The proxy users reach from the connected side; the machine may set its own (machine.md).
UPSTREAM = os.environ.get("GOFLEET_UPSTREAM_GOPROXY", "https://proxy.golang.org")


class ProxyUnavailable(Exception):
    """The Go module proxy, or the go command that talks to it, is not there."""


def go_binary() -> str:
    """The controller's go: for fetching only, never a toolchain under test."""
    found = shutil.which("go") or ("/usr/local/go/bin/go" if os.path.exists("/usr/local/go/bin/go") else None)
    if not found:
        raise ProxyUnavailable("no go command on the controller to talk to the proxy")
    return found


def proxy_env(gomodcache: Path = CACHE) -> dict[str, str]:
    """An explicit Go environment for fetching: nothing inherited decides where modules come from."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update({
        "GOMODCACHE": str(gomodcache),
        "GOPROXY": UPSTREAM,
        "GOSUMDB": "sum.golang.org",
        "GONOSUMDB": "",
        "GOPRIVATE": "",
        "GOFLAGS": "-modcacherw",
        "GOTOOLCHAIN": "local",
        "GOPATH": str(gomodcache.parent / "gopath"),
        "GOCACHE": str(gomodcache.parent / "gobuildcache"),
    })
    return env


def toolchain_module(version: str, arch: str) -> str:
    """'1.22.12', 'arm64' -> the module path@version that `go` downloads for that toolchain."""
    return f"golang.org/toolchain@v0.0.1-go{version}.linux-{arch}"


def download(modules: list[str], timeout: int = 900) -> dict[str, dict]:
    """module@version -> go's -json answer (Path, Version, Info, GoMod, Zip, Dir, Sum, GoModSum).

    One `go mod download` for all of them; cached modules cost no network.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        run = subprocess.run([go_binary(), "mod", "download", "-json", *modules], env=proxy_env(),
                             cwd=CACHE, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as why:
        raise ProxyUnavailable(f"go mod download timed out after {why.timeout} s") from why
    answers = _json_stream(run.stdout)
    errors = [f"{a['Path']}@{a['Version']}: {a['Error']}" for a in answers if a.get("Error")]
    if run.returncode != 0 or errors:
        detail = "; ".join(errors) or run.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ProxyUnavailable(f"{UPSTREAM} did not serve {' '.join(modules)}: {detail}")
    return {f"{a['Path']}@{a['Version']}": a for a in answers}


def _json_stream(text: str) -> list[dict]:
    """go prints one JSON object after another, not a list."""
    decoder, answers, at = json.JSONDecoder(), [], 0
    text = text.strip()
    while at < len(text):
        obj, at = decoder.raw_decode(text, at)
        answers.append(obj)
        while at < len(text) and text[at].isspace():
            at += 1
    return answers


@pytest.fixture(scope="session")
def goproxy():
    """download(), or a skip naming what the proxy did not do."""
    def fetch(modules: list[str]) -> dict[str, dict]:
        try:
            return download(modules)
        except ProxyUnavailable as why:
            pytest.skip(f"skipped: Go module proxy: {why}")
    return fetch
