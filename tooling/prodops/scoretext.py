"""Quarter scoring and forecast calibration as Markdown (``prodops report calibration``)."""

from __future__ import annotations

from prodops.calibration import OUTCOME, Calibration, Group
from prodops.historytext import md


def share(value: float | None) -> str:
    """A 0..1 share as a whole percentage ("–" when unknown)."""
    return "–" if value is None else f"{round(value * 100)}%"


def number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _row(group: Group, first: str) -> str:
    return (
        f"| {first} | {group.count} | {group.key_results} | {share(group.mean_confidence)} "
        f"| {share(group.reached_share)} | {number(group.brier)} |"
    )


def calibration_report(calibration: Calibration, begins: str, noun: str = "quarter") -> str:
    """The calibration table by confidence band and the Brier score per team; ``noun`` names the calendar's periods."""
    periods = ", ".join(str(p) for p in calibration.periods) or "none"
    lines = [
        "# Forecast calibration",
        "",
        f"Past {noun}s: {periods} (history from {begins or 'no commits'}). Each check-in dated inside a past "
        f"{noun} is a forecast; {OUTCOME}. Brier score: the mean of (confidence − outcome)², "
        "0 is perfect and 0.25 is what always saying 50% scores.",
        "",
        "## By confidence band",
        "",
        "| band | check-ins | key results | mean confidence | reached | Brier |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_row(group, f"{group.name} ({where})") for group, where in calibration.bands]
    lines += [
        "",
        "## By team",
        "",
        "| team | check-ins | key results | mean confidence | reached | Brier |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_row(group, md(group.name)) for group in calibration.teams]
    lines.append(_row(calibration.overall, "**all teams**"))
    if not calibration.overall.forecasts:
        lines += ["", f"No check-in of a past {noun} is in the history yet: nothing to calibrate."]
    if calibration.without_confidence:
        lines += ["", "## Key results without a confidence", ""]
        lines += [f"- {md(ref)}" for ref in calibration.without_confidence]
        lines += ["", "They give no confidence at any check-in, so they are not in the tables above."]
    return "\n".join(lines) + "\n"
