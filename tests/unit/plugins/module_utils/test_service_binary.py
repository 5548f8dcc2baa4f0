# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Binary checks on real small ELF files crafted here (static, dynamic, wrong arch) and non-ELF files."""

import os
import shutil
import subprocess

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError
from ansible_collections.gofleet.golang.plugins.module_utils.service.binary import (
    binary_of_exec_start,
    check_binary,
    missing_libraries,
)

from elf_fixtures import write_elf as make_elf  # tests/elf_fixtures.py, on pytest.ini's pythonpath

EM = {"amd64": 62, "arm64": 183, "386": 3, "s390x": 22}


@pytest.fixture
def host(fake_module, run_command):
    """host(*steps, ldd=True): a module whose run_command must run exactly `steps`, each
    (argv, (rc, out, err)), in order; ldd=False: the host has no ldd."""
    def make(*steps, **kw):
        return fake_module(answer=run_command.expect(steps), bins={} if kw.get("ldd", True) else {"ldd": None})
    return make


@pytest.fixture
def loader(tmp_path):
    path = tmp_path / "ld-test.so.2"
    path.write_bytes(b"loader")
    return str(path)


@pytest.mark.parametrize("machine,bits,endian,arch", [
    (62, 64, "little", "amd64"),
    (183, 64, "little", "arm64"),
    (3, 32, "little", "386"),
    (22, 64, "big", "s390x"),
])
def test_static_elf_for_its_arch_passes_without_ldd(tmp_path, host, machine, bits, endian, arch):
    path = make_elf(tmp_path / "svc", machine, bits, endian)
    info = check_binary(host(), path, arch)   # and runs nothing
    assert info["linkage"] == "static" and info["arch"] == arch


@pytest.mark.parametrize("machine,bits,arch,named", [
    (183, 64, "amd64", "arm64"),
    (62, 64, "arm64", "amd64"),
    (3, 32, "amd64", "386"),
])
def test_wrong_arch_fails_naming_both(tmp_path, host, machine, bits, arch, named):
    path = make_elf(tmp_path / "svc", machine, bits)
    with pytest.raises(GofleetError) as e:
        check_binary(host(), path, arch)
    assert named in e.value.message and ("linux-%s" % arch) in e.value.message


@pytest.mark.parametrize("content,mode,reason", [
    (None, 0o755, "does not exist"),
    (b"#!/bin/sh\necho hi\n", 0o755, "not an ELF"),
    (b"", 0o755, "not an ELF"),
    (b"\x7fELF\x02\x01", 0o755, "not an ELF"),
    ("elf", 0o644, "not executable"),
])
def test_not_runnable(tmp_path, host, content, mode, reason):
    path = str(tmp_path / "svc")
    if content == "elf":
        make_elf(path, mode=mode)
    elif content is not None:
        with open(path, "wb") as f:
            f.write(content)
        os.chmod(path, mode)
    with pytest.raises(GofleetError, match=reason):
        check_binary(host(), path, "amd64")


def test_directory_and_dangling_link(tmp_path, host):
    with pytest.raises(GofleetError, match="not a regular file"):
        check_binary(host(), str(tmp_path), "amd64")
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(GofleetError, match="dangling"):
        check_binary(host(), str(link), "amd64")


def test_dynamic_all_libraries_found(tmp_path, host, loader):
    path = make_elf(tmp_path / "svc", interp=loader)
    out = "\tlinux-vdso.so.1 (0x00007ffc)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x7f)\n"
    info = check_binary(host((["/usr/bin/ldd", path], (0, out, ""))), path, "amd64")
    assert info["linkage"] == "dynamic" and info["interpreter"] == loader and info["libraries_checked"]


def test_dynamic_missing_libraries_named(tmp_path, host, loader):
    path = make_elf(tmp_path / "svc", interp=loader)
    out = ("\tlibssl.so.3 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x7f)\n"
           "\tlibcrypto.so.3 => not found\n")
    with pytest.raises(GofleetError) as e:
        check_binary(host((["/usr/bin/ldd", path], (0, out, ""))), path, "amd64")
    assert "libssl.so.3, libcrypto.so.3" in e.value.message


def test_without_ldd_the_loader_lists(tmp_path, host, loader):
    path = make_elf(tmp_path / "svc", interp=loader)
    module = host(([loader, "--list", path], (127, "\tlibfoo.so.1 => not found\n", "")), ldd=False)
    with pytest.raises(GofleetError, match="libfoo.so.1"):
        check_binary(module, path, "amd64")


def test_missing_loader(tmp_path, host):
    path = make_elf(tmp_path / "svc", interp="/lib/ld-musl-x86_64.so.1-not-here")
    with pytest.raises(GofleetError, match="loader /lib/ld-musl-x86_64.so.1-not-here"):
        check_binary(host(), path, "amd64")


def test_ldd_failure_reported(tmp_path, host, loader):
    path = make_elf(tmp_path / "svc", interp=loader)
    with pytest.raises(GofleetError, match="rc=1.*not a dynamic executable"):
        check_binary(host((["/usr/bin/ldd", path], (1, "", "not a dynamic executable"))), path, "amd64")


@pytest.mark.skipif(not (shutil.which("ldd") and os.path.exists("/bin/ls")), reason="skipped: no ldd or /bin/ls")
def test_real_host_binary_with_real_ldd(fake_module):
    """The one place the real ldd runs: a dynamically linked host binary passes."""
    from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import tarball_arch

    def really_run(cmd, **kw):
        p = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return p.returncode, p.stdout, p.stderr

    module = fake_module(answer=really_run, bins={"ldd": shutil.which("ldd")})
    info = check_binary(module, os.path.realpath("/bin/ls"), tarball_arch())
    assert info["linkage"] == "dynamic" and info["libraries_checked"]
    assert [os.path.basename(c[0]) for c in module.calls] == ["ldd"]


@pytest.mark.parametrize("text,missing", [
    ("libc.so.6 => /lib/libc.so.6 (0x1)", []),
    ("\tlibx.so => not found\n\tlibx.so => not found", ["libx.so"]),
    ("", []),
])
def test_missing_libraries(text, missing):
    assert missing_libraries(text) == missing


@pytest.mark.parametrize("line,binary,args", [
    ("/usr/bin/app -x 1", "/usr/bin/app", ["-x", "1"]),
    ("-/usr/bin/app", "/usr/bin/app", []),
    ("!!/usr/bin/app 'a b'", "/usr/bin/app", ["a b"]),
])
def test_binary_of_exec_start(line, binary, args):
    assert binary_of_exec_start(line) == (binary, args)


@pytest.mark.parametrize("line", ["app -x", "", "'/usr/bin/app"])
def test_binary_of_exec_start_rejects(line):
    with pytest.raises(GofleetError):
        binary_of_exec_start(line)
