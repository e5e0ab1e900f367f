"""Writing commands: new, set, move, checkin. Every write keeps the file's bytes outside the edit."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from prodops import authoring, drafts, edit, impact, kinds, pipeline, report, terminal
from prodops import inverse as inverse_relations
from prodops.calendar import Period
from prodops.cli import (
    DATE,
    PERIOD,
    as_date,
    complete_ids,
    complete_kinds,
    resolve_root,
    root_option,
    today_option,
)
from prodops.commands.lists import field_is_list
from prodops.commands.outcome import caused, finish
from prodops.diagnostics import ProdopsError
from prodops.schemas import KindSchema, SchemaSet, enum_values, load_schemas
from prodops.suggest import did_you_mean


@click.command(name="set")
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids)
@click.argument("field", metavar="FIELD")
@click.argument("value", metavar="VALUE")
@click.option(
    "--string", "as_string", is_flag=True, help="Store VALUE as text even if it looks like a number or boolean."
)
@click.option(
    "--update-references",
    is_flag=True,
    help="When FIELD is an id (an id, a key result's id, a member's handle), update the files that name it too.",
)
@root_option
@today_option
def set_field(
    entity_id: str,
    field: str,
    value: str,
    as_string: bool,
    update_references: bool,
    root: Path | None,
    today: date | None,
) -> None:
    """Set one field of an entity, keeping the rest of the file byte for byte.

    FIELD is a dotted name: status, target.end, rice.reach, key_results.kr1.target
    (list items by id or by position from 0). The edit is checked against the whole
    repository first and refused if it would add an error in any file. Setting an id
    that other files name is refused unless --update-references updates them as well:
    then every file is written, or none.

    Example: prodops set usage-based-billing target.end 2027-01-29
    """
    repo = resolve_root(root)
    rel, kind = authoring.find_entity(repo, entity_id)
    parsed: Any = value if as_string else edit.parse_value(value)
    if field_is_list(repo, rel, field):
        raise ProdopsError(
            f"{rel}: '{field}' is a list; use prodops add {entity_id} {field} VALUE (or prodops remove) to change its items"
        )

    def transform(text: str) -> str:
        data = edit.locate(text).parsed.data
        return edit.set_value(text, edit.resolve_field(data, field), parsed)

    def renamed(text: str) -> list[authoring.Rename]:
        data = edit.locate(text).parsed.data
        path = edit.resolve_field(data, field)
        return authoring.renames(kind, entity_id, data, path, parsed)

    outcome = authoring.apply(repo, rel, transform, today, renamed, update_references)
    finish(outcome, f"{field} set to {edit.scalar(parsed)}")


@click.command()
@click.argument("entity_id", metavar="ID", shell_complete=complete_ids)
@click.option(
    "--horizon",
    help="The horizon to move the item to (one its schema allows, such as now, next or later).",
)
@root_option
@today_option
@click.option(
    "--period",
    type=PERIOD,
    help="The planning period to move the item's target to, as the repository's calendar writes it: 2026-Q4, "
    "FY27-Q1, 2026-H2, 2026-T3, 2026 or C14 (any case). A wrong one lists the periods near today.",
)
def move(entity_id: str, horizon: str | None, root: Path | None, today: date | None, period: Period | None) -> None:
    """Move a roadmap item to now, next or later, or to another planning period.

    Example: prodops move payment-plans --horizon next --period 2027-Q1
    """
    if horizon is None and period is None:
        raise click.UsageError("say where to move the item: --horizon (now, next, later) and/or --period")
    repo = resolve_root(root)
    rel = authoring.find_file(repo, entity_id)
    schemas = load_schemas(repo / pipeline.SCHEMA_DIR)
    found = kinds.registry(schemas).kind_for(rel)
    if found is None or found.kind != "roadmap-item":
        raise ProdopsError(f"'{entity_id}' is not a roadmap item ({rel})")
    changes: list[tuple[tuple[str, ...], str]] = []
    done: list[str] = []
    if horizon is not None:
        horizons = enum_values(schemas, found.kind, ("horizon",))
        if horizon not in horizons:
            raise click.BadParameter(
                f"'{horizon}' is not a horizon ({', '.join(horizons)}){did_you_mean(horizon, horizons)}",
                param_hint="--horizon",
            )
        changes.append((("horizon",), horizon))
        done.append(f"moved to {horizon}")
    if period is not None:
        field = _period_field(schemas, found.kind)
        changes.append((field, str(period)))
        done.append(f"{'.'.join(field)} set to {period}")

    def transform(text: str) -> str:
        for path, value in changes:
            text = edit.set_value(text, path, value)
        return text

    finish(authoring.apply(repo, rel, transform, today), ", ".join(done))


def _period_field(schemas: SchemaSet, kind: str) -> tuple[str, ...]:
    """Where a roadmap item's target period is: the first field of its schema that is a period (``target.quarter``)."""
    from prodops.recadence import period_fields

    declared = schemas.kinds.get(kind)
    if declared is not None:
        for path in period_fields(schemas, declared.file, declared.schema):
            if "*" not in path:
                return path
    return ("target", "quarter")


