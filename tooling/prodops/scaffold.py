"""``prodops init``: a new, valid ops repository, written from what the installed package carries.

What a new repository holds comes from two places (see ``package_data``): the files this
repository shares with every ops repository (schemas, the site's hand-written pages and theme,
``mkdocs.yml``, the workflows and the pull-request template), with the organisation's name and
repository put in place of the example's; and the starter templates (Makefile, README,
``pyproject.toml`` settings, pre-commit configuration, one small example of each kind, dated
from the day of ``init`` so that it is current). CODEOWNERS is generated from the example.

The repository is built in a temporary folder beside the target, checked (it must validate with
no problem at all), then renamed into place: the target appears whole or not at all.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from prodops import edit, package_data
from prodops.calendar import DEFAULT, Calendar, declare
from prodops.diagnostics import ProdopsError
from prodops.migrations import schema_version
from prodops.schemas import CALENDAR_FILE

# What the example says of its own organisation, and where each of a new repository's shared files comes from.
EXAMPLE_NAME = "Ledgerline"
EXAMPLE_REPO = "ledgerline/product-ops"
SHARED = {
    "schemas": "schemas",
    "site": "site",
    "site-public": "site-public",
    "mkdocs.yml": "mkdocs.yml",
    "github/workflows": ".github/workflows",
    "github/pull_request_template.md": ".github/pull_request_template.md",
}
LOCKED_INSTALL = "Install prodops (dependencies from requirements.lock, hash-checked)"
STARTER_INSTALL = "Install prodops (what prodops-requirements.txt names)"
TEXT_SUFFIXES = (".md", ".yml", ".yaml", ".html", ".css", ".js", ".json")
REPO_PATTERN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100})$")


@dataclass(frozen=True)
class Organisation:
    """Who the new repository is for: a display name and its repository on the Git host (OWNER/NAME)."""

    name: str
    repo: str

    @property
    def owner(self) -> str:
        return self.repo.split("/")[0]


def organisation(name: str, repo: str) -> Organisation:
    """Check the names given on the command line; ProdopsError saying what to write instead."""
    name = name.strip()
    if not name or len(name) > 80 or any(ch < " " or ch in "\x7f<>`" for ch in name):
        raise ProdopsError(f"--name {name!r}: give the organisation's name in one line of up to 80 characters")
    if not REPO_PATTERN.match(repo) or repo.endswith((".git", ".")):
        raise ProdopsError(f"--repo {repo!r}: give the repository as OWNER/NAME, e.g. acme/product-ops")
    return Organisation(name, repo)


def requirement() -> str:
    """The pip requirement that installs the prodops running now: where it was installed from, when pip recorded it."""
    from importlib import metadata

    from prodops import __version__

    try:
        direct = metadata.distribution("prodops").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct = None
    if direct:
        url = json.loads(direct).get("url")
        if isinstance(url, str) and url:
            return f"prodops @ {url}"
    return f"prodops=={__version__}"


def files(org: Organisation, today: date, install: str, calendar: Calendar = DEFAULT) -> dict[str, bytes]:
    """Every file of the new repository by relative path, except CODEOWNERS (``write`` adds it)."""
    out: dict[str, bytes] = {}
    for source, target in SHARED.items():
        top = package_data.folder(f"{package_data.SHARED}/{source}")
        entries = package_data.walk(top) if top.is_dir() else [("", top)]
        for rel, entry in entries:
            path = f"{target}/{rel}" if rel else target
            out[path] = _personalised(path, entry.read_bytes(), org)
    if calendar != DEFAULT:  # the cadence is declared where every command reads it: the period definition
        common = f"schemas/{CALENDAR_FILE}"
        declared = declare(out[common].decode("utf-8"), calendar)
        if declared is None:
            raise ProdopsError(f"{common}: the shipped schemas have no $defs/period to declare the calendar on")
        out[common] = declared.encode("utf-8")
        nav = out["mkdocs.yml"].decode("utf-8")  # the reviews' entry in the navigation names the period
        out["mkdocs.yml"] = nav.replace("- Quarter reviews:", f"- {calendar.noun.capitalize()} reviews:", 1).encode()
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = edit.scalar
    env.filters["toml"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    values = _values(org, today, install, calendar)
    for rel, entry in package_data.walk(package_data.folder(package_data.STARTER)):
        if not rel.endswith(".j2"):
            continue
        path = rel.removesuffix(".j2").replace("__objective__", str(values["objective"]))
        path = "/".join(
            "." + part.removeprefix("dot-") if part.startswith("dot-") else part for part in path.split("/")
        )
        out[path] = env.from_string(entry.read_text(encoding="utf-8")).render(values).encode("utf-8")
    return out


def _personalised(path: str, raw: bytes, org: Organisation) -> bytes:
    """A shared file with the example organisation's name and repository replaced by the new one's."""
    if not path.endswith(TEXT_SUFFIXES) or path.startswith("schemas/"):
        return raw
    text = raw.decode("utf-8")
    if path == "mkdocs.yml":
        fields = {
            "site_name": f"{org.name} product operations",
            "site_description": f"Objectives, roadmap, launches and playbooks of {org.name}'s product organisation.",
            "repo_url": f"https://github.com/{org.repo}",
            "repo_name": org.repo,
        }
        for key, value in fields.items():
            line = f"{key}: {edit.scalar(value)}"
            text = re.sub(rf"(?m)^{key}: .*$", line.replace("\\", "\\\\"), text, count=1)
    if path.startswith(".github/workflows/"):  # this repository installs from its lock; a new one from one line
        text = text.replace(LOCKED_INSTALL, STARTER_INSTALL)
    text = text.replace(EXAMPLE_REPO, org.repo).replace(EXAMPLE_NAME, org.name)
    return text.encode("utf-8")


CADENCES = ("quarter", "fiscal", "half", "trimester", "cycles")


def cadence(name: str, fiscal_start: str | None, cycle_weeks: int, first_cycle: date | None, today: date) -> Calendar:
    """The calendar ``init --calendar NAME`` declares: calendar or fiscal quarters, half-years with years,
    trimesters, or cycles of ``cycle_weeks`` weeks (from ``first_cycle``, default the year's first Monday)."""
    from prodops.calendar import from_declaration

    declared: dict[str, object] = {"periods": ["quarter"]}
    if name == "fiscal":
        declared["fiscal-year-start"] = fiscal_start or "april"
    elif fiscal_start is not None:
        declared["fiscal-year-start"] = fiscal_start
    if name == "half":
        declared["periods"] = ["half", "year"]
    elif name == "trimester":
        declared["periods"] = ["trimester"]
    elif name == "cycles":
        first = first_cycle or date.fromisocalendar(today.year, 1, 1)
        if first > today:
            raise ProdopsError(
                f"--first-cycle {first.isoformat()} is after today ({today.isoformat()}): the example is dated in "
                "the current cycle, so the first cycle must have begun"
            )
        declared = {"periods": ["cycle"], "cycle-weeks": cycle_weeks, "first-cycle": first.isoformat()}
    found, problems = from_declaration(declared)
    if problems:
        raise ProdopsError(f"--calendar {name}: " + "; ".join(problems))
    return found


def _values(org: Organisation, today: date, install: str, calendar: Calendar) -> dict[str, object]:
    """The example's dates: a current period's objective with a recent check-in, work due in time, a launch after it."""
    from prodops import __version__

    current = calendar.containing(today)
    start, end = current.start, current.end
    target = current
    item_start, item_end = start, end - timedelta(days=7)
    if (end - today).days < 21:  # too late in the period for the example's work: plan it for the next one
        target = calendar.next(current)
        item_start, item_end = target.start, target.end - timedelta(days=7)
    quarter, period = str(target), str(current)
    return {
        "name": org.name,
        "repo": org.repo,
        "owner": org.owner,
        "fallback": f"@{org.owner}/product-leadership",
        "requirement": install,
        "version": __version__,
        "schema_version": schema_version(),
        "today": today.isoformat(),
        "period": period,
        "objective": f"{period.lower()}-activation",
        "checkin": max(start, today - timedelta(days=3)).isoformat(),
        "reviewed": (today - timedelta(days=30)).isoformat(),
        "item_quarter": quarter,
        "item_start": item_start.isoformat(),
        "item_end": item_end.isoformat(),
        "ga": (item_end + timedelta(days=3)).isoformat(),
    }


def write(target: Path, org: Organisation, today: date, install: str, calendar: Calendar = DEFAULT) -> list[str]:
    """Write the new repository at ``target`` (absent, or an empty folder); returns its files' paths.

    Refused, with nothing written, when ``target`` is a file or a folder that holds anything.
    """
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ProdopsError(f"{target}: exists and is not a folder; choose a new folder for the repository")
    if target.is_dir() and any(target.iterdir()):
        raise ProdopsError(
            f"{target}: the folder is not empty; prodops init writes a new repository only into a new or empty folder"
        )
    if not target.parent.is_dir():
        raise ProdopsError(f"{target.parent}: no such folder; create it first")
    if not install.strip() or any(ch < " " or ch == "\x7f" for ch in install):
        raise ProdopsError(
            f"--install {install!r}: give one pip requirement on one line, e.g. prodops @ file:///path/to/prodops.whl"
        )
    contents = files(org, today, install.strip(), calendar)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".prodops-init", dir=target.parent))
    try:
        for rel, data in sorted(contents.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        contents[".github/CODEOWNERS"] = _codeowners(staging, today)
        (staging / ".github" / "CODEOWNERS").write_bytes(contents[".github/CODEOWNERS"])
        staging.chmod(0o755)
        staging.replace(target)  # an empty folder is replaced; a folder that filled meanwhile is not
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ProdopsError(
            f"{target}: cannot write the repository: {exc.strerror or exc}; nothing was written"
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(contents)


def _codeowners(staging: Path, today: date) -> bytes:
    """The example's CODEOWNERS; the example must validate with no problem at all, or nothing is written."""
    from prodops import codeowners, pipeline, report

    result = pipeline.build(staging, today=today)
    if result.diagnostics:
        text = report.render_text(result.diagnostics, len(result.files), result.rules_checked)
        raise ProdopsError(f"the new repository would not validate (a bug in prodops' starter):\n{text}")
    return codeowners.render(result.catalog, result.config.codeowners_fallback).encode("utf-8")
