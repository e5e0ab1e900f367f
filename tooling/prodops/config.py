"""Repository configuration: ``prodops.toml`` at the root, or ``[tool.prodops]`` in ``pyproject.toml``.

Example::

    [tool.prodops]
    playbook-review-days = 180
    checkin-stale-days = 21
    codeowners-fallback = "@org/product-ops"

    [tool.prodops.severity]
    PO411 = "error"   # error | warning | info | off

    [tool.prodops.public]                 # the public site (`prodops build --audience public`)
    title = "Ledgerline roadmap"
    request-feature-url = "https://feedback.example.com/new"
    target-quarters = true                # show target quarters (default: no dates at all)
    shipped-within-days = 180             # how long a shipped item stays under "recently shipped"
    fields = ["roadmap-item.title", "roadmap-item.public_summary", "roadmap-item.status", "roadmap-item.horizon"]
    hide = ["roadmap-item.depends_on"]    # fields the schema allows but this site leaves out

    [tool.prodops.metrics]                # how metric exports map to KPIs (see prodops.metrics.mapping)
    date-format = "%d/%m/%Y"
    [tool.prodops.metrics.columns]
    "NRR (TTM, %)" = "net-revenue-retention"
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops.diagnostics import SEVERITIES, ProdopsError
from prodops.metrics.mapping import MetricsConfig
from prodops.metrics.mapping import from_table as metrics_from_table

SeverityOverride = str  # a severity, or "off"


@dataclass(frozen=True)
class PublicConfig:
    """The public site's settings. They can only narrow what the schemas allow to be published."""

    title: str = "Product roadmap"
    request_feature_url: str = ""
    target_quarters: bool = False
    shipped_within_days: int = 180
    # "KIND.FIELD.PATH" of the fields to publish (None: every field the schema marks public) and of
    # fields to keep off the site. Neither can publish what the schema does not mark public.
    fields: tuple[str, ...] | None = None
    hide: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedbackConfig:
    """``[tool.prodops.feedback]``: the customer feedback loop's settings.

    ``sources`` are the tables of ``[tool.prodops.feedback.sources.NAME]`` as written; the
    feedback importer checks each against what a source mapping may say when it is used.
    """

    derive_reach: bool = False
    # An insight at or above either threshold needs a roadmap item or a decision (rule PO430).
    threshold_accounts: int = 10
    threshold_arr: float = 250_000.0
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


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
    public: PublicConfig = field(default_factory=PublicConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)


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
        elif key == "public":
            values["public"] = _public(value, source)
        elif key == "feedback":
            values["feedback"] = _feedback(value, source)
        elif key == "metrics":
            values["metrics"] = metrics_from_table(value, source)
        else:
            known = ", ".join(
                sorted([*_INT_KEYS, *_SHARE_KEYS, "codeowners-fallback", "feedback", "metrics", "public", "severity"])
            )
            raise ProdopsError(f"{source}: unknown setting '{key}' (known settings: {known})")
    config = Config(source=source, **values)
    if config.at_risk_below > config.on_track_from:
        raise ProdopsError(f"{source}: 'at-risk-below' must not be above 'on-track-from'")
    return config


_PUBLIC_KEYS = ("fields", "hide", "request-feature-url", "shipped-within-days", "target-quarters", "title")


def _public(table: object, source: str) -> PublicConfig:
    """``[tool.prodops.public]``; which fields exist and may be hidden is checked against the schemas later."""
    where = f"{source} [public]" if source == "prodops.toml" else f"{source.removesuffix(']')}.public]"
    if not isinstance(table, dict):
        raise ProdopsError(f"{source}: 'public' must be a table such as [tool.prodops.public]")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "title":
            if not isinstance(value, str) or not value.strip() or len(value) > 80:
                raise ProdopsError(f"{where}: 'title' must be text of 1 to 80 characters (got {value!r})")
            values["title"] = value
        elif key == "request-feature-url":
            if not isinstance(value, str) or not re.fullmatch(r"(https://|mailto:)[^\s\"'<>]+", value):
                raise ProdopsError(
                    f"{where}: 'request-feature-url' must be an https:// or mailto: address (got {value!r})"
                )
            values["request_feature_url"] = value
        elif key == "target-quarters":
            if not isinstance(value, bool):
                raise ProdopsError(f"{where}: 'target-quarters' must be true or false (got {value!r})")
            values["target_quarters"] = value
        elif key == "shipped-within-days":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ProdopsError(
                    f"{where}: 'shipped-within-days' must be a whole number of days, 0 or more (got {value!r})"
                )
            values["shipped_within_days"] = value
        elif key in ("fields", "hide"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ProdopsError(f"{where}: '{key}' must be a list of fields such as [\"roadmap-item.title\"]")
            values[key] = tuple(value)
        else:
            raise ProdopsError(f"{where}: unknown setting '{key}' (known settings: {', '.join(_PUBLIC_KEYS)})")
    return PublicConfig(**values)


_FEEDBACK_KEYS = ("derive-reach", "sources", "threshold-accounts", "threshold-arr")


def _feedback(table: object, source: str) -> FeedbackConfig:
    """``[tool.prodops.feedback]``; a source mapping's own settings are checked by the importer."""
    where = f"{source} [feedback]" if source == "prodops.toml" else f"{source.removesuffix(']')}.feedback]"
    if not isinstance(table, dict):
        raise ProdopsError(f"{source}: 'feedback' must be a table such as [tool.prodops.feedback]")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "derive-reach":
            if not isinstance(value, bool):
                raise ProdopsError(f"{where}: 'derive-reach' must be true or false (got {value!r})")
            values["derive_reach"] = value
        elif key == "threshold-accounts":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ProdopsError(f"{where}: 'threshold-accounts' must be a whole number, at least 1 (got {value!r})")
            values["threshold_accounts"] = value
        elif key == "threshold-arr":
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ProdopsError(f"{where}: 'threshold-arr' must be an amount in US dollars above 0 (got {value!r})")
            values["threshold_arr"] = float(value)
        elif key == "sources":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ProdopsError(f"{where}: 'sources' must hold tables such as [tool.prodops.feedback.sources.NAME]")
            values["sources"] = {str(name): dict(v) for name, v in value.items()}
        else:
            raise ProdopsError(f"{where}: unknown setting '{key}' (known settings: {', '.join(_FEEDBACK_KEYS)})")
    return FeedbackConfig(**values)
