# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Go architecture a node is, and whether an ELF binary was built for it.

Used by go_toolchain (is this tarball's bin/go for this node?) and go_service
(will this service binary run here?).  Pure stdlib: the ELF header is read directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import platform
import struct

from ansible_collections.gofleet.golang.plugins.module_utils.errors import GofleetError

# uname -m -> the architecture label of Go's official tarballs (goX.linux-<label>.tar.gz).
# There is deliberately no default: an unknown machine must fail, never become amd64.
MACHINE_TO_TARBALL_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv6l": "armv6l",
    "armv7l": "armv6l",
    "armv8l": "armv6l",
    "i386": "386",
    "i486": "386",
    "i586": "386",
    "i686": "386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loongarch64": "loong64",
}

# Tarball label -> (ELF e_machine, ELF class bits, endianness) that its binaries carry.
ELF_SIGNATURE = {
    "amd64": (62, 64, "little"),
    "arm64": (183, 64, "little"),
    "armv6l": (40, 32, "little"),
    "386": (3, 32, "little"),
    "ppc64le": (21, 64, "little"),
    "s390x": (22, 64, "big"),
    "riscv64": (243, 64, "little"),
    "loong64": (258, 64, "little"),
}

_ELF_MACHINE_NAMES = dict((sig[0], arch) for arch, sig in ELF_SIGNATURE.items())


def tarball_arch(machine=None):
    """Map `uname -m` (or the given machine string) to Go's tarball architecture label."""
    machine = machine if machine is not None else platform.machine()
    try:
        return MACHINE_TO_TARBALL_ARCH[machine]
    except KeyError:
        raise GofleetError(
            "unsupported architecture %r: gofleet knows %s"
            % (machine, ", ".join(sorted(MACHINE_TO_TARBALL_ARCH)))
        )


class ElfHeader(object):
    """The few ELF header fields that decide whether a binary runs on a node."""

    def __init__(self, bits, endian, machine, interpreter=None):
        self.bits = bits
        self.endian = endian
        self.machine = machine
        self.interpreter = interpreter

    def describe(self):
        name = _ELF_MACHINE_NAMES.get(self.machine, "e_machine=%d" % self.machine)
        return "%d-bit %s-endian ELF for %s" % (self.bits, self.endian, name)

    def matches(self, arch):
        return (self.machine, self.bits, self.endian) == ELF_SIGNATURE[arch]


def read_elf_header(path):
    """Parse the ELF identification and e_machine of `path`; GofleetError if it is not ELF."""
    try:
        with open(path, "rb") as f:
            ident = f.read(64)
            if len(ident) < 20 or ident[:4] != b"\x7fELF":
                raise GofleetError("%s is not an ELF executable" % path)
            bits = {1: 32, 2: 64}.get(ident[4])
            endian = {1: "little", 2: "big"}.get(ident[5])
            if bits is None or endian is None:
                raise GofleetError("%s has a malformed ELF header" % path)
            if len(ident) < (64 if bits == 64 else 52):
                raise GofleetError("%s has a truncated ELF header" % path)
            order = "<" if endian == "little" else ">"
            machine = struct.unpack(order + "H", ident[18:20])[0]
            interpreter = _read_interpreter(f, ident, bits, order)
    except (IOError, OSError) as e:
        raise GofleetError("cannot read %s: %s" % (path, e.strerror or e))
    return ElfHeader(bits, endian, machine, interpreter)


def _read_interpreter(f, ident, bits, order):
    """Return PT_INTERP (the dynamic loader) or None for a static binary."""
    if bits == 64:
        phoff, phentsize, phnum = struct.unpack(order + "Q", ident[32:40])[0], \
            struct.unpack(order + "H", ident[54:56])[0], struct.unpack(order + "H", ident[56:58])[0]
    else:
        phoff, phentsize, phnum = struct.unpack(order + "I", ident[28:32])[0], \
            struct.unpack(order + "H", ident[42:44])[0], struct.unpack(order + "H", ident[44:46])[0]
    for i in range(min(phnum, 256)):
        f.seek(phoff + i * phentsize)
        entry = f.read(phentsize)
        if len(entry) < phentsize or struct.unpack(order + "I", entry[:4])[0] != 3:  # PT_INTERP
            continue
        if bits == 64:
            offset, size = struct.unpack(order + "Q", entry[8:16])[0], struct.unpack(order + "Q", entry[32:40])[0]
        else:
            offset, size = struct.unpack(order + "I", entry[4:8])[0], struct.unpack(order + "I", entry[16:20])[0]
        f.seek(offset)
        return f.read(min(size, 4096)).rstrip(b"\0").decode("utf-8", "replace")
    return None


def require_elf_for(path, arch):
    """Fail unless `path` is an ELF binary whose header matches tarball arch `arch`."""
    header = read_elf_header(path)
    if not header.matches(arch):
        raise GofleetError(
            "%s is a %s, but this node needs linux-%s binaries" % (path, header.describe(), arch)
        )
    return header


def is_executable_file(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)
