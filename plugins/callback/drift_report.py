# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: drift_report
type: notification
short_description: Write a fleet drift report (JSON, HTML, Markdown) of every gofleet.golang result of a run
description:
  - Collects the result of every C(gofleet.golang) module task of a run (M(gofleet.golang.go_toolchain),
    M(gofleet.golang.go_offline_mirror), M(gofleet.golang.selinux_gocache), M(gofleet.golang.go_service)),
    on every host, and at the end of the run writes C(drift-report.json), C(drift-report.html) and
    C(drift-report.md) into a new timestamped directory under O(dir). The path is printed (to stderr, so a
    JSON stdout callback stays parseable) at the end of the run.
  - The JSON schema (C(gofleet.drift-report/1)) is documented in C(docs/drift_report.md) of the collection;
    top-level keys are C(schema), C(generated), C(mode) (C(check) or C(real)), C(fail_on_drift),
    C(exit_status), C(summary) and C(hosts).
  - Only named fields of a result are copied (drift items, actions, toolchain version, tarball sha256, signer,
    receipt path, ...). A result under C(no_log) keeps only its status and is marked C(censored).
  - A notification callback, it runs beside the stdout callback. Enable it with
    C(callbacks_enabled = gofleet.golang.drift_report) in C(ansible.cfg) or C(ANSIBLE_CALLBACKS_ENABLED).
  - Ansible's exit status cannot be set by a callback. For a distinct exit status when a check run finds
    drift, run the playbook through C(playbooks/schedule/drift_run.sh), which exits 10 when the report's
    C(exit_status) is 10 (check mode, drift found, O(fail_on_drift) asked for).
version_added: 0.2.0
author:
  - gofleet founders (@gofleet)
requirements:
  - enable in configuration
options:
  dir:
    description: Parent directory of the timestamped report directories.
    type: path
    default: ~/.ansible/gofleet/drift-reports
    env:
      - name: GOFLEET_DRIFT_REPORT_DIR
    ini:
      - section: gofleet_drift_report
        key: dir
  keep:
    description: How many report directories to keep (the newest); older ones are removed. 0 keeps all.
    type: int
    default: 30
    env:
      - name: GOFLEET_DRIFT_REPORT_KEEP
    ini:
      - section: gofleet_drift_report
        key: keep
  fail_on_drift:
    description:
      - Ask for exit status 10 when a C(--check) run found drift (recorded as C(exit_status) in the report).
      - The extra var C(gofleet_fail_on_drift) (C(-e gofleet_fail_on_drift=true)) overrides this.
    type: bool
    default: false
    env:
      - name: GOFLEET_FAIL_ON_DRIFT
    ini:
      - section: gofleet_drift_report
        key: fail_on_drift
  path_file:
    description:
      - When set, the report directory's path is written to this file at the end of the run (how
        C(drift_run.sh) finds the report of its own run).
    type: path
    env:
      - name: GOFLEET_DRIFT_REPORT_PATH_FILE
    ini:
      - section: gofleet_drift_report
        key: path_file
"""

import time

from ansible import context
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.callback import CallbackBase

from ansible_collections.gofleet.golang.plugins.plugin_utils import drift_report, report_dirs


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "gofleet.golang.drift_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._hosts = {}
        self._extra_fail_on_drift = None

    def v2_playbook_on_play_start(self, play):
        extra = play.get_variable_manager().extra_vars
        if "gofleet_fail_on_drift" in extra:
            self._extra_fail_on_drift = boolean(extra["gofleet_fail_on_drift"], strict=False)

    def _host(self, name):
        return self._hosts.setdefault(name, drift_report.new_host())

    def _record(self, result, status):
        task = result._task
        module = drift_report.module_name(getattr(task, "resolved_action", None) or task.action)
        if module is None:
            return
        raw = result._result
        check_mode = bool(context.CLIARGS.get("check")) or task.check_mode is True
        censored = bool(task.no_log) or bool(raw.get("_ansible_no_log")) or "censored" in raw
        loop = raw.get("results") if isinstance(raw.get("results"), list) else None
        host = self._host(result._host.get_name())
        for one in loop if loop is not None and not censored else [raw]:
            if not isinstance(one, dict):
                continue
            one_status = status
            if loop is not None:
                one_status = "failed" if one.get("failed") else ("skipped" if one.get("skipped") else "ok")
            censored_one = censored or bool(one.get("_ansible_no_log")) or "censored" in one
            host["results"].append(drift_report.entry(module, task.get_name(), one_status, one, check_mode,
                                                      censored_one))

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._host(result._host.get_name())["unreachable"] = True
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        for name in stats.processed:
            self._host(name)
        mode = "check" if context.CLIARGS.get("check") else "real"
        fail_on_drift = self._extra_fail_on_drift
        if fail_on_drift is None:
            fail_on_drift = bool(self.get_option("fail_on_drift"))
        generated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        report = drift_report.finish(self._hosts, mode, generated, fail_on_drift)
        try:
            path = report_dirs.create(self.get_option("dir"), mode)
            report_dirs.write(path + "/drift-report.json", drift_report.to_json(report))
            report_dirs.write(path + "/drift-report.html", drift_report.to_html(report))
            report_dirs.write(path + "/drift-report.md", drift_report.to_markdown(report))
            report_dirs.prune(self.get_option("dir"), self.get_option("keep"))
            if self.get_option("path_file"):
                report_dirs.write(self.get_option("path_file"), path + "\n", 0o600)
        except (IOError, OSError) as e:
            self._display.warning("gofleet drift report not written: %s" % e)
            return
        s = report["summary"]
        self._display.display(
            "gofleet drift report (%s): %s/drift-report.html - %d host(s), %d with drift, %d item(s) repaired, "
            "%d to repair, %d failure(s)" % (mode, path, s["hosts_checked"], s["hosts_with_drift"],
                                             s["items_repaired"], s["items_to_repair"], s["failures"] + s["unreachable"]),
            stderr=True)
