"""`make demo`'s last words: the drift cycle's reports as a short table.

    summary.py CHECK_DIR REAL_DIR AFTER_DIR     each a drift report directory (drift_run.sh prints them)

Per host: the drift items the check run reported, how many of them the real run repaired, and
the drift a check run after it still found. Then where the reports are (HTML, JSON, Markdown).
"""

import json
import sys
from pathlib import Path


def load(directory):
    return json.loads((Path(directory) / "drift-report.json").read_text())


def items(report, host, outcomes=None):
    out = []
    for result in report["hosts"].get(host, {}).get("results", []):
        if outcomes is None or result.get("outcome") in outcomes:
            out.extend(result.get("drift_items") or [])
    return out


def main(check_dir, real_dir, after_dir):
    check, real, after = load(check_dir), load(real_dir), load(after_dir)
    hosts = sorted(set(check["hosts"]) | set(real["hosts"]))
    width = max([len(h) for h in hosts] + [4])
    print("demo: summary of the drift cycle")
    print("demo:   %-*s  %7s  %8s  %11s" % (width, "host", "drifted", "repaired", "drift after"))
    for host in hosts:
        print("demo:   %-*s  %7d  %8d  %11d" % (width, host, len(items(check, host)),
                                                len(items(real, host, ("repaired",))), len(items(after, host))))
    for host in hosts:
        for item in items(check, host):
            print("demo:   drift on %s: %s %s (expected %s, found %s)" % (
                host, item["aspect"], item["item"], item["expected"], item["found"]))
    s = check["summary"]
    print("demo:   %d host(s), %d with drift, %d item(s) found, %d repaired, %d left, %d failure(s)" % (
        s["hosts_checked"], s["hosts_with_drift"], s["drift_items"], real["summary"]["items_repaired"],
        after["summary"]["drift_items"], s["failures"] + real["summary"]["failures"]))
    for label, directory in (("check", check_dir), ("real", real_dir), ("after", after_dir)):
        base = Path(directory)
        print("demo: report (%s): %s  %s  %s" % (label, base / "drift-report.html", base / "drift-report.json",
                                                 base / "drift-report.md"))


if __name__ == "__main__":
    main(*sys.argv[1:4])
