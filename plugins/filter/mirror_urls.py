# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: mirror_urls
short_description: The mirror base URLs of a variable that takes one URL or a list of them
version_added: 0.2.0
author: gofleet founders
description:
  - Takes the value of a variable such as C(offline_mirror_url) or C(toolchain_bundle_url), a single URL (a string,
    as inventories have always given it) or a list of URLs, in the order they are to be tried.
  - Returns the list, each entry stripped of surrounding blanks and trailing slashes; an empty string is no URL.
  - Every entry must be an http or https URL with a host, no credentials in it, no C(,) or C(|) (they are GOPROXY's
    separators), no blanks, query or fragment, and no entry may be listed twice. An invalid entry fails naming it
    (a password in it shown as C(***)), unless O(errors=true), which returns the list of problems instead
    (empty when every entry is valid), for a task that words its own failure.
options:
  _input:
    description: One URL (str) or a list of them.
    type: raw
    required: true
  variable:
    description: The variable's name, for the messages.
    type: str
    default: mirror URL
  errors:
    description: Return the problems (a list of one-line strings) instead of the URLs.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Check the mirror URLs
  ansible.builtin.assert:
    that: offline_mirror_url | gofleet.golang.mirror_urls('offline_mirror_url', errors=true) | length == 0
    fail_msg: "{{ offline_mirror_url | gofleet.golang.mirror_urls('offline_mirror_url', errors=true) | join('; ') }}"

- name: GOPROXY that falls through to the next mirror on any error
  ansible.builtin.set_fact:
    goproxy: "{{ offline_mirror_url | gofleet.golang.mirror_urls | join('|') }},off"
"""

RETURN = r"""
_value:
  description: The URLs, in order (or, with O(errors=true), the problems found).
  type: list
  elements: str
"""

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.six import string_types
from ansible.module_utils.six.moves.urllib.parse import urlsplit


def _shown(url):
    """The entry as a message may show it: a password replaced by ***."""
    # Up to the LAST '@': a password may hold '/' or '@', and urlsplit would cut it there.
    return re.sub(r"^([^:/?#]+://[^:/?#@]*):.*@", r"\1:***@", url)


def _problem(url):
    if not url:
        return "is empty"
    if re.search(r"\s", url):
        return "has a blank in it"
    if "," in url or "|" in url:
        return "has a ',' or '|' in it (give each mirror as its own list entry)"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http or https URL"
    if "@" in parts.netloc:
        return "embeds credentials (give them in the role's username and password variables)"
    if not parts.hostname:
        return "has no host"
    try:
        if parts.port is None and parts.netloc.endswith(":"):  # reading .port raises on a bad one
            return "has an empty port"
    except ValueError:
        return "has an invalid port"
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "must not have a query or fragment"
    return None


def check(value, variable="mirror URL"):
    """(urls, problems) of `value`: one URL or a list of them."""
    if value is None or (isinstance(value, string_types) and not value.strip()):
        return [], []
    entries = [value] if isinstance(value, string_types) else value
    if isinstance(entries, dict) or not hasattr(entries, "__iter__"):
        return [], ["%s must be a URL or a list of URLs, got %r" % (variable, value)]
    urls, problems = [], []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, string_types):
            problems.append("%s entry %d must be a URL, got %r" % (variable, number, entry))
            continue
        url = entry.strip().rstrip("/")
        why = _problem(url)
        if why is None and url in urls:
            why = "is listed twice"
        if why:
            problems.append("%s entry '%s' %s" % (variable, _shown(entry.strip()), why))
        else:
            urls.append(url)
    return urls, problems


def mirror_urls(value, variable="mirror URL", errors=False):
    urls, problems = check(value, variable)
    if errors:
        return problems
    if problems:
        raise AnsibleFilterError("; ".join(problems))
    return urls


class FilterModule(object):
    def filters(self):
        return {"mirror_urls": mirror_urls}
