"""Data out: one versioned JSON document, CSV per kind, SQLite tables, and an iCalendar of launches."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from dataclasses import asdict, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

from prodops.catalog import Catalog
from prodops.edit import write_atomic

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def document(catalog: Catalog) -> dict[str, Any]:
    """Every entity as written, plus computed fields and resolved relations both ways."""
    entities: dict[str, list[dict[str, Any]]] = {
        "roadmap-item": [],
        "objective": [],
        "launch": [],
        "playbook": [],
        "team": [],
    }
    for entity_id, doc in sorted(catalog.documents.items()):
        kind = doc.kind.kind
        if kind not in entities or catalog.entity(entity_id) is None:
            continue
        record: dict[str, Any] = {"file": doc.rel, **doc.data}
        computed: dict[str, Any] = {}
        if entity_id in catalog.items:
            item = catalog.items[entity_id]
            computed = {
                "rice_score": round(item.rice.score, 3) if item.rice else None,
                "due": item.due.isoformat() if item.due else None,
            }
        elif entity_id in catalog.objectives:
            objective = catalog.objectives[entity_id]
            computed = {
                "progress": round(objective.progress, 4),
                "key_results": {kr.id: {"progress": round(kr.progress, 4)} for kr in objective.key_results},
            }
        elif entity_id in catalog.launches:
            computed = {"readiness": round(catalog.launches[entity_id].readiness_done, 4)}
        record["computed"] = computed
        record["relations"] = {
            "out": [
                {"field": r.field, "kind": r.kind, "id": r.target} for r in catalog.references if r.source == entity_id
            ],
            "in": [
                {"field": r.field, "kind": catalog.documents[r.source].kind.kind, "id": r.source}
                for r in catalog.references
                if r.target == entity_id or r.target.startswith(entity_id + ".")
            ],
        }
        entities[kind].append(record)
    return {"format": "prodops-export", "version": FORMAT_VERSION, "entities": entities}


def relations(catalog: Catalog) -> list[dict[str, str]]:
    return [{"source": r.source, "field": r.field, "kind": r.kind, "target": r.target} for r in catalog.references]


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    """One CSV/SQL row: scalars as they are, nested values as JSON text."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "relations":
            continue
        if key == "computed":
            for ck, cv in value.items():
                out[ck] = json.dumps(cv) if isinstance(cv, (dict, list)) else cv
        elif isinstance(value, (dict, list)):
            out[key] = json.dumps(value, ensure_ascii=False)
        else:
            out[key] = value
    return out


def write(catalog: Catalog, fmt: str, out: Path, generated: date) -> str:
    data = document(catalog)
    (out if fmt == "csv" else out.parent).mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        write_atomic(out, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        return str(out)
    if fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        for kind, records in data["entities"].items():
            rows = [_flat(r) for r in records]
            columns = sorted({c for r in rows for c in r}, key=lambda c: (c != "id", c))
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            write_atomic(out / f"{kind}.csv", buffer.getvalue().encode("utf-8"))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=["source", "field", "kind", "target"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(relations(catalog))
        write_atomic(out / "relations.csv", buffer.getvalue().encode("utf-8"))
        return f"{out}/ (one CSV per kind and relations.csv)"
    if fmt == "sqlite":
        fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=f".{out.name}.", suffix=".tmp")
        os.close(fd)
        try:
            connection = sqlite3.connect(tmp)
            with connection:
                for kind, records in data["entities"].items():
                    rows = [_flat(r) for r in records]
                    columns = sorted({c for r in rows for c in r}, key=lambda c: (c != "id", c))
                    table = kind.replace("-", "_")
                    connection.execute(
                        f'CREATE TABLE "{table}" ({", ".join(f"{_q(c)}" for c in columns)}, PRIMARY KEY ("id"))'
                    )
                    connection.executemany(
                        f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in columns)})',
                        [[r.get(c) for c in columns] for r in rows],
                    )
                connection.execute('CREATE TABLE "relations" ("source", "field", "kind", "target")')
                connection.executemany(
                    'INSERT INTO "relations" VALUES (?, ?, ?, ?)', [list(r.values()) for r in relations(catalog)]
                )
            connection.close()
            Path(tmp).replace(out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(out)
    if fmt == "ics":
        write_atomic(out, calendar(catalog, generated).encode("utf-8"))
        return str(out)
    raise ValueError(fmt)


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n").replace("\r", "")


def _fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def calendar(catalog: Catalog, generated: date) -> str:
    """An iCalendar feed: one all-day event per launch stage (alpha, beta, GA)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//prodops//launch calendar//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Launches",
    ]
    stamp = generated.strftime("%Y%m%dT000000Z")
    for launch in sorted(catalog.launches.values(), key=lambda x: x.ga):
        for stage, day in launch.dates:
            label = "GA" if stage == "ga" else stage
            lines += [
                "BEGIN:VEVENT",
                f"UID:{launch.id}-{stage}@prodops",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
                f"DTEND;VALUE=DATE:{date.fromordinal(min(day.toordinal() + 1, date.max.toordinal())).strftime('%Y%m%d')}",
                f"SUMMARY:{_ics_text(f'{launch.title} — {label} (tier {launch.tier})')}",
                f"DESCRIPTION:{_ics_text(f'Status: {launch.status}. Readiness {round(launch.readiness_done * 100)}%. {launch.summary.strip()}')}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
