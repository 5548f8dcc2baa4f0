"""Which per-family role files apply to a host, from the facts and os-release it reports."""

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.distro_family import package_tool_probes, parse_os_release, resolve
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

ROCKY = 'NAME="Rocky Linux"\nVERSION="9.4 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n'
OPENEULER = 'NAME="openEuler"\nVERSION="22.03 (LTS-SP1)"\nID="openEuler"\nVERSION_ID="22.03"\nPRETTY_NAME="openEuler 22.03 (LTS-SP1)"\n'
KYLIN_SERVER = 'NAME="Kylin Linux Advanced Server"\nVERSION="V10 (Lance)"\nID="kylin"\nVERSION_ID="V10"\n'
KYLIN_DESKTOP = 'NAME="Kylin"\nVERSION="V10 SP1"\nID=kylin\nID_LIKE=ubuntu debian\nVERSION_ID="v10"\n'
UOS = 'PRETTY_NAME="UnionTech OS Desktop 20 Pro"\nNAME="uos"\nVERSION_ID="20"\nID=uos\nID_LIKE=debian\n'
DEEPIN = 'PRETTY_NAME="Deepin 23"\nNAME="Deepin"\nVERSION_ID="23"\nID=deepin\nID_LIKE=debian\n'
DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
VOID = 'NAME="Void"\nID="void"\nPRETTY_NAME="Void Linux"\nDISTRIB_ID="void"\n'
ALPINE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.0\n'


@pytest.mark.parametrize(
    "facts, os_release, family",
    [
        # What Ansible reports for each; os_family decides when it names a known family.
        ({"distribution": "Rocky", "os_family": "RedHat"}, ROCKY, "RedHat"),
        ({"distribution": "openEuler", "os_family": "RedHat"}, OPENEULER, "RedHat"),
        # Ansible versions that do not classify these report the distribution as os_family.
        ({"distribution": "openEuler", "os_family": "openEuler"}, OPENEULER, "RedHat"),
        ({"distribution": "Kylin Linux Advanced Server", "os_family": "Kylin Linux Advanced Server"}, KYLIN_SERVER, "RedHat"),
        ({"distribution": "Kylin", "os_family": "Kylin"}, KYLIN_DESKTOP, "Debian"),
        ({"distribution": "Uos", "os_family": "Uos"}, UOS, "Debian"),
        ({"distribution": "Deepin", "os_family": "Deepin"}, DEEPIN, "Debian"),
        ({"distribution": "Debian", "os_family": "Debian"}, DEBIAN, "Debian"),
        ({"distribution": "Void", "os_family": "Void"}, VOID, "Void"),
        ({"distribution": "Void", "os_family": "Linux"}, VOID, "Void"),
        # Facts gathered with the ansible_ prefix (inject_facts_as_vars style).
        ({"ansible_distribution": "Debian", "ansible_os_family": "Debian"}, "", "Debian"),
    ],
    ids=["rocky", "openeuler", "openeuler-unclassified", "kylin-server", "kylin-desktop", "uos", "deepin",
         "debian", "void", "void-linux-family", "prefixed-facts"],
)
def test_family_resolution(facts, os_release, family):
    assert resolve(facts, os_release) == family


@pytest.mark.parametrize("facts, os_release", [
    ({"distribution": "Alpine", "os_family": "Alpine"}, ALPINE),
    ({"distribution": "Mystery", "os_family": "Mystery"}, ""),
])
def test_unsupported_distribution_fails_with_its_name(facts, os_release):
    with pytest.raises(GofleetError) as err:
        resolve(facts, os_release)
    message = str(err.value)
    assert facts["distribution"] in message
    assert "\n" not in message


def test_os_release_quoting_is_undone():
    fields = parse_os_release('ID="rocky"\nID_LIKE="rhel centos fedora"\n# comment\nNAME=\'Rocky Linux\'\nBROKEN\n')
    assert fields == {"ID": "rocky", "ID_LIKE": "rhel centos fedora", "NAME": "Rocky Linux"}


