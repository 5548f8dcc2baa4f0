# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gofleet founders
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet drift report: its model (schema gofleet.drift-report/1) and its JSON, HTML and Markdown.

Controller side only (the drift_report callback builds it). The schema is documented in
docs/drift_report.md; bump SCHEMA when a key changes meaning or goes away.

Only fields named in PICK are copied from a module result, so a value a module did not mean for
a report (a secret in an error, a diff) never lands in one; a no_log result keeps only its status.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import json

SCHEMA = "gofleet.drift-report/1"

# Modules whose results the report collects, by short name (the service module is being renamed).
MODULES = ("go_toolchain", "go_offline_mirror", "selinux_gocache", "systemd_gounit", "go_service")

# Fields copied from a result, per module; drift_items and actions are copied for every module.
PICK = {
    "go_toolchain": ("version", "active_version", "installed_versions", "tarball_sha256", "signer",
                     "installed_at", "receipt", "verify", "goroot"),
    "go_offline_mirror": ("release", "current", "bundle_checksum"),
    "selinux_gocache": ("relabel_count",),
    "systemd_gounit": ("unit_path", "init_system", "status", "binary_changed"),
    "go_service": ("unit_path", "init_system", "status", "binary_changed"),
}
_ITEM_KEYS = ("item", "aspect", "expected", "found")


def module_name(action):
    """'gofleet.golang.go_toolchain' -> 'go_toolchain'; None for any other action."""
    if not action:
        return None
    parts = str(action).split(".")
    if len(parts) == 3 and parts[:2] != ["gofleet", "golang"]:
        return None
    return parts[-1] if parts[-1] in MODULES and len(parts) in (1, 3) else None


def _text(value):
    return None if value is None else str(value)


def _drift_items(result):
    items = []
    for entry in result.get("drift_items") or []:
        if isinstance(entry, dict):
            items.append(dict((k, _text(entry.get(k))) for k in _ITEM_KEYS))
    return items


def outcome(status, changed, check_mode, drift_count):
    """One word for what happened: failed, unreachable, skipped, repaired, would_repair, changed,
    would_change or ok."""
    if status in ("failed", "unreachable", "skipped"):
        return status
    if drift_count and changed:
        return "would_repair" if check_mode else "repaired"
    if changed:
        return "would_change" if check_mode else "changed"
    return "ok"


def entry(module, task_name, status, result, check_mode, censored):
    """One module result as the report keeps it."""
    result = result if isinstance(result, dict) else {}
    changed = bool(result.get("changed"))
    out = {"module": module, "task": _text(task_name), "status": status, "changed": changed,
           "check_mode": bool(check_mode)}
    if censored:
        out.update(censored=True, drift_items=[], actions=[],
                   outcome=outcome(status, changed, check_mode, 0))
        return out
    items = _drift_items(result)
    out["drift_items"] = items
    out["actions"] = [_text(a) for a in result.get("actions") or [] if a is not None]
    for key in PICK.get(module, ()):
        if key in result:
            out[key] = result[key]
    if status in ("failed", "unreachable"):
        out["msg"] = _text(result.get("msg"))
    out["outcome"] = outcome(status, changed, check_mode, len(items))
    return out


def new_host():
    return {"status": "ok", "unreachable": False, "results": []}


def finish(hosts, mode, generated, fail_on_drift):
    """The whole report from {host: host dict}; sets each host's status and the summary."""
    summary = {"hosts_checked": len(hosts), "hosts_with_drift": 0, "hosts_failed": 0,
               "drift_items": 0, "items_repaired": 0, "items_to_repair": 0, "failures": 0,
               "unreachable": 0, "changed": 0}
    for name in sorted(hosts):
        host = hosts[name]
        drifted = failed = False
        for res in host["results"]:
            count = len(res["drift_items"])
            summary["drift_items"] += count
            drifted = drifted or count > 0
            if res["status"] in ("failed", "unreachable"):
                failed = True
                summary["failures"] += 1
            if res["outcome"] == "repaired":
                summary["items_repaired"] += count
            elif res["outcome"] == "would_repair":
                summary["items_to_repair"] += count
            if res["changed"]:
                summary["changed"] += 1
        if host["unreachable"]:
            failed = True
            summary["unreachable"] += 1
        host["status"] = "failed" if failed else ("drift" if drifted else "ok")
        host["toolchains"] = toolchains(host["results"])
        summary["hosts_with_drift"] += int(drifted)
        summary["hosts_failed"] += int(failed)
    drift_exit = 10 if fail_on_drift and mode == "check" and summary["hosts_with_drift"] else 0
    return {
        "schema": SCHEMA,
        "generated": generated,
        "mode": mode,
        "fail_on_drift": bool(fail_on_drift),
        "exit_status": drift_exit,
        "summary": summary,
        "hosts": dict((name, hosts[name]) for name in sorted(hosts)),
    }


def toolchains(results):
    """Per Go version on a host: version, active, tarball sha256, signer, receipt (provenance)."""
    found = {}
    for res in results:
        if res["module"] != "go_toolchain" or not res.get("version"):
            continue
        found[res["version"]] = {
            "version": res["version"],
            "active": res.get("active_version") == res["version"],
            "tarball_sha256": res.get("tarball_sha256"),
            "signer": res.get("signer"),
            "installed_at": res.get("installed_at"),
            "receipt": res.get("receipt"),
        }
    return [found[v] for v in sorted(found)]


