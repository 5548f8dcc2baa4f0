# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type that module_utils raise for anything a user can fix.

Modules catch it in main() and turn it into a one-line fail_json, so a bad input
never surfaces as a traceback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class GofleetError(Exception):
    """A failure with a one-line reason that names the offending input."""

    def __init__(self, message, **details):
        # Multi-line messages break the "one line per failure" promise in task output.
        super(GofleetError, self).__init__(" ".join(str(message).split()))
        self.details = details

    @property
    def message(self):
        return self.args[0]