# UOS Server editions: 1050e is rpm-based (openEuler), 1050a/d are Debian-based; both may write
# only ID=uos. Ansible maps the name Uos to os_family Debian (and then reports pkg_mgr apt
# whatever is installed), so only the package tools found on the host decide.
UOS_SERVER = 'NAME="UOS Server"\nVERSION="20"\nID="uos"\nVERSION_ID="20"\nPRETTY_NAME="UOS Server 20"\n'
RPM_TOOLS = ["/usr/bin/rpm", "/usr/bin/dnf", "/usr/bin/yum"]
DEB_TOOLS = ["/usr/bin/dpkg", "/usr/bin/apt-get"]


@pytest.mark.parametrize("facts, os_release, tools, family", [
    ({"distribution": "Uos", "os_family": "Debian", "pkg_mgr": "apt"}, UOS_SERVER, RPM_TOOLS, "RedHat"),
    ({"distribution": "Uos", "os_family": "Debian", "pkg_mgr": "apt"}, UOS_SERVER, DEB_TOOLS, "Debian"),
    ({"distribution": "Uos", "os_family": "Uos"}, UOS_SERVER, ["/usr/bin/rpm"], "RedHat"),
    # Debian can carry the rpm package; apt-get without dnf or yum still says Debian.
    ({"distribution": "Uos", "os_family": "Debian"}, UOS_SERVER, DEB_TOOLS + ["/usr/bin/rpm"], "Debian"),
    ({"distribution": "Kylin Linux Advanced Server", "os_family": "RedHat"}, KYLIN_SERVER, RPM_TOOLS, "RedHat"),
    # ID_LIKE settles it: the package tools are not even looked at.
    ({"distribution": "Uos", "os_family": "Debian"}, UOS, RPM_TOOLS, "Debian"),
    # A plain Debian host is not second-guessed by the rpm it carries.
    ({"distribution": "Debian", "os_family": "Debian"}, DEBIAN, ["/usr/bin/rpm"], "Debian"),
], ids=["uos-rpm-edition", "uos-deb-edition", "uos-rpm-only", "uos-deb-with-rpm-package",
        "kylin-server-rpm", "uos-id-like-wins", "debian-with-rpm-package"])
def test_ambiguous_id_decided_by_package_tools(facts, os_release, tools, family):
    assert resolve(facts, os_release, tools) == family


@pytest.mark.parametrize("os_release, probes", [
    (UOS_SERVER, True), (KYLIN_SERVER, True), (UOS, False), (DEBIAN, False), (ROCKY, False), ("", False),
], ids=["uos-server", "kylin-server", "uos-desktop", "debian", "rocky", "none"])
def test_package_tools_are_probed_only_when_os_release_leaves_it_open(os_release, probes):
    assert bool(package_tool_probes(os_release)) is probes
    if probes:
        assert set(package_tool_probes(os_release)) >= {"/usr/bin/dpkg", "/usr/bin/rpm"}


@pytest.mark.parametrize("tools", [[], ["/usr/bin/apt-get", "/usr/bin/dnf"]], ids=["none", "both"])
def test_uos_without_a_telling_package_tool_fails_in_one_line(tools):
    with pytest.raises(GofleetError) as err:
        resolve({"distribution": "Uos", "os_family": "Debian"}, UOS_SERVER, tools)
    message = str(err.value)
    assert "ID=uos" in message and "ID_LIKE" in message and "\n" not in message


def test_filter_passes_the_package_tools():
    from ansible_collections.gofleet.golang.plugins.filter import distro_family, distro_family_probes
    filters = dict(distro_family.FilterModule().filters(), **distro_family_probes.FilterModule().filters())
    assert filters["distro_family"]({"os_family": "Debian"}, UOS_SERVER, RPM_TOOLS) == "RedHat"
    assert filters["distro_family_probes"](UOS_SERVER) == package_tool_probes(UOS_SERVER)
