"""Repository configuration: ``prodops.toml`` at the root, or ``[tool.prodops]`` in ``pyproject.toml``.

Example::

    [tool.prodops]
    playbook-review-days = 180
    checkin-stale-days = 21
    codeowners-fallback = "@org/product-ops"

    [tool.prodops.severity]
    PO411 = "error"   # error | warning | info | off
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops.diagnostics import SEVERITIES, ProdopsError

SeverityOverride = str  # a severity, or "off"


@dataclass(frozen=True)
class Config:
    playbook_review_days: int = 180
    checkin_stale_days: int = 21
    codeowners_fallback: str = ""
    # A key result's confidence bands: below ``at_risk_below`` it is at risk, from ``on_track_from`` on track.
    at_risk_below: float = 0.5
    on_track_from: float = 0.7
    severity: Mapping[str, SeverityOverride] = field(default_factory=dict)
    source: str = ""


_HANDLE = re.compile(r"@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?")
_INT_KEYS = {"playbook-review-days": "playbook_review_days", "checkin-stale-days": "checkin_stale_days"}
_SHARE_KEYS = {"at-risk-below": "at_risk_below", "on-track-from": "on_track_from"}


def load_config(root: Path) -> Config:
    """Read the configuration; a file that is there but wrong is an error, never silently ignored."""
    own = root / "prodops.toml"
    if own.is_file():
        table = _read(own)
        return _from_table(table, "prodops.toml")
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = _read(pyproject).get("tool", {}).get("prodops")
        if isinstance(table, dict):
            return _from_table(table, "pyproject.toml [tool.prodops]")
    return Config()


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProdopsError(f"{path.name}: cannot read the configuration: {exc}") from exc


def _from_table(table: Mapping[str, Any], source: str) -> Config:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _INT_KEYS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ProdopsError(f"{source}: '{key}' must be a whole number of days, at least 1 (got {value!r})")
            values[_INT_KEYS[key]] = value
        elif key in _SHARE_KEYS:
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
                raise ProdopsError(f"{source}: '{key}' must be a confidence between 0 and 1 (got {value!r})")
            values[_SHARE_KEYS[key]] = float(value)
        elif key == "codeowners-fallback":
            if not isinstance(value, str) or not _HANDLE.fullmatch(value):
                raise ProdopsError(
                    f"{source}: 'codeowners-fallback' must be a Git host handle such as \"@org/team\" (got {value!r})"
                )
            values["codeowners_fallback"] = value
        elif key == "severity":
            if not isinstance(value, dict):
                raise ProdopsError(f"{source}: 'severity' must be a table such as [tool.prodops.severity]")
            for code, level in value.items():
                if level not in (*SEVERITIES, "off"):
                    raise ProdopsError(
                        f"{source}: severity of {code} must be one of error, warning, info, off (got {level!r})"
                    )
            values["severity"] = dict(value)
        else:
            known = ", ".join(sorted([*_INT_KEYS, *_SHARE_KEYS, "codeowners-fallback", "severity"]))
            raise ProdopsError(f"{source}: unknown setting '{key}' (known settings: {known})")
    config = Config(source=source, **values)
    if config.at_risk_below > config.on_track_from:
        raise ProdopsError(f"{source}: 'at-risk-below' must not be above 'on-track-from'")
    return config
