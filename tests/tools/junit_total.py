"""Add up pytest's JUnit XML reports into one closing line: 'N passed, N failed, N skipped'.

Errors (a failing fixture) count as failed; a report that is missing or unreadable fails the run."""

import sys
import xml.etree.ElementTree as ET


def totals(paths):
    passed = failed = skipped = 0
    for path in paths:
        for suite in ET.parse(path).getroot().iter("testsuite"):
            tests, fails = int(suite.get("tests", 0)), int(suite.get("failures", 0))
            errors, skips = int(suite.get("errors", 0)), int(suite.get("skipped", 0))
            passed += tests - fails - errors - skips
            failed += fails + errors
            skipped += skips
    return passed, failed, skipped


if __name__ == "__main__":
    try:
        p, f, s = totals(sys.argv[1:])
    except (OSError, ET.ParseError) as e:
        print("test reports unreadable: %s" % e)
        sys.exit(1)
    print("%d passed, %d failed, %d skipped" % (p, f, s))
