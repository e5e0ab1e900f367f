"""Allow ``python -m prodops``."""

from __future__ import annotations

from prodops.cli import main

if __name__ == "__main__":
    main()
