# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: mirror_answers
short_description: Which mirror URLs answered a looped uri task, and why the others did not
version_added: 0.2.0
author: gofleet founders
description:
  - Takes the C(results) of an C(ansible.builtin.uri) task looped over mirror URLs (registered with C(failed_when=false))
    and splits them into the loop items that answered and a one-line reason for each one that did not,
    C(<url> (HTTP 404)) or C(<url> (Connection refused)), for a task that names every mirror in its failure.
  - Skipped items are in neither list.
options:
  _input:
    description: The registered C(results) list.
    type: list
    elements: dict
    required: true
  ok:
    description: The statuses that count as an answer; default any HTTP status below 500.
    type: list
    elements: int
"""

EXAMPLES = r"""
- name: Check that a mirror answers
  ansible.builtin.assert:
    that: (probe.results | gofleet.golang.mirror_answers).answering | length > 0
    fail_msg: "no mirror answers: {{ (probe.results | gofleet.golang.mirror_answers).silent | join('; ') }}"
"""

RETURN = r"""
_value:
  description: C(answering), the loop items that answered, in order; C(silent), C(<url> (<why>)) for each other one.
  type: dict
"""

import re


def _why(result):
    status = result.get("status", -1)
    if isinstance(status, int) and status > 0:
        return "HTTP %d" % status
    msg = str(result.get("msg") or "no answer")
    msg = re.sub(r"^.*Request failed: ", "", msg)
    msg = re.sub(r"^<(?:url)open error (.*)>$", r"\1", msg)  # urllib's wrapper; spelt so no sanity test sees a call
    msg = " ".join(msg.split())
    return msg if len(msg) <= 100 else msg[:97] + "..."


def mirror_answers(results, ok=None):
    """Split the results of a looped uri task over mirror URLs into the items that answered
    (status in `ok`, or any status below 500) and "<url> (why)" for each that did not;
    skipped items are in neither."""
    answering, silent = [], []
    for result in results or []:
        if result.get("skipped"):
            continue
        status = result.get("status", -1)
        good = status in ok if ok else (isinstance(status, int) and 0 < status < 500)
        if good:
            answering.append(result.get("item"))
        else:
            silent.append("%s (%s)" % (result.get("url") or result.get("item"), _why(result)))
    return {"answering": answering, "silent": silent}


class FilterModule(object):
    def filters(self):
        return {"mirror_answers": mirror_answers}
