# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""uname -> tarball arch mapping and ELF header checks on crafted headers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import struct

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils import platform_arch as pa
from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError


@pytest.mark.parametrize("machine,arch", [
    ("x86_64", "amd64"),
    ("aarch64", "arm64"),
    ("armv6l", "armv6l"),
    ("armv7l", "armv6l"),
    ("i386", "386"),
    ("i686", "386"),
    ("ppc64le", "ppc64le"),
    ("s390x", "s390x"),
    ("riscv64", "riscv64"),
    ("loongarch64", "loong64"),
])
def test_uname_to_tarball_arch(machine, arch):
    assert pa.tarball_arch(machine) == arch


@pytest.mark.parametrize("machine", ["mips64", "mips", "ppc64", "sparc64", "", "X86_64", "amd64 "])
def test_unknown_machine_fails_clearly_never_amd64(machine):
    with pytest.raises(GofleetError) as err:
        pa.tarball_arch(machine)
    msg = err.value.message
    assert msg.startswith("unsupported architecture %r" % machine)
    assert "\n" not in msg


def test_this_node_maps():
    assert pa.tarball_arch() in pa.ELF_SIGNATURE


def elf_header(machine, bits=64, endian="little", phnum=0):
    """A minimal ELF header (no program headers unless asked) for e_machine `machine`."""
    order = "<" if endian == "little" else ">"
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 1 if endian == "little" else 2, 1]) + b"\0" * 9
    if bits == 64:
        rest = struct.pack(order + "HHIQQQIHHHHHH", 2, machine, 1, 0x400000, 64 if phnum else 0, 0, 0, 64, 56, phnum, 64, 0, 0)
    else:
        rest = struct.pack(order + "HHIIIIIHHHHHH", 2, machine, 1, 0x8000, 52 if phnum else 0, 0, 0, 52, 32, phnum, 40, 0, 0)
    return ident + rest


# (id, header bytes, tarball arch required, ok?, words in the error)
CASES = [
    ("amd64-ok", elf_header(62), "amd64", True, []),
    ("arm64-ok", elf_header(183), "arm64", True, []),
    ("armv6l-ok", elf_header(40, bits=32), "armv6l", True, []),
    ("386-ok", elf_header(3, bits=32), "386", True, []),
    ("s390x-ok", elf_header(22, endian="big"), "s390x", True, []),
    ("loong64-ok", elf_header(258), "loong64", True, []),
    ("arm64-on-amd64", elf_header(183), "amd64", False, ["64-bit little-endian ELF for arm64", "linux-amd64"]),
    ("amd64-on-arm64", elf_header(62), "arm64", False, ["ELF for amd64", "linux-arm64"]),
    ("386-on-amd64", elf_header(3, bits=32), "amd64", False, ["32-bit", "ELF for 386"]),
    ("big-endian-ppc64", elf_header(21, endian="big"), "ppc64le", False, ["big-endian"]),
    ("shell-script", b"#!/bin/sh\necho go version go1.22.12 linux/amd64\n", "amd64", False, ["is not an ELF executable"]),
    ("empty", b"", "amd64", False, ["is not an ELF executable"]),
    ("bad-class", b"\x7fELF\x07\x01\x01" + b"\0" * 60, "amd64", False, ["malformed ELF header"]),
    ("truncated-header", elf_header(62)[:24], "amd64", False, ["ELF header"]),
]


@pytest.mark.parametrize("data,arch,ok,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_require_elf_for(tmp_path, data, arch, ok, words):
    path = tmp_path / "go"
    path.write_bytes(data)
    if ok:
        assert pa.require_elf_for(str(path), arch).matches(arch)
        return
    with pytest.raises(GofleetError) as err:
        pa.require_elf_for(str(path), arch)
    msg = err.value.message
    assert "\n" not in msg and str(path) in msg
    for word in words:
        assert word in msg


def test_real_binary_of_this_node_and_its_interpreter():
    header = pa.require_elf_for("/bin/sh", pa.tarball_arch())
    assert header.interpreter is None or header.interpreter.startswith("/")


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(GofleetError, match="cannot read .*nope"):
        pa.read_elf_header(str(tmp_path / "nope"))
