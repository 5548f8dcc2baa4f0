# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sha256sums filter, run by ansible-playbook the way plays use it (no mocks)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HEX = "ab" * 32

PLAY = """
- name: Read a SHA256SUMS
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Parse it
      ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.file', sums) | gofleet.golang.sha256sums(sums) | to_json }}"
"""


def run_play(tmp_path, text):
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(text)
    play = tmp_path / "play.yml"
    play.write_text(PLAY)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build"), ANSIBLE_STDOUT_CALLBACK="json",
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    bin_dir = os.path.dirname(sys.executable)
    proc = subprocess.run([os.path.join(bin_dir, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                           "-e", "sums=%s" % sums, str(play)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, env=env, check=False)
    out = json.loads(proc.stdout)
    return proc.returncode, out["plays"][0]["tasks"][0]["hosts"]["localhost"], str(sums)


@pytest.mark.parametrize("text,expected", [
    ("%s  go1.22.12.linux-amd64.tar.gz\n%s *b.tgz\n" % (HEX, "CD" * 32),
     {"go1.22.12.linux-amd64.tar.gz": HEX, "b.tgz": "cd" * 32}),
])
def test_filter_maps_names_to_sums(tmp_path, text, expected):
    rc, host, _sums = run_play(tmp_path, text)
    assert rc == 0, host
    assert json.loads(host["msg"]) == expected


def test_filter_fails_in_one_line_naming_file_and_line(tmp_path):
    rc, host, sums = run_play(tmp_path, "%s  a.tgz\nnot a sum line\n" % HEX)
    assert rc != 0 and host.get("failed") is True
    # Ansible puts its own words before the filter's message; the message is the parser's line.
    assert ("%s line 2 must look like sha256sum's" % sums) in host["msg"], host["msg"]
    assert "Traceback" not in host["msg"] and "\n" not in host["msg"]
