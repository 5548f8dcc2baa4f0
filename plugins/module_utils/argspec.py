# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An argument spec with its constraints, built from parts that several modules share.

A part (the artifact options, for one) is declared once and merged into each module's own
spec, so an option has one type, one default and one set of constraints everywhere.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy


class ArgumentSpec(object):
    """argument_spec plus the AnsibleModule constraints that go with it."""

    CONSTRAINTS = ("mutually_exclusive", "required_together", "required_one_of", "required_if")

    def __init__(self, argument_spec=None, mutually_exclusive=None, required_together=None,
                 required_one_of=None, required_if=None, required_by=None):
        self.argument_spec = copy.deepcopy(argument_spec or {})
        self.mutually_exclusive = list(mutually_exclusive or [])
        self.required_together = list(required_together or [])
        self.required_one_of = list(required_one_of or [])
        self.required_if = list(required_if or [])
        self.required_by = dict(required_by or {})

    def merge(self, other):
        """Add another part. The same option declared twice is a programming error: one meaning each."""
        clash = sorted(set(self.argument_spec) & set(other.argument_spec))
        if clash:
            raise ValueError("options declared twice: %s" % ", ".join(clash))
        self.argument_spec.update(copy.deepcopy(other.argument_spec))
        for name in self.CONSTRAINTS:
            getattr(self, name).extend(getattr(other, name))
        self.required_by.update(other.required_by)
        return self

    def defaults(self):
        """{option: default} for every option, None where the spec gives none."""
        return dict((name, spec.get("default")) for name, spec in self.argument_spec.items())

    def module_kwargs(self, **extra):
        """Keyword arguments for AnsibleModule(...)."""
        kwargs = dict(argument_spec=self.argument_spec, required_by=self.required_by)
        for name in self.CONSTRAINTS:
            kwargs[name] = getattr(self, name)
        kwargs.update(extra)
        return kwargs

    def create_ansible_module(self, **extra):
        from ansible.module_utils.basic import AnsibleModule

        return AnsibleModule(**self.module_kwargs(**extra))