@click.command()
@click.argument("kr", metavar="OBJECTIVE.KR", required=False, shell_complete=complete_ids)
@click.option("--value", type=float, help="The measured value (checking in one key result).")
@click.option("--confidence", type=click.FloatRange(0, 1), help="Confidence the target will be reached, 0 to 1.")
@click.option("--note", default="", help="What changed and why.")
@click.option(
    "--author",
    default="",
    help="Your Git host handle (must be a team member). Default: the team member whose name or e-mail "
    "matches your Git user (git config user.name / user.email), if one does.",
)
@click.option("--date", "when", type=DATE, callback=as_date, help="Date measured (default: today).")
@click.option("--team", help="Check in every key result of the team's current objectives, one after the other.")
@click.option("--owner", help="Check in every current key result this person (a member's handle) reports on.")
@click.option("--mine", is_flag=True, help="Like --owner, for the team member who is your Git user.")
@click.option(
    "--from",
    "answers",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Take the answers from a CSV or YAML file (columns kr, value, confidence, note) instead of asking.",
)
@root_option
@today_option
def checkin(
    kr: str | None,
    value: float | None,
    confidence: float | None,
    note: str,
    author: str,
    when: date | None,
    team: str | None,
    owner: str | None,
    mine: bool,
    answers: Path | None,
    root: Path | None,
    today: date | None,
) -> None:
    """Record a dated check-in of a key result and update its current value and confidence.

    With --team, --owner or --mine, walk every key result of the current period's objectives
    (their period contains today), showing the last value, target, pace and confidence, and ask
    a value, a confidence and a note for each (Enter keeps the current one; Enter at all three
    skips the key result). With --from, the answers come from a file. All of them are written as
    one change: every file, or none.

    Example: prodops checkin 2026-q4-payments-usage-billing.kr1 --value 19 --confidence 0.7 --note "Two more design partners live"

    Example: prodops checkin --team payments
    """
    if team or owner or mine or answers is not None:
        if kr is not None or value is not None or confidence is not None or note:
            raise click.UsageError("give either OBJECTIVE.KR with --value, or --team/--owner/--mine/--from")
        from prodops.commands.checkins import session

        session(resolve_root(root), team, owner, mine, answers, author, when, today)
        return
    if kr is None:
        raise click.UsageError("name a key result (OBJECTIVE.KR), or check in a team with --team TEAM")
    if value is None or confidence is None:
        raise click.UsageError(f"checking in {kr} needs --value and --confidence")
    objective_id, _, kr_id = kr.partition(".")
    if not kr_id:
        raise click.BadParameter("write the key result as OBJECTIVE-ID.KR-ID", param_hint="OBJECTIVE.KR")
    repo = resolve_root(root)
    rel = authoring.find_file(repo, objective_id)
    day = when or today or date.today()
    number: int | float = int(value) if value.is_integer() else value
    stranger = ""
    if not author:
        author = authoring.git_author(repo) or ""
        if not author:
            name, email = authoring.git_user(repo)
            stranger = " ".join(part for part in (name, f"<{email}>" if email else "") if part)

    def transform(text: str) -> str:
        data = edit.locate(text).parsed.data
        krs = data.get("key_results") if isinstance(data, dict) else None
        index = next((i for i, k in enumerate(krs or []) if isinstance(k, dict) and k.get("id") == kr_id), None)
        if index is None:
            raise ProdopsError(f"objective '{objective_id}' has no key result '{kr_id}'")
        item: dict[str, Any] = {"date": day.isoformat(), "value": number, "confidence": confidence}
        if note:
            item["note"] = note
        if author:
            item["author"] = author
        text = edit.set_value(text, ("key_results", index, "current"), number)
        text = edit.set_value(text, ("key_results", index, "confidence"), confidence)
        return edit.append_item(text, ("key_results", index, "checkins"), item)

    outcome = authoring.apply(repo, rel, transform, today)
    finish(outcome, f"checked in {kr}: {number:g} at confidence {confidence:g}")
    if stranger and outcome.changed:
        terminal.echo(
            f"{rel}: warning: the check-in has no author: the Git user {stranger} is no team member; "
            "add them to a team's members (processes/teams/), or pass --author HANDLE"
        )


