"""The changelog comes from antsibull-changelog fragments (issue 15 item 4).

- the fragments lint clean and CHANGELOG.md is what `antsibull-changelog generate` makes;
- a branch that changes plugins/ or roles/ adds a fragment under changelogs/fragments/.

The fragment check compares the working tree with the merge-base of HEAD and a base ref:
$GOFLEET_CHANGELOG_BASE when set (CI sets it to the target branch, e.g. origin/main), else the
first of origin/main and main that exists. A fresh clone has the full history, so the merge-base
is there; in a shallow clone without it the check is skipped and says why.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
WATCHED = ("plugins/", "roles/")
FRAGMENTS = "changelogs/fragments/"


def git(*args, cwd=ROOT, check=True):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check)


def base_ref(cwd, env_value):
    for ref in ([env_value] if env_value else ["origin/main", "main"]):
        if git("rev-parse", "--verify", "--quiet", ref + "^{commit}", cwd=cwd, check=False).returncode == 0:
            return ref
    return None


def changed_paths(cwd, ref):
    """Paths that differ between the merge-base with `ref` and the working tree, untracked files included."""
    base = git("merge-base", "HEAD", ref, cwd=cwd).stdout.strip()
    diff = git("diff", "--name-only", base, cwd=cwd).stdout.split()
    untracked = git("ls-files", "--others", "--exclude-standard", cwd=cwd).stdout.split()
    return sorted(set(diff) | set(untracked))


def missing_fragment(paths):
    """The watched paths that call for a fragment when the change adds none, else []."""
    watched = [p for p in paths if p.startswith(WATCHED)]
    has_fragment = any(p.startswith(FRAGMENTS) and p.endswith((".yml", ".yaml")) for p in paths)
    return [] if has_fragment else watched


def test_fragment_check_fails_on_a_branch_without_fragment(tmp_path):
    """The check itself, on a throwaway repository: it must be able to fail."""
    def commit(path, text, message):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
        git("add", "-A", cwd=tmp_path)
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message, cwd=tmp_path)

    git("init", "-q", "-b", "main", cwd=tmp_path)
    commit("plugins/modules/m.py", "a\n", "base")
    git("checkout", "-q", "-b", "topic", cwd=tmp_path)
    commit("plugins/modules/m.py", "b\n", "change")
    assert missing_fragment(changed_paths(tmp_path, base_ref(tmp_path, None))) == ["plugins/modules/m.py"]
    commit("roles/r/tasks/main.yml", "- x\n", "role")
    (tmp_path / FRAGMENTS).mkdir(parents=True)
    (tmp_path / FRAGMENTS / "1-m.yml").write_text("bugfixes:\n  - m - fixed.\n")  # untracked still counts
    assert missing_fragment(changed_paths(tmp_path, "main")) == []
    commit("docs/x.md", "x\n", "docs only")
    git("checkout", "-q", "main", cwd=tmp_path)
    assert missing_fragment(changed_paths(tmp_path, "main")) == []


def test_this_branch_adds_a_fragment_for_plugins_and_roles():
    ref = base_ref(ROOT, os.environ.get("GOFLEET_CHANGELOG_BASE"))
    if ref is None:
        pytest.skip("skipped: no base ref for the fragment check (set GOFLEET_CHANGELOG_BASE, or fetch origin/main)")
    if git("merge-base", "HEAD", ref, check=False).returncode != 0:
        pytest.skip("skipped: no merge-base with %s (shallow clone? fetch the full history)" % ref)
    missing = missing_fragment(changed_paths(ROOT, ref))
    assert missing == [], ("these paths changed since the merge-base with %s but changelogs/fragments/ has no new "
                           "fragment (see changelogs/config.yaml for the sections): %s" % (ref, missing))


def test_fragments_lint_clean():
    proc = subprocess.run([str(BIN / "antsibull-changelog"), "lint"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_changelog_md_is_generated_from_changelog_yaml(tmp_path):
    out = tmp_path / "CHANGELOG.md"
    proc = subprocess.run([str(BIN / "antsibull-changelog"), "generate", "--output", str(out),
                           "--output-format", "md"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.read_text() == (ROOT / "CHANGELOG.md").read_text(), "run `antsibull-changelog generate`"
