"""Make the working tree importable as ansible_collections.gofleet.golang.

The repository root is the collection root, so the import path needs a
`ansible_collections/gofleet/golang` directory above it: .build/ holds that link.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS_DIR = ROOT / ".build"
_link = COLLECTIONS_DIR / "ansible_collections" / "gofleet" / "golang"
if not _link.exists():
    _link.parent.mkdir(parents=True, exist_ok=True)
    _link.symlink_to(ROOT, target_is_directory=True)
if str(COLLECTIONS_DIR) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_DIR))
