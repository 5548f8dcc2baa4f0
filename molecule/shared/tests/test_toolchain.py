"""What a platform team checks after provisioning a host with gofleet.golang.toolchain."""

import shlex

VERSION_ROOT = "/usr/local/lib/go"
LINK = "/usr/local/go"
HELLO = """package main

import "fmt"

func main() { fmt.Println("hello from gofleet") }
"""


def goroot(host):
    return host.file(LINK).linked_to


def login(host, command, user="builder"):
    return host.run("su - %s -c %s" % (user, shlex.quote(command)))


def test_link_points_at_an_installed_version(host):
    link = host.file(LINK)
    assert link.is_symlink
    assert link.linked_to.startswith(VERSION_ROOT + "/go1.")
    assert host.file(link.linked_to + "/bin/go").is_file


def test_go_version_as_root(host):
    out = host.check_output("/usr/local/bin/go version")
    assert out.startswith("go version go1.")
    assert goroot(host).rsplit("/go", 1)[1] in out


def test_go_version_as_unprivileged_login_shell(host):
    result = login(host, "go version && echo GOROOT=$GOROOT")
    assert result.rc == 0, result.stderr
    assert "go version go1." in result.stdout
    assert "GOROOT=%s" % LINK in result.stdout


def test_gotoolchain_is_local(host):
    result = login(host, "go env GOTOOLCHAIN")
    assert result.stdout.strip() == "local"


def test_files_root_owned_and_not_group_or_world_writable(host):
    tree = goroot(host)
    not_root = host.check_output("find %s ! -user root -o ! -group root | head -5" % tree)
    writable = host.check_output("find %s ! -type l -perm /022 | head -5" % tree)
    assert not_root == "", not_root
    assert writable == "", writable


def test_receipt_outside_goroot(host):
    version = goroot(host).rsplit("/go", 1)[1]
    receipt = host.file("%s/.receipts/go%s.json" % (VERSION_ROOT, version))
    assert receipt.is_file
    assert '"sha256"' in receipt.content_string


def test_hello_builds_and_runs_with_the_network_cut(host):
    host.run("rm -rf /home/builder/hello && mkdir -p /home/builder/hello")
    host.run("printf %s > /home/builder/hello/main.go" % shlex.quote(HELLO))
    host.run("printf 'module example.com/hello\\n\\ngo 1.22\\n' > /home/builder/hello/go.mod")
    host.run("chown -R builder: /home/builder/hello")
    # unshare -n: a fresh network namespace with nothing but a down loopback.
    result = host.run(
        "unshare --net -- su - builder -c %s"
        % shlex.quote("cd hello && CGO_ENABLED=0 go build -o hello . && ./hello")
    )
    assert result.rc == 0, result.stderr
    assert result.stdout.strip().endswith("hello from gofleet")


def test_private_ca_is_in_the_system_trust_store(host):
    with open(__file__.rsplit("/tests/", 1)[0] + "/files/test-ca.pem") as f:
        body = f.read().splitlines()[1]  # first base64 line of the certificate
    bundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]
    present = [b for b in bundles if host.file(b).exists]
    assert present, "no system CA bundle found"
    assert any(body in host.file(b).content_string for b in present)
