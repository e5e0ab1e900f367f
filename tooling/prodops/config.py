"""Repository configuration: ``prodops.toml`` at the root, or ``[tool.prodops]`` in ``pyproject.toml``.

Example::

    [tool.prodops]
    playbook-review-days = 180
    checkin-stale-days = 21
    key-results-min = 2                   # PO404: key results per objective
    key-results-max = 5
    team-objective-parent = true          # PO414: a team objective names a parent
    checkin-grace-days = 21               # PO412: check-ins this long after the period closes
    full-launch-plan-tier = 1             # PO405: tiers up to this one need the full launch plan
    codeowners-fallback = "@org/product-ops"

    [tool.prodops.severity]
    PO411 = "error"   # error | warning | info | off

    [tool.prodops.rules.PO421]            # a rule rolled out on a schedule (see prodops.schedule)
    severity = "warning"                  # until error-from
    error-from = 2027-01-15
    only-created-after = 2026-10-01       # only what was first committed after this date

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

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prodops import settings
from prodops.diagnostics import SEVERITIES, ProdopsError
from prodops.federation.units import FederationConfig
from prodops.federation.units import read as read_federation
from prodops.metrics.mapping import MetricsConfig
from prodops.metrics.mapping import from_table as metrics_from_table
from prodops.notify.settings import NotifyConfig
from prodops.notify.settings import from_table as notify_from_table
from prodops.schedule import Schedule
from prodops.settings import Invalid, Setting, check_table

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
    # A launch this many days or fewer before GA should be at least ``readiness_threshold`` ready (rule PO421).
    readiness_lead_days: int = 14
    readiness_threshold: float = 0.8
    codeowners_fallback: str = ""
    # A key result's confidence bands: below ``at_risk_below`` it is at risk, from ``on_track_from`` on track.
    at_risk_below: float = 0.5
    on_track_from: float = 0.7
    # The numbers of the process rules, so an adopter tunes a rule instead of switching it off.
    key_results_min: int = 2  # PO404
    key_results_max: int = 5  # PO404
    team_objective_parent: bool = True  # PO414: a team objective must name a parent objective
    checkin_grace_days: int = 21  # PO412: how long after its period closes a check-in may be dated
    full_launch_plan_tier: int = 1  # PO405: launches of this tier or a lower number need the full plan
    delivery_stale_weeks: int = 3  # PO452: work in progress with no ticket activity for longer has stalled
    severity: Mapping[str, SeverityOverride] = field(default_factory=dict)
    rules: Mapping[str, Schedule] = field(default_factory=dict)  # rules rolled out on a schedule, by code
    source: str = ""
    public: PublicConfig = field(default_factory=PublicConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    federation: FederationConfig = field(default_factory=FederationConfig)


_HANDLE = r"@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?"


def _severity(table: dict[str, Any]) -> dict[str, Any]:
    for code, level in table.items():
        if level not in (*SEVERITIES, "off"):
            raise Invalid(f"severity of {code} must be one of error, warning, info, off (got {level!r})", named=False)
    return dict(table)


def load_config(root: Path) -> Config:
    """Read the configuration; a file that is there but wrong is an error, never silently ignored."""
    own = root / "prodops.toml"
    if own.is_file():
        table, text = _read(own)
        return _from_table(table, "prodops.toml", text)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        whole, text = _read(pyproject)
        table = whole.get("tool", {}).get("prodops")
        if isinstance(table, dict):
            return _from_table(table, "pyproject.toml [tool.prodops]", text)
    return Config()


def _read(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProdopsError(f"{path.name}: cannot read the configuration: {exc}") from exc


def _from_table(table: Mapping[str, Any], source: str, text: str = "") -> Config:
    def rules(value: Any, where: str) -> dict[str, Schedule]:
        from prodops import schedule
        from prodops.codes import CHECKS
        from prodops.rules import REGISTRY  # the rules read this module: asked only once both are loaded

        return schedule.read(value, where, text, {code: r.name for code, r in REGISTRY.items()}, CHECKS)

    def federation(value: Any, where: str) -> FederationConfig:
        return read_federation(value, source, text)

    known = {
        **_SETTINGS,
        "rules": settings.nested("rules", rules, "[tool.prodops.rules.PO421]"),
        "federation": settings.nested("federation", federation, "[tool.prodops.federation]"),
    }
    values = check_table(table, source, known)
    config = Config(source=source, **values)
    for code, planned in config.rules.items():
        if code in config.severity and planned.severity:
            raise ProdopsError(
                f"{source}: the severity of {code} is set twice, in [severity] and in [rules.{code}]; keep one"
            )
    if config.at_risk_below > config.on_track_from:
        raise ProdopsError(f"{source}: 'at-risk-below' must not be above 'on-track-from'")
    if config.key_results_min > config.key_results_max:
        raise ProdopsError(
            f"{source}: 'key-results-min' ({config.key_results_min}) must not be above "
            f"'key-results-max' ({config.key_results_max})"
        )
    return config


_PUBLIC: dict[str, Setting] = {
    "title": settings.text("title", "text of 1 to 80 characters", longest=80),
    "request-feature-url": settings.text(
        "request_feature_url", "an https:// or mailto: address", pattern=r"(https://|mailto:)[^\s\"'<>]+"
    ),
    "target-quarters": settings.flag("target_quarters"),
    "shipped-within-days": settings.whole("shipped_within_days", 0, "days"),
    "fields": settings.texts("fields", 'a list of fields such as ["roadmap-item.title"]'),
    "hide": settings.texts("hide", 'a list of fields such as ["roadmap-item.title"]'),
}


def _public(table: Mapping[str, Any], source: str) -> PublicConfig:
    """``[tool.prodops.public]``; which fields exist and may be hidden is checked against the schemas later."""
    where = f"{source} [public]" if source == "prodops.toml" else f"{source.removesuffix(']')}.public]"
    values = check_table(table, where, _PUBLIC)
    return PublicConfig(**values)


def _sources(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if not all(isinstance(v, dict) for v in table.values()):
        raise Invalid
    return {str(name): dict(v) for name, v in table.items()}


_FEEDBACK: dict[str, Setting] = {
    "derive-reach": settings.flag("derive_reach"),
    "threshold-accounts": settings.whole("threshold_accounts", 1),
    "threshold-arr": settings.number("threshold_arr", "an amount in US dollars above 0", 0, above=True),
    "sources": settings.table("sources", "must hold tables such as [tool.prodops.feedback.sources.NAME]", _sources),
}


def _feedback(table: Mapping[str, Any], source: str) -> FeedbackConfig:
    """``[tool.prodops.feedback]``; a source mapping's own settings are checked by the importer."""
    where = f"{source} [feedback]" if source == "prodops.toml" else f"{source.removesuffix(']')}.feedback]"
    values = check_table(table, where, _FEEDBACK)
    return FeedbackConfig(**values)


