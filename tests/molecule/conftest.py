import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
from conftest_fixtures import engine  # noqa: E402,F401  (the harness fixture)
