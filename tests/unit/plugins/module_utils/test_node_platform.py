"""The platform layer: what gofleet.golang.platform reads from a node, and that every module and
filter gives a host the same family (the Kylin desktop os-release once made selinux_labels say
RedHat while the roles said Debian)."""

import json

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.gofleet.golang.plugins.filter.distro_family import distro_family as family_filter
from ansible_collections.gofleet.golang.plugins.module_utils import distro_family, node_platform, selinux_labels
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.modules import platform as platform_module

KYLIN_DESKTOP = 'NAME="Kylin"\nVERSION="V10 SP1"\nID=kylin\nID_LIKE=ubuntu debian\nVERSION_ID="v10"\n'
KYLIN_DESKTOP_DEBIAN_ONLY = 'NAME="Kylin"\nVERSION="V10"\nID=kylin\nID_LIKE=debian\nVERSION_ID="v10"\n'
KYLIN_SERVER = 'NAME="Kylin Linux Advanced Server"\nVERSION="V10 (Lance)"\nID="kylin"\nVERSION_ID="V10"\n'
RPM_TOOLS = ["/usr/bin/dnf", "/usr/bin/rpm"]
DEB_TOOLS = ["/usr/bin/apt-get", "/usr/bin/dpkg"]


class Exit(Exception):
    pass


def run_module(monkeypatch, os_release, distro_facts, tools):
    """platform's main() on a node whose os-release, distribution facts and package tools are given."""
    out = {}

    def leave(failed):
        def record(self, **kw):
            out.update(kw, failed=failed)
            raise Exit()
        return record

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", leave(False))
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", leave(True))
    monkeypatch.setattr(node_platform, "read_os_release", lambda: os_release)
    monkeypatch.setattr(platform_module, "distribution_facts", lambda module: distro_facts)
    monkeypatch.setattr(distro_family, "present_package_tools",
                        lambda text: [t for t in tools if t in distro_family.package_tool_probes(text)])
    with patch_module_args({}):
        with pytest.raises(Exit):
            platform_module.main()
    json.dumps(out)
    return out


@pytest.mark.parametrize("os_release, distro_facts, tools, family", [
    # What Ansible's collector reports for each: Kylin desktop is not in its family map.
    (KYLIN_DESKTOP, {"distribution": "Kylin", "os_family": "Kylin", "distribution_major_version": "V10"}, DEB_TOOLS, "Debian"),
    (KYLIN_DESKTOP_DEBIAN_ONLY, {"distribution": "Kylin", "os_family": "Kylin"}, DEB_TOOLS, "Debian"),
    # The server is: RedHat, and its rpm tools agree.
    (KYLIN_SERVER, {"distribution": "Kylin Linux Advanced Server", "os_family": "RedHat",
                    "distribution_major_version": "V10"}, RPM_TOOLS, "RedHat"),
], ids=["kylin-desktop", "kylin-desktop-id-like-debian", "kylin-server"])
def test_kylin_resolves_to_one_family_everywhere(monkeypatch, os_release, distro_facts, tools, family):
    probed = [t for t in tools if t in distro_family.package_tool_probes(os_release)]
    result = run_module(monkeypatch, os_release, distro_facts, tools)
    assert not result["failed"], result
    assert result["changed"] is False
    assert result["ansible_facts"]["gofleet_platform"]["family"] == family
    assert result["ansible_facts"]["gofleet_platform"]["pkg_mgr"] == distro_family.PKG_MGR[family]
    # The public filter, as a role called it with gathered facts.
    assert family_filter(distro_facts, os_release, probed or None) == family
    # selinux_labels names the binding packages of this family, not the other's.
    assert selinux_labels.os_family(os_release, probed or None) == family
    assert selinux_labels.os_family(os_release) == family
    assert " ".join(selinux_labels.BINDING_PACKAGES[family]) in selinux_labels.missing_bindings_message(family, ["seobject"])


def test_module_fact_keys_and_one_line_failure(monkeypatch):
    result = run_module(monkeypatch, 'ID=debian\nVERSION_ID="12"\n',
                        {"distribution": "Debian", "os_family": "Debian", "distribution_major_version": "12"}, [])
    assert set(result["ansible_facts"]["gofleet_platform"]) == {
        "family", "distribution", "distribution_major_version", "init", "selinux", "pkg_mgr", "machine", "go_arch", "libc"}
    assert result["ansible_facts"]["gofleet_platform"]["distribution_major_version"] == "12"
    failed = run_module(monkeypatch, "ID=alpine\nVERSION_ID=3.20.0\n", {"distribution": "Alpine", "os_family": "Alpine"}, [])
    assert failed["failed"] and "unsupported distribution Alpine" in failed["msg"] and "\n" not in failed["msg"]


@pytest.mark.parametrize("enforce, config, state", [
    ("1", None, "enforcing"),
    ("0\n", "SELINUX=enforcing\n", "permissive"),
    (None, "SELINUX=disabled\n", "disabled"),
    (None, None, "absent"),
])
def test_selinux_state_from_selinuxfs(tmp_path, enforce, config, state):
    root = tmp_path / "sys_fs_selinux"
    if enforce is not None:
        root.mkdir()
        (root / "enforce").write_text(enforce)
    config_path = tmp_path / "config"
    if config is not None:
        config_path.write_text(config)
    assert node_platform.selinux_state(roots=(str(root),), config=str(config_path)) == state


def test_init_system(tmp_path):
    run_dir = tmp_path / "run_systemd_system"
    assert node_platform.init_system(str(run_dir), which=lambda name: None) == "other"
    assert node_platform.init_system(str(run_dir), which=lambda name: "/usr/bin/" + name if name == "runsvdir" else None) == "runit"
    run_dir.mkdir()
    assert node_platform.init_system(str(run_dir), which=lambda name: "/usr/bin/" + name) == "systemd"


def test_libc(tmp_path):
    pattern = str(tmp_path / "ld-musl-*.so.1")
    assert node_platform.libc((pattern,)) == "glibc"
    (tmp_path / "ld-musl-x86_64.so.1").write_text("")
    assert node_platform.libc((pattern,)) == "musl"


@pytest.mark.parametrize("machine, go_arch", [
    ("x86_64", "amd64"), ("aarch64", "arm64"), ("loongarch64", "loong64"), ("sparc64", None)])
def test_go_arch_is_null_when_unknown(machine, go_arch):
    facts = node_platform.describe({"distribution": "Void", "os_family": "Void"}, 'ID="void"\n', [],
                                   machine, "runit", "absent", "musl")
    assert facts["go_arch"] == go_arch and facts["machine"] == machine
    assert (facts["family"], facts["pkg_mgr"], facts["distribution_major_version"]) == ("Void", "xbps", "NA")


def test_unsupported_distribution_is_one_line():
    with pytest.raises(GofleetError) as err:
        node_platform.describe({"distribution": "Alpine", "os_family": "Alpine"}, "ID=alpine\n", [],
                               "x86_64", "other", "absent", "musl")
    assert "Alpine" in str(err.value) and "\n" not in str(err.value)


def test_read_os_release_falls_back(tmp_path):
    second = tmp_path / "usr_lib_os_release"
    second.write_text("ID=debian\n")
    assert node_platform.read_os_release((str(tmp_path / "missing"), str(second))) == "ID=debian\n"
    assert node_platform.read_os_release((str(tmp_path / "missing"),)) == ""