# [tool.prodops] itself. The sub-tables are read by their own functions, with settings of their own.
_SETTINGS: dict[str, Setting] = {
    "playbook-review-days": settings.whole("playbook_review_days", 1, "days"),
    "checkin-stale-days": settings.whole("checkin_stale_days", 1, "days"),
    "readiness-lead-days": settings.whole("readiness_lead_days", 0, "days"),
    "delivery-stale-weeks": settings.whole("delivery_stale_weeks", 1, "weeks"),
    "readiness-threshold": settings.number("readiness_threshold", "a share of the checklist between 0 and 1", 0, 1),
    "at-risk-below": settings.number("at_risk_below", "a confidence between 0 and 1", 0, 1),
    "on-track-from": settings.number("on_track_from", "a confidence between 0 and 1", 0, 1),
    "key-results-min": settings.whole("key_results_min", 1, "key results"),
    "key-results-max": settings.whole("key_results_max", 1, "key results"),
    "team-objective-parent": settings.flag("team_objective_parent"),
    "checkin-grace-days": settings.whole("checkin_grace_days", 0, "days"),
    "full-launch-plan-tier": settings.whole("full_launch_plan_tier", 0),
    "codeowners-fallback": settings.text("codeowners_fallback", 'a Git host handle such as "@org/team"', _HANDLE),
    "severity": settings.table("severity", "must be a table such as [tool.prodops.severity]", _severity),
    "public": settings.nested("public", _public, "[tool.prodops.public]"),
    "feedback": settings.nested("feedback", _feedback, "[tool.prodops.feedback]"),
    "metrics": settings.nested("metrics", metrics_from_table, "[tool.prodops.metrics]"),
    "notify": settings.nested("notify", notify_from_table, "[tool.prodops.notify]"),
}
