"""The built-in checks of the load, schema and link stages, documented like the process rules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    rationale: str
    fix: str
    severity: str = "error"


CHECKS: dict[str, Check] = {
    c.code: c
    for c in (
        Check(
            "PO101",
            "yaml-syntax",
            "The file is not well-formed YAML.",
            "Fix the line shown; check indentation, colons and quotes.",
        ),
        Check(
            "PO102",
            "duplicate-key",
            "YAML silently keeps the last of two equal keys, losing the first.",
            "Remove or rename one of the keys.",
        ),
        Check(
            "PO103",
            "no-anchors",
            "Anchors and aliases hide values from readers and reviewers and can expand without bound.",
            "Write each value out in full.",
        ),
        Check(
            "PO104",
            "no-tags",
            "Tags can make a YAML loader build arbitrary objects.",
            "Remove the tag; use plain values.",
        ),
        Check(
            "PO105",
            "one-document",
            "One entity per file keeps ids, history and reviews simple.",
            "Move each extra document to its own file.",
        ),
        Check(
            "PO106",
            "encoding",
            "Files must be UTF-8 text without control characters.",
            "Save the file as UTF-8 and remove control characters.",
        ),
        Check(
            "PO107",
            "size-limit",
            "Huge files or trees are a mistake or an attack, and slow everyone down.",
            "Split the content; one entity per file.",
        ),
        Check("PO108", "depth-limit", "Deeply nested data is a mistake or an attack.", "Flatten the structure."),
        Check(
            "PO109",
            "file-shape",
            "A content file is one mapping of fields, readable as a regular file; a site publishes only "
            "regular files inside the repository.",
            "Make the file a mapping; remove empty files, and symbolic links, pipes and devices from the "
            "content folders and from every folder a site is built from.",
        ),
        Check(
            "PO110",
            "file-location",
            "The folder a file is in decides its kind.",
            "Move the file to its kind's folder and name it ID.yaml.",
        ),
        Check(
            "PO111",
            "schema-line",
            "The first line tells editors which schema to check the file against as you type.",
            "Make the first line the '# yaml-language-server: $schema=…' line shown.",
            "warning",
        ),
        Check(
            "PO116",
            "schema-version-old",
            "The repository's schemas are older than the ones this prodops ships; its content may use old field names.",
            "Run prodops migrate (--dry-run first): it upgrades the content files and the schemas.",
            "warning",
        ),
        Check(
            "PO117",
            "schema-version-missing",
            "A schema without x-prodops-schema-version cannot be told apart from an old one by prodops migrate.",
            'Add the version of the schema set the file was written for, after "$schema".',
            "info",
        ),
        Check(
            "PO118",
            "schema-version-new",
            "The repository's schemas are newer than this prodops knows; it may misread what changed.",
            "Install the prodops release the schemas were written for, or a newer one.",
            "warning",
        ),
        Check(
            "PO119",
            "calendar",
            "The planning calendar (x-prodops-calendar on $defs/period in schemas/common.schema.json) decides how "
            "periods are written and counted; the period pattern must agree with it.",
            "Fix the declaration as the message says, and write the period pattern it gives.",
        ),
        Check(
            "PO120",
            "status-meaning",
            "Rules, say/do, the public roadmap and the history ask what a status means (proposed, committed, "
            "active, done, dropped), never what it is called; a value without a meaning would silently count as "
            "none of them.",
            'Map every value of the status field to its meaning in "x-prodops-states" on the field.',
        ),
        Check(
            "PO125",
            "history-file",
            "A KPI's history (okrs/kpis/ID.csv) is a CSV file with the header date,value[,segment] beside its KPI.",
            "Fix the line shown, or rename the file to its KPI's id.",
        ),
        Check(
            "PO126",
            "history-date",
            "Values are dated with ISO dates (YYYY-MM-DD), oldest first, so a history reads and diffs in order.",
            "Write the date as YYYY-MM-DD and keep the lines in date order.",
        ),
        Check(
            "PO127",
            "history-duplicate",
            "One value per date and segment: two would leave it unclear which one counts.",
            "Keep one line per date and segment.",
        ),
        Check(
            "PO128",
            "history-value",
            "A value is a plain number that the KPI's unit allows (its minimum, maximum, whole numbers).",
            "Write a plain number within the KPI's values.",
        ),
        Check(
            "PO129",
            "import-metric",
            "Every metric in an import names a KPI, directly or through the column mapping in [tool.prodops.metrics].",
            "Use the KPI's id, or map the column to it in [tool.prodops.metrics.columns].",
        ),
        Check(
            "PO130",
            "import-restatement",
            "A value recorded for a period that has ended is what reviews and reports were read from; an import "
            "changes it only when asked to.",
            "Run the import again with --restate to replace the recorded values, or correct the export.",
        ),
        Check(
            "PO131",
            "schema-kind",
            "A kind's x-prodops-folder decides which folder is read, and its x-prodops-kind names its pages: "
            "the folder must lie inside the repository and the name be a plain word.",
            "Write the folder relative to the repository's root, names joined by '/' (processes/decisions), "
            "and the kind as a lowercase name (decision).",
        ),
        Check(
            "PO132",
            "schema-reference",
            "A $ref is followed when the schemas are compiled; only the schema set itself is read, "
            "never another file of the machine or the network.",
            "Reference a definition of the same file (#/$defs/name) or of another file in schemas/.",
        ),
        Check(
            "PO150",
            "delivery-export",
            "A tracker export is read whole or not at all: a file that is not the source's format, or lacks the "
            "columns that say a ticket's key, state and activity, would give items wrong progress.",
            "Export again with all fields (Jira: Export > CSV (all fields); GitHub: gh issue list --json "
            "number,title,state,closedAt,updatedAt,milestone,labels,url; Linear: Export > CSV), or check --source.",
        ),
        Check(
            "PO160",
            "pull-query",
            "A KPI's query (source.query) must run where it is pulled: in its connection, or in the embedded DuckDB, "
            "which may read the files of the data folder and nothing else.",
            "Run the query against the database (or in DuckDB) to correct it; read files of okrs/kpis/data/ only.",
        ),
        Check(
            "PO161",
            "pull-rows",
            "Each row a query returns is one value of the history: a date, a number the KPI's unit allows and "
            "optionally a segment, once per date and segment.",
            "Return the columns date, value[, segment], in that order, one row per value, with no NULL date or value.",
        ),
        Check(
            "PO162",
            "pull-connection",
            "A query's connection is declared in [tool.prodops.metrics.connections.NAME], and its URL (with its "
            "password) comes from the environment variable url-env names, never from the repository.",
            "Declare the connection, and set its environment variable (in CI, from a secret).",
        ),
        Check("PO201", "required-field", "The schema requires the field.", "Add the field."),
        Check(
            "PO202",
            "unknown-field",
            "Unknown fields are usually typos and would be silently ignored.",
            "Fix the name, or remove the field.",
        ),
        Check("PO203", "field-type", "The value has the wrong type.", "Write the value as the type shown."),
        Check(
            "PO204", "allowed-values", "The field takes one of a fixed set of values.", "Use one of the values listed."
        ),
        Check("PO205", "format", "Dates must be real dates written YYYY-MM-DD.", "Fix the date."),
        Check(
            "PO206",
            "pattern",
            "The value must have the form the schema describes (ids, handles, links).",
            "Rewrite the value in the form shown.",
        ),
        Check(
            "PO207",
            "constraint",
            "The value breaks a limit the schema sets (length, range, count).",
            "Bring the value within the limit.",
        ),
        Check(
            "PO210",
            "unknown-unit",
            "A UNIT:ID reference names another unit's repository, which must be declared and pinned.",
            "Declare the unit under [[tool.prodops.federation.units]], or fix its name (see the suggestion).",
        ),
        Check(
            "PO211",
            "unit-dangling-reference",
            "A reference to an id another unit does not publish is a broken link across repositories.",
            "Use an id from the unit's contract (see the suggestion), or ask the unit to publish it.",
        ),
        Check(
            "PO212",
            "unit-reference-kind",
            "Each reference field takes ids of one kind, in another unit as here.",
            "Use an id of the kind the field takes.",
        ),
        Check(
            "PO213",
            "unit-dependency-late",
            "A plan that needs another unit's work before that unit plans it is a slip waiting to be announced.",
            "Align the dates with the unit: a dependency must be due no later than the item that needs it.",
        ),
        Check(
            "PO214",
            "unit-contract",
            "References to a unit are checked against its contract at the pinned revision, which must be readable.",
            "Fix the unit's declaration (path, rev, contract), or its repository at the pinned revision.",
        ),
        Check("PO301", "duplicate-id", "Ids identify entities across the repository.", "Give each entity its own id."),
        Check(
            "PO302",
            "id-matches-file",
            "The file name is how people and tools find an entity.",
            "Make the id equal the file name.",
        ),
        Check(
            "PO303",
            "dangling-reference",
            "A reference to an id that does not exist is a broken link.",
            "Use an existing id (see the suggestion).",
        ),
        Check(
            "PO304",
            "reference-kind",
            "Each reference field takes ids of one kind.",
            "Use an id of the kind the field takes.",
        ),
        Check(
            "PO305",
            "reference-cycle",
            "A cycle of dependencies or parents can never be resolved.",
            "Remove one link of the cycle.",
        ),
        Check(
            "PO501",
            "lifecycle-transition",
            "A playbook's lifecycle says which status changes are allowed (checked with --base).",
            "Move through the states the playbook allows, one change at a time.",
        ),
        Check(
            "PO502",
            "lifecycle-requirement",
            "A playbook's lifecycle says what must be true once a state is entered (checked with --base).",
            "Add what the message names before changing the status.",
        ),
        Check(
            "PO503",
            "lifecycle-rule-change",
            "A change is judged by the lifecycle rules of its base revision; one that changes those rules "
            "(a playbook's lifecycle, or the status field it reads) needs its playbook owner's review.",
            "Ask the playbook's owner to review it, and merge the rule change before the changes that rely on it.",
            "warning",
        ),
        Check(
            "PO504",
            "lifecycle-approval",
            "A playbook's lifecycle may say who must approve a status change; only an approving review of the "
            "pull request's head commit, by someone the team registry says may give it, counts "
            "(checked with --base and --approvals).",
            "Ask one of the people the message names to approve the pull request at its head commit.",
        ),
        Check(
            "PO505",
            "lifecycle-approval-pending",
            "Without the pull request's reviews (--approvals), a status change that needs approval is reported "
            "as pending, so a local run says who will have to approve it.",
            "Ask one of the people the message names to review the pull request.",
            "warning",
        ),
        Check(
            "PO506",
            "approvals-file",
            "The reviews passed with --approvals must be GitHub's list of a pull request's reviews.",
            "Pass the JSON that `gh api repos/OWNER/REPO/pulls/N/reviews` prints.",
        ),
    )
}
