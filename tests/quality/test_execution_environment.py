"""The execution environment definition (ee/), checked with ansible-builder itself (issue 15 item 1).

No registry answers here, so the EE is not built from its real base image: `ansible-builder
create` must make the context whose Containerfile installs the collection (from its built
tarball), ansible-core, ansible-runner and what introspection finds; `ansible-builder introspect`
over the INSTALLED tarball must list the collection's own Python and system needs.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
EE = ROOT / "ee"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of ee/ with the collection tarball where the definition expects it."""
    tmp = tmp_path_factory.mktemp("ee")
    dist = tmp / "dist"
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(dist), str(ROOT)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tarball,) = dist.glob("gofleet-golang-*.tar.gz")
    ee = tmp / "ee"
    shutil.copytree(EE, ee, ignore=shutil.ignore_patterns("context", "collections"))
    (ee / "collections").mkdir()
    shutil.copy(tarball, ee / "collections" / "gofleet-golang.tar.gz")
    return {"ee": ee, "tarball": tarball, "tmp": tmp}


def test_builder_create_makes_a_context_that_installs_the_collection(built):
    ee = built["ee"]
    proc = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context"],
                          cwd=str(ee), capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    context = ee / "context"
    containerfile = (context / "Containerfile").read_text()
    definition = yaml.safe_load((ee / "execution-environment.yml").read_text())
    core = definition["dependencies"]["ansible_core"]["package_pip"]
    runner = definition["dependencies"]["ansible_runner"]["package_pip"]
    assert 'ARG ANSIBLE_INSTALL_REFS="%s %s"' % (core, runner) in containerfile
    assert "ansible-core==2.17." in core  # the newest that manages Python 3.7 nodes
    # the collection: its tarball in the context, named by the galaxy requirements the Containerfile installs
    assert (context / "_build" / "collections" / "gofleet-golang.tar.gz").is_file()
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"] == [{"name": "/build/collections/gofleet-golang.tar.gz", "type": "file"}]
    assert "COPY _build /build" in containerfile
    assert 'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' in containerfile
    # everything it needs: introspection of the installed collections, then bindep and pip in the final stage
    assert "introspect.py introspect --user-pip=requirements.txt --user-bindep=bindep.txt" in containerfile
    assert "RUN /output/scripts/install-from-bindep" in containerfile
    assert 'EE_BASE_IMAGE="%s"' % definition["images"]["base_image"]["name"] in containerfile


def test_introspect_lists_the_installed_collections_needs(built):
    install = built["tmp"] / "collections"
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-p", str(install),
                           str(built["tarball"])], capture_output=True, text=True, check=False,
                          # only the empty path: a gofleet.golang found elsewhere (.build) would make it a no-op
                          env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(install)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([str(BIN / "ansible-builder"), "introspect", "--sanitize",
                           "--user-pip", str(EE / "requirements.txt"), "--user-bindep", str(EE / "bindep.txt"),
                           str(install)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = yaml.safe_load(proc.stdout.split("---", 1)[1])
    ours = sorted(line.split("  #")[0] for line in data["system"] if line.endswith("from collection gofleet.golang"))
    assert ours == sorted(l for l in (ROOT / "meta" / "ee-bindep.txt").read_text().splitlines()
                          if l and not l.startswith("#"))
    assert any(l.startswith("gnupg2 [platform:rpm]") for l in ours)
    assert [l.split("  #")[0] for l in data["python"] if l.endswith("from collection gofleet.golang")] == ["jinja2>=3.1"]
    assert "git-core [platform:rpm]  # from collection user" in data["system"]
