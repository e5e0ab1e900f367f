"""The expected pace: one function for the weekly update's words and the site's progress bars."""

from __future__ import annotations

from datetime import date

import pytest

from prodops.calendar import Period
from prodops.pace import pace

Q4 = Period.parse("2026-Q4")


@pytest.mark.parametrize(
    ("day", "share"),
    [
        (date(2026, 9, 30), 0.0),  # before the period: nothing expected yet
        (date(2026, 10, 1), 0.0),
        (date(2026, 11, 15), 45 / 91),
        (date(2026, 12, 31), 1.0),
        (date(2027, 3, 1), 1.0),  # after it: all of it
    ],
)
def test_pace_is_the_share_of_the_period_gone_by(day: date, share: float) -> None:
    assert pace(Q4, day) == pytest.approx(share)
