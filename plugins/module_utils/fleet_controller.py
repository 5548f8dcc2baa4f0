# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the controller-side actions need that a node module gets from AnsibleModule:
a run_command seam with the same (rc, out, err) shape."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import subprocess


def run_command(args):
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate()
    except OSError as e:
        return 127, "", "%s: %s" % (args[0], e.strerror or e)
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