@click.command()
@click.argument("kind", shell_complete=complete_kinds)
@click.option("--no-input", is_flag=True, help="Do not ask; take every required field from --title and --set.")
@click.option("--title", help="The title (or name); the id is proposed from it.")
@click.option("--id", "entity_id", help="The id (default: from the title).")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A field value, e.g. team=payments or key_results.0.unit=%.",
)
@click.option("--no-resume", is_flag=True, help="Start afresh, keeping the kind's draft for later.")
@click.option(
    "--discard-draft", is_flag=True, help="Forget the kind's draft (kept from an interrupted or refused new)."
)
@root_option
@today_option
def new(
    kind: str,
    no_input: bool,
    title: str | None,
    entity_id: str | None,
    assignments: tuple[str, ...],
    no_resume: bool,
    discard_draft: bool,
    root: Path | None,
    today: date | None,
) -> None:
    """Start a new file of KIND from its template, asking for the required fields.

    KIND is roadmap-item, objective, launch, playbook or team. Choices come from the
    schema; ids of existing entities are offered where a reference is asked. The file
    gets its schema line, is checked against the whole repository and is never written
    over an existing file.

    Every answer is checked as it is typed. When the session is interrupted (Ctrl-C, end of
    input) or the file is refused, the answers so far are kept in a draft under
    .prodops-cache/drafts/ and the next new of that kind offers to resume it.

    Example: prodops new roadmap-item --no-input --title "Dunning for SMB" --set team=payments --set problem="..."
    """
    repo = resolve_root(root)
    schemas = load_schemas(repo / pipeline.SCHEMA_DIR)
    if kind not in schemas.kinds:
        raise click.BadParameter(
            f"'{kind}' is not a kind; kinds: {', '.join(sorted(schemas.kinds))}", param_hint="KIND"
        )
    ks = schemas.kinds[kind]
    day = today or date.today()
    data: dict[str, Any] = {}
    given: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, raw = assignment.partition("=")
        if not sep:
            raise click.BadParameter(f"'{assignment}' is not FIELD=VALUE", param_hint="--set")
        authoring.set_path(given, name, edit.parse_value(raw))
    if discard_draft:
        drafts.discard(repo, kind)
    kept = None if no_input or no_resume or discard_draft else drafts.load(repo, kind)
    if kept is not None and click.confirm(
        f"A draft of this {kind} ('{kept.title}', {len(kept.data)} fields answered) was kept: resume it?",
        default=True,
    ):
        data, title, entity_id = dict(kept.data), title or kept.title, entity_id or kept.entity_id
    title_field = ks.title_field
    try:
        entity_id = _ask_new(repo, schemas, ks, data, given, title, entity_id, no_input, day)
    except click.Abort:
        if data.get(title_field) is None:
            raise
        raise _kept(repo, kind, title_field, data) from None
    inverse: dict[str, list[str]] = data.pop(INVERSE, {})
    folder = ks.folder if kind != "objective" else f"{ks.folder}/{data.get('period', schemas.calendar.containing(day))}"
    rel = f"{folder}/{entity_id}.yaml"
    path = repo / rel
    if not path.resolve().is_relative_to(repo.resolve()):
        raise ProdopsError(f"{rel} would be outside the repository")
    if path.exists():
        raise ProdopsError(f"{rel} already exists; choose another id with --id")
    text = authoring.render_new(schemas, ks, rel, data)
    found = impact.check(repo, {rel: text}, day)
    errors = found.added
    from prodops import prompts

    # The fields the rules refused are asked again (and checked again), while the other answers stay.
    askable = {str(n) for n in ks.schema.get("required", ())} | {p[0] for p, _, _ in prompts.RULE_FIELDS.get(kind, ())}
    askable -= {"id", title_field}
    refused = {str(d.path[0]) for d in errors if d.file == rel and d.path}
    while errors and not no_input and refused and refused <= askable and all(d.file == rel for d in errors):
        terminal.echo(report.render_lines(errors), nl=False, err=True)
        terminal.echo(f"asking again for {', '.join(sorted(refused))}", err=True)
        for name in refused:
            data.pop(name, None)
        try:
            prompts.Asker(schemas, ks, prompts.Known.of(repo), no_input, day).fill(data, {})
        except click.Abort:
            raise _kept(repo, kind, title_field, data) from None
        text = authoring.render_new(schemas, ks, rel, data)
        found = impact.check(repo, {rel: text}, day)
        errors = found.added
        refused = {str(d.path[0]) for d in errors if d.file == rel and d.path}
    if errors:
        terminal.echo(report.render_lines(errors), nl=False, err=True)
        if not no_input:
            # Keep every answer but those refused: resuming asks for these again.
            refused = {str(d.path[0]) for d in errors if d.file == rel and d.path}
            kept_data = {k: v for k, v in data.items() if k not in refused or k in ("id", title_field)}
            where = drafts.save(repo, kind, drafts.Draft(str(data[title_field]), entity_id, kept_data))
            terminal.echo(
                f"your answers are kept in {where.relative_to(repo)}: 'prodops new {kind}' resumes them",
                err=True,
            )
        if any(d.file != rel for d in errors):
            raise ProdopsError(f"{rel} was not written: it would add the problems above to other files")
        raise ProdopsError(f"{rel} was not written: fill in the fields above (use --set FIELD=VALUE)")
    edit.check_inside(repo, [path])
    path.parent.mkdir(parents=True, exist_ok=True)
    if inverse:
        # The item and the files holding its inverse relations (each insight's addressed_by): all or none.
        others = inverse_relations.edits(repo, schemas, kind, entity_id, inverse)
        outcome = authoring.apply_many(repo, {f: t for f, (t, _) in others.items()}, day, {rel: text})
        if outcome.problems:
            terminal.echo(report.render_lines(outcome.problems), nl=False, err=True)
            raise ProdopsError(f"{rel} was not written: it would add the problems above")
        drafts.discard(repo, kind)
        terminal.echo(f"wrote {rel}")
        for other, (_, held) in others.items():
            terminal.echo(f"{other}: {held}: added {entity_id}")
        caused(outcome.caused)
        return
    try:
        edit.create_atomic(path, text.encode("utf-8"))
    except FileExistsError as exc:
        raise ProdopsError(f"{rel} already exists; choose another id with --id") from exc
    drafts.discard(repo, kind)
    terminal.echo(f"wrote {rel}")
    caused(found.warnings)


