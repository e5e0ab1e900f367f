"""Computed domain values that need more than one entity, each computed once from the catalog.

Objective progress rolls up: an objective's own key results each count 1, and each child
objective (an objective that names it in ``parents``) counts the ``weight`` it gives that link,
so the rolled-up progress is the weighted mean

    P(o) = (sum of o's key results' progress + sum over children c of w_c * P(c)) / (n_o + sum of w_c)

where ``n_o`` is the number of o's key results. An objective with neither key results nor children
has progress 0. The site's schema reference and OKR pages state the same formula; the model
computes it once (``model.roll_up``, when the catalog is linked) as ``Objective.progress``, and
``Objective.own_progress`` is the objective's own key results alone.
"""

from __future__ import annotations

from datetime import date

from prodops.config import Config

# The confidence bands, lowest first, as ``confidence_band`` names them.
BANDS = ("at risk", "watch", "on track")
# The band of a key result that gives no confidence (the adopter's schema does not require one).
UNKNOWN = "no confidence"


def confidence_band(confidence: float | None, config: Config) -> str:
    """'at risk', 'watch' or 'on track', by the repository's bands (``at-risk-below``, ``on-track-from``).

    A confidence that is not given is in no band: ``UNKNOWN``, never a guess.
    """
    if confidence is None:
        return UNKNOWN
    if confidence < config.at_risk_below:
        return "at risk"
    return "on track" if confidence >= config.on_track_from else "watch"


def at_risk(confidence: float | None, config: Config) -> bool:
    """Whether a given confidence is below ``at-risk-below``; one that is not given is not called at risk."""
    return confidence is not None and confidence < config.at_risk_below


def confidence_text(confidence: float | None) -> str:
    """The confidence as text (``0.6``), or 'no confidence' when the key result gives none."""
    return UNKNOWN if confidence is None else f"{confidence:g}"


# A field the adopter's schema does not require, missing from a file.
NOT_SET = "not set"


def or_not_set(text: str) -> str:
    """A value as written, or 'not set' for the empty value of a field the file does not give."""
    return text or NOT_SET


def day_text(day: date | None) -> str:
    """A date as ISO text, or 'not set' when the file gives none (the adopter's schema does not require it)."""
    return NOT_SET if day is None else day.isoformat()


def number_text(value: float | None) -> str:
    """A number as written (``12.5``), or 'not set' when the file gives none."""
    return NOT_SET if value is None else f"{value:g}"


def undated_last(day: date | None) -> date:
    """A sort key that puts what has no date after every dated thing."""
    return date.max if day is None else day


FORMULA = (
    "Progress rolls up: each of an objective's own key results counts 1 and each child objective counts "
    "the weight it gives its link to the parent; the objective's progress is the weighted mean of them."
)
