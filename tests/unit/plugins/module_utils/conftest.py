# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for the module_utils unit tests."""

import pytest

from ansible_collections.gofleet.golang.plugins.module_utils.service.spec import normalise
from ansible_collections.gofleet.golang.plugins.modules.go_service import ARGUMENT_SPEC


def service_params(**kw):
    """What AnsibleModule hands go_service: every option, defaults filled in, then `kw`."""
    out = dict((k, v.get("default")) for k, v in ARGUMENT_SPEC.items())
    out.update(name="hello", binary="/usr/local/bin/hello")
    out.update(kw)
    return out


@pytest.fixture(name="service_params")
def service_params_fixture():
    return service_params


@pytest.fixture
def service_planner(fake_module):
    """planner(PlanClass, answer, **defaults) -> (plan, deploy): plan(check_mode=False, **params)
    builds and plans one run against `answer` (run_command's fake); deploy(**params) also applies it."""
    def planner(plan_class, answer, **defaults):
        def plan(check_mode=False, **kw):
            p = plan_class(fake_module(check_mode, answer), normalise(service_params(**dict(defaults, **kw))))
            p.plan()
            return p

        def deploy(**kw):
            p = plan(**kw)
            p.apply()
            return p
        return plan, deploy
    return planner