def _ask_new(
    repo: Path,
    schemas: SchemaSet,
    ks: KindSchema,
    data: dict[str, Any],
    given: dict[str, Any],
    title: str | None,
    entity_id: str | None,
    no_input: bool,
    day: date,
) -> str:
    """Fill ``data`` with the title, the id and every field asked; return the id.

    ``data`` is filled as answers come, so an interrupted session leaves what was answered there.
    """
    kind, title_field = ks.kind, ks.title_field
    title = title or given.pop(title_field, None) or (None if no_input else click.prompt(title_field.capitalize()))
    if not title:
        raise click.UsageError(f"--title is required with --no-input ({kind} needs a {title_field})")
    entity_id = entity_id or authoring.slug(str(title))
    if not no_input and not entity_id:
        entity_id = click.prompt("Id", default=authoring.slug(str(title)))
    if not authoring.ID.fullmatch(entity_id):
        raise click.BadParameter(f"'{entity_id}' is not an id: lower-case words joined by hyphens", param_hint="--id")
    data["id"] = entity_id
    data[title_field] = str(title)
    from prodops import prompts

    known = prompts.Known.of(repo)
    inverse = {name: given.pop(name) for name in list(given) if name in inverse_relations.asked(schemas, kind)}
    asker = prompts.Asker(schemas, ks, known, no_input, day)
    asker.fill(data, given)
    for name, (other, _) in inverse_relations.asked(schemas, kind).items():
        answer = inverse.get(name)
        if answer is None and not no_input:
            found = asker.many(name, {"x-ref": other}, f"the {other}s this {kind} answers", required=False)
            answer = None if found is prompts.SKIP else found
        if answer is not None:
            raw = answer if isinstance(answer, list) else str(answer).split(",")
            values = [
                asker.check(str(v), {"x-ref": other}, known.ids.get(other, []), name) for v in raw if str(v).strip()
            ]
            if values:
                data.setdefault(INVERSE, {})[name] = list(dict.fromkeys(values))
    return entity_id


# Where the answers to inverse relations wait in a new entity's data (they are written in the other files).
INVERSE = "\x00inverse"


def _kept(repo: Path, kind: str, title_field: str, data: dict[str, Any]) -> ProdopsError:
    """Keep the answers so far in the kind's draft, and the error that says so."""
    where = drafts.save(repo, kind, drafts.Draft(str(data[title_field]), str(data["id"]), data))
    return ProdopsError(
        f"nothing was written; your answers are kept in {where.relative_to(repo)}\n"
        f"    hint: run 'prodops new {kind}' again to resume them"
    )