def to_json(report):
    return json.dumps(report, indent=2, sort_keys=True) + "\n"


# --- Markdown -------------------------------------------------------------------------------

def _md(value):
    """A table cell: no line breaks, pipes and backticks escaped, empty shown as a dash."""
    if value is None or value == "":
        return "-"
    text = " ".join(str(value).split())
    for ch in ("\\", "|", "`", "*", "_", "<", ">", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def to_markdown(report):
    s = report["summary"]
    lines = ["# gofleet drift report (%s run, %s)" % (report["mode"], report["generated"]), "",
             "| hosts checked | hosts with drift | items repaired | items to repair | failures |",
             "|---|---|---|---|---|",
             "| %d | %d | %d | %d | %d |" % (
                 s["hosts_checked"], s["hosts_with_drift"], s["items_repaired"], s["items_to_repair"],
                 s["failures"] + s["unreachable"]), ""]
    for name, host in report["hosts"].items():
        lines += ["## %s: %s" % (_md(name), host["status"]), ""]
        if host["unreachable"]:
            lines += ["Host unreachable.", ""]
        items = [(r, i) for r in host["results"] for i in r["drift_items"]]
        if items:
            lines += ["| module | outcome | aspect | item | expected | found |", "|---|---|---|---|---|---|"]
            lines += ["| %s | %s | %s | %s | %s | %s |" % (
                _md(r["module"]), _md(r["outcome"]), _md(i["aspect"]), _md(i["item"]), _md(i["expected"]),
                _md(i["found"])) for r, i in items]
            lines.append("")
        for r in host["results"]:
            if r["status"] in ("failed", "unreachable"):
                lines.append("- %s failed: %s" % (_md(r["task"] or r["module"]), _md(r.get("msg") or "(censored)")))
        for tc in host["toolchains"]:
            lines.append("- go%s%s: tarball sha256 %s, signer %s, receipt %s" % (
                _md(tc["version"]), " (active)" if tc["active"] else "", _md(tc["tarball_sha256"]),
                _md(tc["signer"]), _md(tc["receipt"])))
        lines.append("")
    return "\n".join(lines)


# --- HTML -----------------------------------------------------------------------------------

_CSS = """
body{font-family:sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:left;font-size:.9em}
th{background:#eee} .drift{color:#a60} .failed{color:#b00} .ok{color:#070}
code{font-family:monospace}
"""


def esc(value):
    return html.escape("-" if value is None or value == "" else str(value), quote=True)


def table(headers, rows, cls=None):
    """An HTML table; every cell escaped."""
    out = ['<table%s><thead><tr>' % (' class="%s"' % esc(cls) if cls else "")]
    out += ["<th>%s</th>" % esc(h) for h in headers]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join("<td>%s</td>" % esc(c) for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def page(title, body):
    """A self-contained page: inline style, no script, no external resource."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            "<title>%s</title><style>%s</style></head><body>%s</body></html>\n" % (esc(title), _CSS, body))


def to_html(report):
    s = report["summary"]
    body = ["<h1>gofleet drift report</h1>",
            "<p>%s run, generated %s, schema <code>%s</code></p>" % (
                esc(report["mode"]), esc(report["generated"]), esc(report["schema"])),
            '<section id="summary"><h2>Summary</h2>',
            table(["hosts checked", "hosts with drift", "items repaired", "items to repair", "failures"],
                  [[s["hosts_checked"], s["hosts_with_drift"], s["items_repaired"], s["items_to_repair"],
                    s["failures"] + s["unreachable"]]], cls="summary"),
            "</section>"]
    for name, host in report["hosts"].items():
        body.append('<section class="host"><h2>%s <span class="%s">%s</span></h2>' % (
            esc(name), esc(host["status"]), esc(host["status"])))
        if host["unreachable"]:
            body.append('<p class="failed">Host unreachable.</p>')
        items = [[r["module"], r["outcome"], i["aspect"], i["item"], i["expected"], i["found"]]
                 for r in host["results"] for i in r["drift_items"]]
        if items:
            verb = "Would be repaired" if report["mode"] == "check" else "Drift and repairs"
            body += ["<h3>%s</h3>" % esc(verb),
                     table(["module", "outcome", "aspect", "item", "expected", "found"], items, cls="drift")]
        else:
            body.append("<p>No drift.</p>")
        failures = [[r["task"] or r["module"], r.get("msg") or "(censored)"]
                    for r in host["results"] if r["status"] in ("failed", "unreachable")]
        if failures:
            body += ["<h3>Failures</h3>", table(["task", "message"], failures, cls="failed")]
        actions = [[r["module"], a] for r in host["results"] for a in r["actions"]]
        if actions:
            body += ["<h3>Actions%s</h3>" % (" predicted" if report["mode"] == "check" else ""),
                     table(["module", "action"], actions)]
        if host["toolchains"]:
            body += ["<h3>Go toolchains and provenance</h3>",
                     table(["version", "active", "tarball sha256", "signer", "installed", "receipt"],
                           [[t["version"], "yes" if t["active"] else "no", t["tarball_sha256"], t["signer"],
                             t["installed_at"], t["receipt"]] for t in host["toolchains"]], cls="toolchains")]
        body.append("</section>")
    return page("gofleet drift report %s" % report["generated"], "\n".join(body))
