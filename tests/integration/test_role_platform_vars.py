# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a role loads its platform variables (tasks/set_vars.yml), run for real on this machine with
connection local and no gathered facts: the user's inventory value beats the family's, the most
specific vars file wins, and the platform module runs once per host however many roles ask."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess

import pytest

from ansible_run import ANSIBLE_PLAYBOOK, ansible_env
from module_runner import ROOT

VENV_BIN = os.path.dirname(ANSIBLE_PLAYBOOK)

pytestmark = pytest.mark.integration
SHOW = ["offline_mirror_nginx_user", "offline_mirror_nginx_bin", "__offline_mirror_service_manager"]


def run(tmp_path, host_vars=None, roles_path=None, role="gofleet.golang.offline_mirror", times=1):
    """include_role <role> tasks_from set_vars `times` times on localhost; (task results, shown vars)."""
    inventory = tmp_path / "inventory"
    inventory.mkdir(exist_ok=True)
    (inventory / "hosts.yml").write_text(json.dumps({"all": {"hosts": {"localhost": {
        "ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3"}}}}))
    if host_vars:
        (inventory / "host_vars").mkdir(exist_ok=True)
        (inventory / "host_vars" / "localhost.yml").write_text(json.dumps(host_vars))
    tasks = [{"name": "set_vars %d" % i, "ansible.builtin.include_role": {"name": role, "tasks_from": "set_vars", "public": True}}
             for i in range(times)]
    tasks.append({"name": "show", "ansible.builtin.debug": {"msg": dict((n, "{{ %s }}" % n) for n in SHOW)}})
    (tmp_path / "play.yml").write_text(json.dumps([{"hosts": "all", "gather_facts": False, "tasks": tasks}]))
    env = ansible_env()
    if roles_path:
        env["ANSIBLE_ROLES_PATH"] = str(roles_path)
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "-i", str(inventory), "play.yml"],
                          cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # included tasks are named "<role> : <task>"
    results = [(task["task"]["name"].split(" : ")[-1], task["hosts"]["localhost"])
               for task in json.loads(proc.stdout)["plays"][0]["tasks"]]
    return results, results[-1][1]["msg"]


def platform_of(results):
    return next(r for name, r in results if name == "Learn the host's platform" and "ansible_facts" in r)[
        "ansible_facts"]["gofleet_platform"]


def test_without_facts_the_family_value_applies(tmp_path):
    results, shown = run(tmp_path)
    platform = platform_of(results)
    if platform["family"] != "Debian":
        pytest.skip("skipped: this test reads the Debian family's values; this machine is %s" % platform["family"])
    assert shown == {"offline_mirror_nginx_user": "www-data", "offline_mirror_nginx_bin": "/usr/sbin/nginx",
                     "__offline_mirror_service_manager": "systemd"}


def test_a_host_var_beats_the_family_value(tmp_path):
    results, shown = run(tmp_path, host_vars={"offline_mirror_nginx_user": "mirror",
                                              "offline_mirror_nginx_bin": "/opt/nginx/sbin/nginx"})
    assert platform_of(results)["family"] in ("Debian", "RedHat", "Void")
    assert shown["offline_mirror_nginx_user"] == "mirror"
    assert shown["offline_mirror_nginx_bin"] == "/opt/nginx/sbin/nginx"


def test_most_specific_vars_file_wins_and_platform_runs_once(tmp_path):
    """family < distribution < distribution_major; a host_var still beats them all."""
    roles = tmp_path / "roles"
    shutil.copytree(os.path.join(ROOT, "roles", "offline_mirror"), str(roles / "offline_mirror"))
    (tmp_path / "probe").mkdir()
    platform = platform_of(run(tmp_path / "probe", roles_path=roles, role="offline_mirror")[0])
    vars_dir = roles / "offline_mirror" / "vars"
    (vars_dir / ("%s.yml" % platform["distribution"])).write_text(
        "__offline_mirror_nginx_user: by-distribution\n__offline_mirror_service_manager: by-distribution\n")
    (vars_dir / ("%s_%s.yml" % (platform["distribution"], platform["distribution_major_version"]))).write_text(
        "__offline_mirror_service_manager: by-major\n")

    results, shown = run(tmp_path, roles_path=roles, role="offline_mirror", times=2)
    assert shown["offline_mirror_nginx_user"] == "by-distribution"
    assert shown["__offline_mirror_service_manager"] == "by-major"
    learned = [r for name, r in results if name == "Learn the host's platform"]
    assert len(learned) == 2 and not learned[0].get("skipped") and learned[1].get("skipped"), learned
    loaded = [r for name, r in results if name == "Load the platform's variables"][0]["results"]
    assert [os.path.basename(i["ansible_included_var_files"][0]) for i in loaded if not i.get("skipped")] == [
        "%s.yml" % platform["family"], "%s.yml" % platform["distribution"],
        "%s_%s.yml" % (platform["distribution"], platform["distribution_major_version"])]

    shown = run(tmp_path, host_vars={"offline_mirror_nginx_user": "mirror"}, roles_path=roles, role="offline_mirror")[1]
    assert shown["offline_mirror_nginx_user"] == "mirror"


@pytest.mark.parametrize("role, name, value", [
    ("gocache", "gocache_selinux", "sometimes"),
    ("offline_mirror", "offline_mirror_role", "mirror"),
    ("offline_mirror", "offline_mirror_checksum_policy", "trust"),
    ("toolchain", "toolchain_selinux", "maybe"),
])
def test_argument_specs_refuse_a_value_outside_choices(tmp_path, role, name, value):
    """The roles no longer restate choices in assert tasks: argument validation refuses them first.
    Run in check mode, so a role that let the value through would still change nothing here."""
    play = [{"hosts": "localhost", "gather_facts": False, "vars": {name: value},
             "roles": [{"role": "gofleet.golang.%s" % role}]}]
    (tmp_path / "play.yml").write_text(json.dumps(play))
    proc = subprocess.run([os.path.join(VENV_BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                           "-e", "ansible_python_interpreter=/usr/bin/python3", "--check", "play.yml"],
                          cwd=str(tmp_path), env=ansible_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=300, check=False)
    tasks = json.loads(proc.stdout)["plays"][0]["tasks"]
    assert proc.returncode != 0 and len(tasks) == 1, proc.stdout[-3000:]
    result = tasks[0]["hosts"]["localhost"]
    assert tasks[0]["task"]["name"].split(" : ")[-1].startswith("Validating arguments against arg spec")
    assert result.get("failed") and name in result["msg"] and value in result["msg"], result
