"""The expected pace of a key result: the share of its period gone by on a day.

Where progress would be had it moved in a straight line from the period's first day to its
last; the weekly update words it ("behind the pace of 60%") and the site marks it on the
progress bar, so both ask here.
"""

from __future__ import annotations

from datetime import date

from prodops.calendar import Period


def pace(period: Period | None, day: date) -> float | None:
    """The share of ``period`` gone by on ``day``, from 0 (its first day, or before) to 1 (its last, or after).

    None without a period (the adopter's schema does not require one): there is no line to be on.
    """
    if period is None:
        return None
    return max(0.0, min(1.0, (day - period.start).days / max(1, (period.end - period.start).days)))
