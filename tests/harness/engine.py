"""Containers for the tests, through the podman or docker CLI (stdlib only).

    eng = Engine.detect()                       # GOFLEET_ENGINE, else runs engine.sh env
    with eng.container("localhost/gofleet/debian-systemd:12", network="none") as c:
        c.wait_systemd()
        print(c.exec("systemctl is-active dbus").stdout)
    write_inventory("inv.yml", [c], group="targets")

The CLI is used rather than an SDK so that what a test does can be pasted into a shell.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

HARNESS_DIR = Path(__file__).resolve().parent
REPO_ROOT = HARNESS_DIR.parent.parent
ENGINE_SH = HARNESS_DIR / "engine.sh"

BASE_IMAGE = "localhost/gofleet/debian-systemd:12"
SELINUX_IMAGE = "localhost/gofleet/debian-selinux:12"
RUNIT_IMAGE = "localhost/gofleet/debian-runit:12"
# Debian 11 (systemd 247) and 13 (systemd 257), built like BASE_IMAGE (images.sh base11, base13).
DEBIAN11_IMAGE = "localhost/gofleet/debian-systemd:11"
DEBIAN13_IMAGE = "localhost/gofleet/debian-systemd:13"

# Ansible connection plugin per engine (both collections ship in the `ansible` package).
CONNECTION_PLUGINS = {
    "podman": "containers.podman.podman",
    "docker": "community.docker.docker",
}


class EngineUnavailable(RuntimeError):
    """No container engine works on this machine; the message says why."""


class CommandError(subprocess.CalledProcessError):
    """A CalledProcessError whose message shows the output, so failing tests explain themselves."""

    def __str__(self) -> str:
        cmd = self.cmd if isinstance(self.cmd, str) else shlex.join(self.cmd)
        return (f"command failed (rc={self.returncode}): {cmd}\n"
                f"--- stdout ---\n{self.stdout or ''}--- stderr ---\n{self.stderr or ''}")


def _run(argv: list[str], check: bool = True, timeout: float | None = None,
         input: str | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input, check=False)
    if check and proc.returncode != 0:
        raise CommandError(proc.returncode, argv, proc.stdout, proc.stderr)
    return proc


class Engine:
    """One container engine CLI: `podman` or `docker`."""

    def __init__(self, name: str):
        if name not in CONNECTION_PLUGINS:
            raise ValueError(f"unknown engine {name!r}")
        self.name = name

    @classmethod
    def detect(cls) -> "Engine":
        """The engine named by GOFLEET_ENGINE (podman also needs CONTAINERS_CONF); otherwise
        run `engine.sh env` (which may start the podman API service) and apply its exports
        to os.environ. Raises EngineUnavailable."""
        name = os.environ.get("GOFLEET_ENGINE")
        # podman without the project's containers.conf fails here (crun, rlimits): set it up.
        if not name or (name == "podman" and not os.environ.get("CONTAINERS_CONF")):
            proc = _run(["bash", str(ENGINE_SH), "env"], check=False, timeout=120)
            if proc.returncode != 0:
                raise EngineUnavailable(proc.stderr.strip() or f"engine.sh env exited {proc.returncode}")
            apply_env_exports(proc.stdout)
            name = os.environ.get("GOFLEET_ENGINE", "")
        if not shutil.which(name):
            raise EngineUnavailable(f"GOFLEET_ENGINE={name!r} but no such command on PATH")
        return cls(name)

    def cli(self, *args: str, check: bool = True, timeout: float | None = 300,
            input: str | None = None) -> subprocess.CompletedProcess:
        """Run `<engine> args...`; the environment (CONTAINERS_CONF, DOCKER_HOST) is inherited."""
        return _run([self.name, *args], check=check, timeout=timeout, input=input)

    @property
    def connection_plugin(self) -> str:
        return CONNECTION_PLUGINS[self.name]

    def image_exists(self, ref: str) -> bool:
        return self.cli("image", "inspect", ref, check=False).returncode == 0

    def image_available(self, ref: str, pull_timeout: float = 30) -> bool:
        """Present locally, or pulled within pull_timeout seconds (where no registry answers,
        as on air-gapped machines, the pull fails at once)."""
        if self.image_exists(ref):
            return True
        try:
            return self.cli("pull", ref, check=False, timeout=pull_timeout).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def container(self, image: str, **options) -> "Container":
        """Start a container; see Container for the options."""
        return Container(self, image, **options)


def apply_env_exports(text: str) -> None:
    """Apply the `export K=V` / `unset K` lines that engine.sh env prints to os.environ."""
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, value = words[1].split("=", 1)
            os.environ[key] = value
        elif len(words) >= 2 and words[0] == "unset":
            for key in words[1:]:
                os.environ.pop(key, None)


class Container:
    """A running container, removed by .remove() or on leaving a `with` block.

    image      image reference
    name       container name (default: gofleet-test-<random>)
    network    "none" (no interface but lo: the honest air-gap), "default", or the name of a
               network made with `<engine> network create --internal` (the test's own, shared
               only by its containers: they reach each other and nothing else)
    systemd    run systemd as PID 1 (privileged, the way that works with podman and docker);
               command then defaults to /lib/systemd/systemd
    privileged privileged without systemd (e.g. for runit images)
    volumes    ["host:container[:opts]", ...]
    env        {"KEY": "value"}
    command    argv list or shell string; default: the image's CMD (or systemd, above)
    arch       run an image of another architecture (arm64 under qemu-user: run
               tests/harness/binfmt.sh first)
    """

    def __init__(self, engine: Engine, image: str, name: str | None = None,
                 network: str = "none", systemd: bool = False, privileged: bool = False,
                 volumes: list[str] | None = None, env: dict[str, str] | None = None,
                 command: list[str] | str | None = None, arch: str | None = None):
        self.engine = engine
        self.image = image
        self.name = name or f"gofleet-test-{uuid.uuid4().hex[:10]}"
        argv = ["run", "-d", "--name", self.name, "--hostname", self.name]
        if network != "default":
            argv += ["--network", network]
        if systemd or privileged:
            argv.append("--privileged")
        if systemd:
            if engine.name == "podman":
                argv.append("--systemd=always")
            else:  # docker: systemd needs the host's cgroup tree, writable
                argv += ["--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
                         "--tmpfs", "/run", "--tmpfs", "/run/lock"]
            if command is None:
                command = ["/lib/systemd/systemd"]
        if arch:
            argv += ["--arch", arch] if engine.name == "podman" else ["--platform", f"linux/{arch}"]
        for volume in volumes or []:
            argv += ["-v", volume]
        for key, value in (env or {}).items():
            argv += ["-e", f"{key}={value}"]
        argv.append(image)
        if isinstance(command, str):
            argv += ["sh", "-c", command]
        elif command:
            argv += list(command)
        try:
            self.engine.cli(*argv)
        except (CommandError, subprocess.TimeoutExpired):
            self.remove()  # a container can be created and still fail to start
            raise

    def __enter__(self) -> "Container":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"Container({self.name!r}, image={self.image!r}, engine={self.engine.name!r})"

    def exec(self, cmd: list[str] | str, user: str | None = None, check: bool = True,
             login: bool = False, timeout: float | None = 600,
             input: str | None = None) -> subprocess.CompletedProcess:
        """Run cmd in the container (a string goes through sh -c, or bash -lc with login=True,
        so /etc/profile.d is read as for a user's login shell)."""
        argv = ["exec"]
        if input is not None:
            argv.append("-i")
        if user:
            argv += ["--user", user]
        argv.append(self.name)
        if isinstance(cmd, str):
            argv += ["bash", "-lc", cmd] if login else ["sh", "-c", cmd]
        elif login:
            argv += ["bash", "-lc", shlex.join(cmd)]
        else:
            argv += list(cmd)
        return self.engine.cli(*argv, check=check, timeout=timeout, input=input)

    def copy_in(self, src: str | os.PathLike, dst: str) -> None:
        self.engine.cli("cp", str(src), f"{self.name}:{dst}")

    def copy_out(self, src: str, dst: str | os.PathLike) -> None:
        self.engine.cli("cp", f"{self.name}:{src}", str(dst))

    def wait_systemd(self, timeout: float = 90) -> str:
        """Wait until systemd is up ('running' or 'degraded'); return that state."""
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            state = self.exec(["systemctl", "is-system-running"], check=False).stdout.strip()
            if state in ("running", "degraded"):
                return state
            time.sleep(0.5)
        raise TimeoutError(f"{self.name}: systemd not up after {timeout}s (state {state!r})")

    def logs(self) -> str:
        proc = self.engine.cli("logs", self.name, check=False)
        return proc.stdout + proc.stderr

    def remove(self) -> None:
        # No grace period: a PID 1 like `sleep` ignores SIGTERM and podman would wait 10 s.
        grace = ["-t", "0"] if self.engine.name == "podman" else []  # docker rm -f kills at once
        self.engine.cli("rm", "-f", *grace, self.name, check=False, timeout=120)


def write_inventory(path: str | os.PathLike, containers: list[Container], group: str = "all",
                    extra_vars: dict | None = None) -> Path:
    """Write an Ansible YAML inventory for the containers, reached through the connection
    plugin of their engine. Values are written as JSON, which YAML reads as they are."""
    def y(value) -> str:
        return json.dumps(value)

    hosts = []
    for c in containers:
        hosts += [f"{c.name}:",
                  f"  ansible_connection: {y(c.engine.connection_plugin)}",
                  f"  ansible_host: {y(c.name)}",
                  "  ansible_python_interpreter: /usr/bin/python3"]
    lines = ["all:"]
    if group == "all":
        lines += ["  hosts:"] + ["    " + h for h in hosts]
    else:
        lines += ["  children:", f"    {group}:", "      hosts:"] + ["        " + h for h in hosts]
    if extra_vars:
        lines += ["  vars:"] + [f"    {k}: {y(v)}" for k, v in extra_vars.items()]
    path = Path(path)
    path.write_text("\n".join(lines) + "\n")
    return path
