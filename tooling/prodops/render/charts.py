"""Charts drawn at build time as HTML and SVG: readable without JavaScript, no outside requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup


def progress_bar(share: float, label: str) -> Markup:
    """A bar with its percentage written out, so colour is never the only signal."""
    pct = round(max(0.0, min(1.0, share)) * 100)
    level = "good" if pct >= 70 else "fair" if pct >= 40 else "low"
    return Markup(
        '<span class="po-bar po-bar--{level}" role="img" aria-label="{label}: {pct}%">'
        '<span class="po-bar__fill" style="width:{pct}%"></span></span> <span class="po-bar__text">{pct}%</span>'
    ).format(level=level, label=label, pct=pct)


def confidence(value: float) -> Markup:
    """Confidence as a word and a number: at risk, watch, on track."""
    word = "on track" if value >= 0.7 else "watch" if value >= 0.5 else "at risk"
    return Markup('<span class="po-conf po-conf--{cls}">{word} ({value:.1f})</span>').format(
        cls=word.replace(" ", "-"), word=word, value=value
    )


def sparkline(points: Sequence[tuple[date, float]], baseline: float, target: float, label: str) -> Markup:
    """A small line chart of check-ins, with the target as a dashed line and a text alternative."""
    if not points:
        return Markup('<span class="po-muted">no check-ins yet</span>')
    width, height, pad = 160, 36, 3
    values = [v for _, v in points] + [baseline, target]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    first = points[0][0].toordinal()
    days = max(1, points[-1][0].toordinal() - first)

    def xy(day: date, value: float) -> tuple[float, float]:
        x = pad + (day.toordinal() - first) / days * (width - 2 * pad) if len(points) > 1 else width / 2
        y = pad + (high - value) / span * (height - 2 * pad)
        return round(x, 1), round(y, 1)

    path = " ".join(f"{x},{y}" for x, y in (xy(d, v) for d, v in points))
    ty = xy(points[0][0], target)[1]
    summary = ", ".join(f"{d.isoformat()}: {v:g}" for d, v in points)
    return Markup(
        '<svg class="po-spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        "<title>{summary}</title>"
        '<line x1="0" y1="{ty}" x2="{w}" y2="{ty}" class="po-spark__target"/>'
        '<polyline points="{path}" class="po-spark__line"/></svg>'
    ).format(
        w=width, h=height, label=f"{label}; target {target:g}; check-ins {summary}", summary=summary, ty=ty, path=path
    )


def timeline(rows: Sequence[tuple[str, str, str, date, date]], start: date, end: date) -> Markup:
    """Horizontal bars per item between start and end, positioned with CSS percentages.

    ``rows`` holds (label, link, status, from, to). Each bar carries its dates as text.
    """
    total = max(1, (end - start).days)
    months = []
    span_months = (end.year - start.year) * 12 + end.month - start.month + 1
    step = max(1, -(-span_months // 8))  # at most about eight labels, so they never overlap
    cursor = date(start.year, start.month, 1)
    index = 0
    while cursor <= end:
        if cursor >= start and index % step == 0:
            left = (cursor - start).days / total * 100
            months.append(
                Markup('<span class="po-tl__month" style="left:{left:.2f}%">{name}</span>').format(
                    left=left, name=cursor.strftime("%b %Y")
                )
            )
        index += 1
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    out = [Markup('<div class="po-tl"><div class="po-tl__axis">'), *months, Markup("</div>")]
    for label, link, status, a, b in rows:
        left = max(0.0, (a - start).days / total * 100)
        right = min(100.0, (b - start).days / total * 100)
        out.append(
            Markup(
                '<div class="po-tl__row"><a class="po-tl__label" href="{link}">{label}</a>'
                '<span class="po-tl__track"><span class="po-tl__bar po-status--{status}" '
                'style="left:{left:.2f}%;width:{width:.2f}%" title="{a} to {b}">'
                '<span class="po-tl__dates">{a} → {b} · {status}</span></span></span></div>'
            ).format(link=link, label=label, status=status, left=left, width=max(0.8, right - left), a=a, b=b)
        )
    out.append(Markup("</div>"))
    return Markup("").join(out)
