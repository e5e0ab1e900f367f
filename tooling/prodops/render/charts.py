"""Charts drawn at build time as HTML and SVG: readable without JavaScript, no outside requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

_LEVEL_OF_WORD = {"on track": "good", "watch": "fair", "at risk": "low"}


def progress_bar(share: float, label: str, band: str | None = None, pace: float | None = None) -> Markup:
    """A bar with its percentage written out, so colour is never the only signal.

    With a confidence ``band`` (a key result: 'at risk', 'watch', 'on track'), the colour follows it,
    so a bar and the confidence word beside it always agree; without one, the colour follows the progress. ``pace`` marks where
    the bar would be if progress were even over the period (the share of the period gone by).
    """
    pct = round(max(0.0, min(1.0, share)) * 100)
    by_progress = "good" if pct >= 70 else "fair" if pct >= 40 else "low"
    level = _LEVEL_OF_WORD.get(band, by_progress) if band is not None else by_progress  # no confidence: no band
    mark = Markup("")
    aria = f"{label}: {pct}%"
    if pace is not None:
        expected = round(max(0.0, min(1.0, pace)) * 100)
        aria += f", {expected}% expected by now"
        mark = Markup('<span class="po-bar__pace" style="left:{p}%" title="{p}% expected by now"></span>').format(
            p=expected
        )
    return Markup(
        '<span class="po-bar po-bar--{level}" role="img" aria-label="{aria}">'
        '<span class="po-bar__fill" style="width:{pct}%"></span>{mark}</span> <span class="po-bar__text">{pct}%</span>'
    ).format(level=level, aria=aria, pct=pct, mark=mark)


def confidence(value: float | None, band: str) -> Markup:
    """Confidence as a word and a number: at risk, watch, on track (or 'no confidence' when none is given)."""
    if value is None:
        return Markup('<span class="po-conf po-muted">no confidence</span>')
    return Markup('<span class="po-conf po-conf--{cls}">{word} ({value:.1f})</span>').format(
        cls=band.replace(" ", "-"), word=band, value=value
    )


def sparkline(points: Sequence[tuple[date, float]], baseline: float, target: float, label: str) -> Markup:
    """A line chart of check-ins with the target as a dashed line, date and target ticks, and a text alternative."""
    if not points:
        return Markup('<span class="po-muted">no check-ins yet</span>')
    width, plot, height, pad, right = 176, 34, 48, 3, 30
    values = [v for _, v in points] + [baseline, target]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    first = points[0][0].toordinal()
    days = max(1, points[-1][0].toordinal() - first)

    def xy(day: date, value: float) -> tuple[float, float]:
        x = (
            pad + (day.toordinal() - first) / days * (width - right - 2 * pad)
            if len(points) > 1
            else (width - right) / 2
        )
        y = pad + (high - value) / span * (plot - 2 * pad)
        return round(x, 1), round(y, 1)

    path = " ".join(f"{x},{y}" for x, y in (xy(d, v) for d, v in points))
    ty = xy(points[0][0], target)[1]
    summary = ", ".join(f"{d.isoformat()}: {v:g}" for d, v in points)
    return Markup(
        '<svg class="po-spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        "<title>{summary}</title>"
        '<line x1="0" y1="{plot}" x2="{pw}" y2="{plot}" class="po-spark__axis"/>'
        '<line x1="0" y1="{ty}" x2="{pw}" y2="{ty}" class="po-spark__target"/>'
        '<text x="{tx}" y="{tly}" class="po-spark__tick">{target}</text>'
        '<polyline points="{path}" class="po-spark__line"/>'
        '<text x="0" y="{dy}" class="po-spark__tick">{start}</text>'
        '<text x="{pw}" y="{dy}" class="po-spark__tick" text-anchor="end">{end}</text></svg>'
    ).format(
        w=width,
        h=height,
        plot=plot,
        pw=width - right,
        tx=width - right + 3,
        tly=min(plot, ty + 3),
        dy=height - 3,
        target=f"{target:g}",
        start=points[0][0].strftime("%d %b"),
        end=points[-1][0].strftime("%d %b"),
        label=f"{label}; target {target:g}; check-ins {summary}",
        summary=summary,
        ty=ty,
        path=path,
    )


@dataclass(frozen=True)
class TimelineRow:
    """One bar: an item's label and link, its dates, and what filters and styles need."""

    group: str
    label: str
    link: str
    status: str
    start: date
    end: date
    overdue: bool
    facets: Mapping[str, str]
    after: tuple[str, ...] = ()  # the titles of the items it depends on: the script draws arrows, this says it
    meaning: str = ""  # the status's declared meaning, which the bar's colour keys on


