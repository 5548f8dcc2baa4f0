# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A minimal static ELF executable for this machine's architecture (no program headers)."""

import os
import struct

from ansible_collections.gofleet.golang.plugins.module_utils.platform_arch import ELF_SIGNATURE, tarball_arch


def make_static_elf(path):
    machine, bits, endian = ELF_SIGNATURE[tarball_arch()]
    o = "<" if endian == "little" else ">"
    ident = b"\x7fELF" + bytes([2 if bits == 64 else 1, 1 if endian == "little" else 2, 1, 0]) + b"\0" * 8
    if bits == 64:
        header = ident + struct.pack(o + "HHIQQQIHHHHHH", 2, machine, 1, 0, 0, 0, 0, 64, 56, 0, 0, 0, 0)
    else:
        header = ident + struct.pack(o + "HHIIIIIHHHHHH", 2, machine, 1, 0, 0, 0, 0, 52, 32, 0, 0, 0, 0)
    with open(str(path), "wb") as f:
        f.write(header + b"\0" * 64)
    os.chmod(str(path), 0o755)
    return str(path)
