"""The old name of scripts/update_readme.py, kept for habit: it regenerates every README block.

Run: python scripts/update_readme_keys.py (the same as python scripts/update_readme.py)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from update_readme import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