def timeline(
    rows: Sequence[TimelineRow],
    start: date,
    end: date,
    today: date,
    ticks: Sequence[tuple[date, str, str]],
    collapse: int = 0,
) -> Markup:
    """Bars between ``start`` and ``end``, grouped, with period labels, a today line and overdue marks.

    ``ticks`` are the periods' first days with their year ("2026", "FY27", "" for cycles) and their
    short name ("Q4", "H2", "C14"): the calendar decides them, the chart only places them.

    Positions are CSS percentages of the track; each bar also carries its dates as text, so the
    chart reads without colour and without JavaScript. The axis stays in view when the page scrolls.
    With ``collapse``, the filters' script shows each group's first ``collapse`` rows and a button for the rest.
    """
    total = max(1, (end - start).days)

    def pct(day: date) -> float:
        return max(0.0, min(100.0, (day - start).days / total * 100))

    axis = [
        Markup(
            '<span class="po-tl__month" style="left:{left:.2f}%"><span class="po-tl__year">{year}</span>{short}</span>'
        ).format(left=pct(day), year=f"{year} " if year else "", short=short)
        for day, year, short in ticks
        if start <= day <= end
    ]
    out = [Markup('<div class="po-tl"><div class="po-tl__axis"><span class="po-tl__axis-track">'), *axis]
    if start <= today <= end:
        out.append(
            Markup('<span class="po-tl__today" style="left:{left:.2f}%" title="Today, {day}">today</span>').format(
                left=pct(today), day=today.isoformat()
            )
        )
    out.append(Markup("</span></div>"))
    group = None
    rows_of_group = Markup('<div class="po-tl__rows" data-po-collapse="{n}">').format(n=collapse or "")
    for row in rows:
        if row.group != group:
            if group is not None:
                out.append(Markup("</div>"))
            group = row.group
            out.append(
                Markup('<div class="po-tl__group" role="heading" aria-level="2">{name}</div>').format(name=group)
            )
            out.append(rows_of_group)
        attributes = Markup(" ").join(
            Markup('data-{key}="{value}"').format(key=key, value=value) for key, value in row.facets.items()
        )
        left, right = pct(row.start), pct(row.end)
        clipped = " po-tl__bar--clipped" if row.start < start or row.end > end else ""
        late = " po-tl__bar--overdue" if row.overdue else ""
        note = " · overdue" if row.overdue else ""
        # Said in the bar's tooltip and to screen readers; the arrows the script draws are decoration.
        after = " · after " + "; ".join(row.after) if row.after else ""
        out.append(
            Markup(
                '<div class="po-tl__row" {attributes}><a class="po-tl__label" href="{link}" title="{label}">{label}</a>'
                '<span class="po-tl__track">'
                '{today}<span class="po-tl__bar po-status--{status}{late}{clipped}"{meaning} '
                'style="left:{left:.2f}%;width:{width:.2f}%" title="{a} to {b}{note}{after}"></span>'
                '<span class="po-tl__dates" style="left:{text_left:.2f}%">{a} → {b} · {status}{note}'
                "{after_sr}</span>"
                "</span></div>"
            ).format(
                attributes=attributes,
                link=row.link,
                label=row.label,
                status=row.status,
                meaning=Markup(' data-meaning="{m}"').format(m=row.meaning) if row.meaning else "",
                late=late,
                clipped=clipped,
                left=left,
                width=max(0.8, right - left),
                text_left=min(left, 70.0),
                a=row.start,
                b=row.end,
                note=note,
                after=after,
                after_sr=Markup('<span class="po-sr">{after}</span>').format(after=after) if after else "",
                today=Markup('<span class="po-tl__todayline" style="left:{left:.2f}%"></span>').format(left=pct(today))
                if start <= today <= end
                else "",
            )
        )
    if group is not None:
        out.append(Markup("</div>"))
    out.append(Markup("</div>"))
    return Markup("").join(out)


def trend(counts: Sequence[tuple[str, int]], label: str) -> Markup:
    """Records per month as small bars, the latest on the right, with a text alternative."""
    if not counts:
        return Markup('<span class="po-muted">no feedback yet</span>')
    width, height, gap = 96, 22, 2
    step = width / len(counts)
    top = max(c for _, c in counts) or 1
    bars = Markup("").join(
        Markup('<rect x="{x}" y="{y}" width="{w}" height="{h}" class="po-asks-trend__bar"/>').format(
            x=round(i * step, 1),
            y=round(height - max(1.0, c / top * height), 1),
            w=round(max(1.0, step - gap), 1),
            h=round(max(1.0, c / top * height), 1) if c else 0,
        )
        for i, (_, c) in enumerate(counts)
    )
    summary = ", ".join(f"{month}: {c}" for month, c in counts)
    return Markup(
        '<svg class="po-asks-trend" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        "<title>{summary}</title>{bars}</svg>"
    ).format(w=width, h=height, label=f"{label}: {summary}", summary=summary, bars=bars)


@dataclass(frozen=True)
class Rule:
    """A horizontal line across a trend chart: a target, a threshold, a baseline."""

    label: str
    value: float
    kind: str  # a CSS modifier: target, watch, at-risk, baseline


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10000 else f"{value:g}"


