# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Crafted ELF executables for the binary and architecture checks.

    write_elf(path, *ELF_SIGNATURE["arm64"])            # a static arm64 binary
    write_elf(path, interp="/lib64/ld-linux-x86-64.so.2")  # a dynamic amd64 one
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import struct


def elf_bytes(machine=62, bits=64, endian="little", interp=None):
    """A minimal but well-formed ELF executable header, with a PT_INTERP when `interp` is given."""
    o = "<" if endian == "little" else ">"
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 1 if endian == "little" else 2, 1, 0]) + b"\0" * 8
    phnum = 1 if interp else 0
    data = interp.encode() + b"\0" if interp else b""
    if bits == 64:
        ehsize, phentsize = 64, 56
        header = ident + struct.pack(o + "HHIQQQIHHHHHH", 2, machine, 1, 0x401000, ehsize if phnum else 0, 0, 0,
                                     ehsize, phentsize, phnum, 0, 0, 0)
        # PT_INTERP: p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align
        program = struct.pack(o + "IIQQQQQQ", 3, 4, ehsize + phentsize, 0, 0, len(data), len(data), 1)
    else:
        ehsize, phentsize = 52, 32
        header = ident + struct.pack(o + "HHIIIIIHHHHHH", 2, machine, 1, 0x8048000, ehsize if phnum else 0, 0, 0,
                                     ehsize, phentsize, phnum, 0, 0, 0)
        # The 32-bit program header orders its fields differently (p_flags comes late).
        program = struct.pack(o + "IIIIIIII", 3, ehsize + phentsize, 0, 0, len(data), len(data), 4, 1)
    body = program + data if interp else b""
    return header + body + b"\0" * 64


def write_elf(path, machine=62, bits=64, endian="little", interp=None, mode=0o755):
    with open(str(path), "wb") as f:
        f.write(elf_bytes(machine, bits, endian, interp))
    os.chmod(str(path), mode)
    return str(path)
