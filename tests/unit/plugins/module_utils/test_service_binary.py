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

from elf_fixtures import write_elf as make_elf  # tests/elf_fixtures.py

EM = {"amd64": 62, "arm64": 183, "386": 3, "s390x": 22}


class FakeModule(object):
    """Only run_command is faked; it records what it was asked to run."""

    def __init__(self, output="", rc=0, err="", has_ldd=True):
        self.calls = []
        self.output, self.rc, self.err, self.has_ldd = output, rc, err, has_ldd

    def get_bin_path(self, name, required=False):
        return "/usr/bin/ldd" if (name == "ldd" and self.has_ldd) else None

    def run_command(self, cmd, **kw):
        self.calls.append(cmd)
        return self.rc, self.output, self.err


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
def test_static_elf_for_its_arch_passes_without_ldd(tmp_path, machine, bits, endian, arch):
    path = make_elf(tmp_path / "svc", machine, bits, endian)
    module = FakeModule()
    info = check_binary(module, path, arch)
    assert info["linkage"] == "static" and info["arch"] == arch
    assert module.calls == []


@pytest.mark.parametrize("machine,bits,arch,named", [
    (183, 64, "amd64", "arm64"),
    (62, 64, "arm64", "amd64"),
    (3, 32, "amd64", "386"),
])
def test_wrong_arch_fails_naming_both(tmp_path, machine, bits, arch, named):
    path = make_elf(tmp_path / "svc", machine, bits)
    with pytest.raises(GofleetError) as e:
        check_binary(FakeModule(), path, arch)
    assert named in e.value.message and ("linux-%s" % arch) in e.value.message


@pytest.mark.parametrize("content,mode,reason", [
    (None, 0o755, "does not exist"),
    (b"#!/bin/sh\necho hi\n", 0o755, "not an ELF"),
    (b"", 0o755, "not an ELF"),
    (b"\x7fELF\x02\x01", 0o755, "not an ELF"),
    ("elf", 0o644, "not executable"),
])
def test_not_runnable(tmp_path, content, mode, reason):
    path = str(tmp_path / "svc")
    if content == "elf":
        make_elf(path, mode=mode)
    elif content is not None:
        with open(path, "wb") as f:
            f.write(content)
        os.chmod(path, mode)
    with pytest.raises(GofleetError, match=reason):
        check_binary(FakeModule(), path, "amd64")


def test_directory_and_dangling_link(tmp_path):
    with pytest.raises(GofleetError, match="not a regular file"):
        check_binary(FakeModule(), str(tmp_path), "amd64")
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(GofleetError, match="dangling"):
        check_binary(FakeModule(), str(link), "amd64")


def test_dynamic_all_libraries_found(tmp_path, loader):
    path = make_elf(tmp_path / "svc", interp=loader)
    out = "\tlinux-vdso.so.1 (0x00007ffc)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x7f)\n"
    module = FakeModule(output=out)
    info = check_binary(module, path, "amd64")
    assert info["linkage"] == "dynamic" and info["interpreter"] == loader and info["libraries_checked"]
    assert module.calls == [["/usr/bin/ldd", path]]


def test_dynamic_missing_libraries_named(tmp_path, loader):
    path = make_elf(tmp_path / "svc", interp=loader)
    out = ("\tlibssl.so.3 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x7f)\n"
           "\tlibcrypto.so.3 => not found\n")
    with pytest.raises(GofleetError) as e:
        check_binary(FakeModule(output=out, rc=0), path, "amd64")
    assert "libssl.so.3, libcrypto.so.3" in e.value.message


def test_without_ldd_the_loader_lists(tmp_path, loader):
    path = make_elf(tmp_path / "svc", interp=loader)
    module = FakeModule(output="\tlibfoo.so.1 => not found\n", rc=127, has_ldd=False)
    with pytest.raises(GofleetError, match="libfoo.so.1"):
        check_binary(module, path, "amd64")
    assert module.calls == [[loader, "--list", path]]


def test_missing_loader(tmp_path):
    path = make_elf(tmp_path / "svc", interp="/lib/ld-musl-x86_64.so.1-not-here")
    with pytest.raises(GofleetError, match="loader /lib/ld-musl-x86_64.so.1-not-here"):
        check_binary(FakeModule(), path, "amd64")


def test_ldd_failure_reported(tmp_path, loader):
    path = make_elf(tmp_path / "svc", interp=loader)
    with pytest.raises(GofleetError, match="rc=1.*not a dynamic executable"):
        check_binary(FakeModule(err="not a dynamic executable", rc=1), path, "amd64")


@pytest.mark.skipif(not (shutil.which("ldd") and os.path.exists("/bin/ls")), reason="skipped: no ldd or /bin/ls")
def test_real_host_binary_with_real_ldd():
    """The one place the real ldd runs: a dynamically linked host binary passes."""
    from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import tarball_arch

    class RealModule(FakeModule):
        def run_command(self, cmd, **kw):
            p = subprocess.run(cmd, capture_output=True, text=True, check=False)
            return p.returncode, p.stdout, p.stderr

    info = check_binary(RealModule(), os.path.realpath("/bin/ls"), tarball_arch())
    assert info["linkage"] == "dynamic" and info["libraries_checked"]


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