def trend_chart(
    points: Sequence[tuple[date, float]],
    label: str,
    unit: str,
    rules: Sequence[Rule] = (),
    pace: tuple[date, float, date, float] | None = None,
) -> Markup:
    """A KPI's series as an SVG line chart, with reference lines and, for a key result, its expected pace.

    ``pace`` is (start, baseline, end, target): the straight line a key result would follow
    if it moved evenly over its quarter. The chart is an image with a text alternative that
    names every line; the values themselves are in the table the page puts beside it.
    """
    if not points:
        return Markup('<p class="po-muted">No values yet.</p>')
    width, height, left, right, top, bottom = 640, 220, 52, 86, 10, 24
    days = [d for d, _ in points] + ([pace[0], pace[2]] if pace else [])
    first, last = min(days), max(days)
    span_days = max(1, (last - first).days)
    values = [v for _, v in points] + [r.value for r in rules] + ([pace[1], pace[3]] if pace else [])
    low, high = min(values), max(values)
    margin = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
    low, high = low - margin, high + margin

    def x(day: date) -> float:
        return round(left + (day - first).days / span_days * (width - left - right), 1)

    def y(value: float) -> float:
        return round(top + (high - value) / (high - low) * (height - top - bottom), 1)

    out = [
        Markup(
            '<div class="po-chart"><svg class="po-trend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" preserveAspectRatio="xMinYMin meet" '
            'role="img" aria-label="{aria}"><title>{aria}</title>'
        ).format(
            w=width,
            h=height,
            aria=f"{label}: {len(points)} values from {points[0][0].isoformat()} ({_fmt(points[0][1])} {unit}) "
            f"to {points[-1][0].isoformat()} ({_fmt(points[-1][1])} {unit})"
            + "".join(f"; {r.label} {_fmt(r.value)}" for r in rules)
            + (f"; expected pace from {_fmt(pace[1])} to {_fmt(pace[3])}" if pace else ""),
        )
    ]
    for value in (low + margin, high - margin):
        out.append(
            Markup('<text x="{tx}" y="{ty}" class="po-trend__tick" text-anchor="end">{v}</text>').format(
                tx=left - 4, ty=y(value) + 3, v=_fmt(round(value, 2))
            )
        )
    base = height - bottom
    out.append(
        Markup('<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" class="po-trend__axis"/>').format(
            l=left, r=width - right, b=base
        )
    )
    for day, anchor in ((first, "start"), (last, "end")):
        out.append(
            Markup('<text x="{tx}" y="{ty}" class="po-trend__tick" text-anchor="{a}">{d}</text>').format(
                tx=x(day), ty=height - 6, a=anchor, d=day.strftime("%d %b %Y")
            )
        )
    for rule in rules:
        ry = y(rule.value)
        out.append(
            Markup(
                '<line x1="{l}" y1="{ry}" x2="{r}" y2="{ry}" class="po-trend__rule po-trend__rule--{k}"/>'
                '<text x="{tx}" y="{ty}" class="po-trend__label po-trend__label--{k}">{text}</text>'
            ).format(l=left, r=width - right, ry=ry, k=rule.kind, tx=width - right + 4, ty=ry + 3, text=rule.label)
        )
    if pace is not None:
        out.append(
            Markup(
                '<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" class="po-trend__pace"/>'
                '<text x="{tx}" y="{ty}" class="po-trend__label po-trend__label--pace">pace</text>'
            ).format(x1=x(pace[0]), y1=y(pace[1]), x2=x(pace[2]), y2=y(pace[3]), tx=x(pace[2]) + 4, ty=y(pace[3]) + 12)
        )
    path = " ".join(f"{x(d)},{y(v)}" for d, v in points)
    out.append(Markup('<polyline points="{p}" class="po-trend__line"/>').format(p=path))
    lx, ly = x(points[-1][0]), y(points[-1][1])
    out.append(Markup('<circle cx="{cx}" cy="{cy}" r="3" class="po-trend__last"/>').format(cx=lx, cy=ly))
    # In a block of its own: Markdown leaves a <div> alone, while an <svg> alone would be read as a
    # paragraph, and the text of its labels as Markdown (a KPI's name could be a link there).
    out.append(Markup("</svg></div>"))
    return Markup("").join(out)


def mini_trend(points: Sequence[tuple[date, float]], label: str) -> Markup:
    """A small line of a KPI's recent values for a tile, with its first and last values as a text alternative."""
    if len(points) < 2:
        return Markup('<span class="po-muted">not enough values for a trend</span>')
    width, height, pad = 120, 30, 2
    values = [v for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    count = len(points) - 1
    path = " ".join(
        f"{round(pad + i / count * (width - 2 * pad), 1)},{round(pad + (high - v) / span * (height - 2 * pad), 1)}"
        for i, v in enumerate(values)
    )
    aria = f"{label}: from {_fmt(values[0])} on {points[0][0].isoformat()} to {_fmt(values[-1])} on {points[-1][0].isoformat()}"
    return Markup(
        '<svg class="po-mini" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{aria}">'
        '<title>{aria}</title><polyline points="{p}" class="po-mini__line"/></svg>'
    ).format(w=width, h=height, aria=aria, p=path)
