"""The fleet playbooks under `--limit <host>`, the way scheduled runs use them (issue 13, items 9, 19).

Two offline Debian hosts in go_hosts; the controller is in the inventory as `localhost` (as in
`-i localhost,`) and its PATH starts with a pyenv shim that fails, as on the controller where a new
user's first run broke: the controller-side steps must not depend on interpreter discovery.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import ansible_run
import bundle_fixtures

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.containers
VERSION = "1.22.12"
PYENV_SHIM = "#!/bin/sh\necho \"pyenv: python3.13: command not found\" >&2\nexit 127\n"


def write_inventory(path, hosts):
    """go_hosts: the containers; localhost: the controller, named as users name it."""
    inventory = {"all": {
        "hosts": {"localhost": {"ansible_connection": "local"}},
        "children": {"go_hosts": {"hosts": dict(
            (h.name, {"ansible_connection": h.engine.connection_plugin, "ansible_host": h.name,
                      "ansible_python_interpreter": "/usr/bin/python3"}) for h in hosts)}}}}
    path.write_text(json.dumps(inventory))
    return path


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A fleet bundle (playbooks/bundle_build.yml) with go1.22.12 for amd64."""
    try:
        return bundle_fixtures.build_bundle(tmp_path_factory.mktemp("limit") / "bundle", [(VERSION, "amd64")])
    except LookupError as why:
        pytest.skip("skipped: %s" % why)


def run(tmp_path, inventory, playbook, limit, bundle):
    shims = tmp_path / "shims"
    shims.mkdir(exist_ok=True)
    (shims / "python3.13").write_text(PYENV_SHIM)
    (shims / "python3.13").chmod(0o755)
    # interpreter=None: discovery, as on a controller without ANSIBLE_PYTHON_INTERPRETER
    played = ansible_run.run(ROOT / "playbooks" / playbook, inventory=inventory, limit=limit, workdir=tmp_path,
                             extra_vars=["gofleet_bundle_dir=%s" % bundle, "toolchain_selinux=never"],
                             interpreter=None, env={"PATH": "%s:%s" % (shims, os.environ["PATH"])})
    return played.proc, played.report


def go_version(host):
    proc = host.exec(["/usr/local/bin/go", "version"], check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


@pytest.mark.parametrize("playbook", ["provision_toolchain.yml", "site.yml"])
def test_playbook_with_limit_provisions_only_that_host(tmp_path, container_factory, debian_image, bundle, playbook):
    first = container_factory(debian_image, network="none", systemd=True)
    second = container_factory(debian_image, network="none", systemd=True)
    first.wait_systemd()
    second.wait_systemd()
    inventory = write_inventory(tmp_path / "inventory.json", [first, second])

    proc, report = run(tmp_path, inventory, playbook, first.name, bundle)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert report["stats"][first.name]["failures"] == 0 and report["stats"][first.name]["changed"] > 0
    assert second.name not in report["stats"]
    assert go_version(first).startswith("go version go%s " % VERSION)
    assert go_version(second) is None, "a host outside --limit was changed"

    # The next scheduled run, limited to the other host: only it changes.
    proc, report = run(tmp_path, inventory, playbook, second.name, bundle)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert first.name not in report["stats"]
    assert go_version(second).startswith("go version go%s " % VERSION)

    # And a run over the whole fleet finds nothing to do.
    proc, report = run(tmp_path, inventory, playbook, "all", bundle)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert report["stats"][first.name]["changed"] == 0 and report["stats"][second.name]["changed"] == 0


def test_site_refuses_a_missing_bundle_dir_in_one_line(tmp_path, container_factory, debian_image):
    host = container_factory(debian_image, network="none", systemd=True)
    inventory = write_inventory(tmp_path / "inventory.json", [host])
    proc = ansible_run.run(ROOT / "playbooks" / "site.yml", inventory=inventory, limit=host.name, workdir=tmp_path,
                           timeout=600).proc
    assert proc.returncode != 0
    assert "gofleet_bundle_dir" in proc.stdout, proc.stdout[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
