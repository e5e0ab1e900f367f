"""The one "did you mean" of the tool: a close match, or nothing rather than a far one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# difflib's default (0.6) proposes 'target' for 'stage'; below this a suggestion misleads more than it helps.
CUTOFF = 0.75


def closest(value: str, candidates: Iterable[str]) -> str | None:
    """The candidate a typo most likely meant: a unique one it starts, else the closest above the cut-off."""
    options = list(dict.fromkeys(candidates))
    folded = value.casefold()
    for option in options:
        if option.casefold() == folded:
            return option
    if len(folded) >= 3:
        # A unique name the typo starts (or that starts the typo: a handle that was shortened).
        starts = [
            o for o in options if len(o) >= 3 and (o.casefold().startswith(folded) or folded.startswith(o.casefold()))
        ]
        if len(starts) == 1:
            return starts[0]
    by_fold = {o.casefold(): o for o in options}
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=CUTOFF)
    return by_fold[close[0]] if close else None


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` to append to a message, or an empty string."""
    match = closest(value, candidates)
    return f" (did you mean '{match}'?)" if match is not None else ""
