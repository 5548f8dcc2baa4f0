# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd's own syntax for the words of a unit line: ExecStart= quoting and specifier escapes.

Shared by spec (which builds ExecStart= from binary and args) and the systemd renderer.
Pure functions, no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def quote_exec_arg(arg):
    """One ExecStart= word: % and $ escaped, quoted when it holds blanks or quotes."""
    text = str(arg).replace("%", "%%").replace("$", "$$")
    if text == "" or re.search(r"[\s\"'\\;]", text):
        # systemd C-unescapes ExecStart= words: a line break must be \n, since a literal one ends
        # the line and turns the rest of the argument into a directive of its own.
        text = '"%s"' % (text.replace("\\", "\\\\").replace('"', '\\"')
                         .replace("\n", "\\n").replace("\r", "\\r"))
    return text


def escape_specifiers(value):
    """'%u' -> '%%u': systemd expands specifiers in User=, WorkingDirectory=, Description= ...;
    a literal % must reach it doubled, or `user: "%u"` runs the service as root."""
    return None if value is None else str(value).replace("%", "%%")


def exec_start_line(binary, args):
    return " ".join(quote_exec_arg(w) for w in [binary] + list(args or []))
