"""The one table checker of the configuration (``settings.py``) and the messages it gives for each table."""

from __future__ import annotations

from pathlib import Path

import pytest

from prodops import settings
from prodops.config import load_config
from prodops.diagnostics import ProdopsError
from prodops.metrics.mapping import MetricsConfig


def _error(tmp_path: Path, text: str, file: str = "pyproject.toml") -> str:
    (tmp_path / file).write_text(text)
    with pytest.raises(ProdopsError) as raised:
        load_config(tmp_path)
    return str(raised.value)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[tool.prodops]\nplaybook-review-days = 0",
            "pyproject.toml [tool.prodops]: 'playbook-review-days' must be a whole number of days, at least 1 (got 0)",
        ),
        (
            "[tool.prodops]\ncheckin-stale-days = true",
            "pyproject.toml [tool.prodops]: 'checkin-stale-days' must be a whole number of days, at least 1 (got True)",
        ),
        (
            "[tool.prodops]\nat-risk-below = 2",
            "pyproject.toml [tool.prodops]: 'at-risk-below' must be a confidence between 0 and 1 (got 2)",
        ),
        (
            "[tool.prodops]\ncodeowners-fallback = 'org'",
            "pyproject.toml [tool.prodops]: 'codeowners-fallback' must be a Git host handle such as \"@org/team\" (got 'org')",
        ),
        (
            "[tool.prodops]\nseverity = 3",
            "pyproject.toml [tool.prodops]: 'severity' must be a table such as [tool.prodops.severity]",
        ),
        (
            "[tool.prodops.severity]\nPO411 = 'loud'",
            "pyproject.toml [tool.prodops]: severity of PO411 must be one of error, warning, info, off (got 'loud')",
        ),
        (
            "[tool.prodops]\npublic = 3",
            "pyproject.toml [tool.prodops]: 'public' must be a table such as [tool.prodops.public]",
        ),
        (
            "[tool.prodops]\nplaybook-review-day = 3",
            "pyproject.toml [tool.prodops]: unknown setting 'playbook-review-day' (did you mean 'playbook-review-days'?) "
            "(known settings: at-risk-below, checkin-grace-days, checkin-stale-days, codeowners-fallback, "
            "delivery-stale-weeks, federation, feedback, full-launch-plan-tier, key-results-max, key-results-min, metrics, notify, on-track-from, "
            "playbook-review-days, public, readiness-lead-days, readiness-threshold, rules, severity, team-objective-parent)",
        ),
        (
            "[tool.prodops.public]\ntitel = 'Roadmap'",
            "pyproject.toml [tool.prodops.public]: unknown setting 'titel' (did you mean 'title'?) "
            "(known settings: fields, hide, request-feature-url, shipped-within-days, target-quarters, title)",
        ),
        (
            "[tool.prodops.public]\ntitle = '" + "x" * 81 + "'",
            "pyproject.toml [tool.prodops.public]: 'title' must be text of 1 to 80 characters (got '" + "x" * 81 + "')",
        ),
        (
            "[tool.prodops.feedback]\nthreshold-arr = 0",
            "pyproject.toml [tool.prodops.feedback]: 'threshold-arr' must be an amount in US dollars above 0 (got 0)",
        ),
        (
            "[tool.prodops.feedback]\nthreshold-accounts = 0",
            "pyproject.toml [tool.prodops.feedback]: 'threshold-accounts' must be a whole number, at least 1 (got 0)",
        ),
        (
            "[tool.prodops.feedback]\nsources = {helpdesk = 1}",
            "pyproject.toml [tool.prodops.feedback]: 'sources' must hold tables such as [tool.prodops.feedback.sources.NAME]",
        ),
        (
            "[tool.prodops.feedback]\nthreshold-account = 3",
            "pyproject.toml [tool.prodops.feedback]: unknown setting 'threshold-account' (did you mean 'threshold-accounts'?) "
            "(known settings: derive-reach, sources, threshold-accounts, threshold-arr)",
        ),
        (
            "[tool.prodops.metrics]\ndate-formt = '%d/%m/%Y'",
            "pyproject.toml [tool.prodops]: unknown setting 'metrics.date-formt' (did you mean 'metrics.date-format'?) "
            "(known settings: columns, connections, data-folder, date-column, date-format)",
        ),
        (
            "[tool.prodops.metrics.columns]\n'NRR %' = 'NRR'",
            "pyproject.toml [tool.prodops]: 'metrics.columns' maps to 'NRR', which is not a KPI id "
            "(lower-case words joined by hyphens)",
        ),
        (
            "[tool.prodops.metrics]\ndate-column = ' '",
            "pyproject.toml [tool.prodops]: 'metrics.date-column' must be the name of a column (got ' ')",
        ),
        (
            "[tool.prodops.metrics]\ndate-format = '%Y'",
            "pyproject.toml [tool.prodops]: 'metrics.date-format' must be a date format with day, month and year, "
            "such as \"%d/%m/%Y\" (got '%Y')",
        ),
    ],
)
def test_each_table_says_where_which_setting_and_what_it_must_be(tmp_path: Path, toml: str, message: str) -> None:
    assert _error(tmp_path, toml) == message


def test_prodops_toml_names_its_tables_the_same_way(tmp_path: Path) -> None:
    assert _error(tmp_path, "[public]\ntarget-quarters = 1", "prodops.toml") == (
        "prodops.toml [public]: 'target-quarters' must be true or false (got 1)"
    )
    assert _error(tmp_path, "[metrics]\ncolour = 1", "prodops.toml").startswith(
        "prodops.toml: unknown setting 'metrics.colour' (known settings: columns, connections, data-folder, date-column, date-format)"
    )


def test_good_values_are_kept_as_their_fields(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.prodops]\nplaybook-review-days = 90\nat-risk-below = 0\n"
        "[tool.prodops.public]\nshipped-within-days = 0\nhide = ['roadmap-item.depends_on']\n"
        "[tool.prodops.feedback]\nthreshold-arr = 5\n"
        "[tool.prodops.metrics]\ndate-column = ' Week '\n[tool.prodops.metrics.columns]\n' NRR % ' = 'nrr'\n"
    )
    config = load_config(tmp_path)
    assert (config.playbook_review_days, config.at_risk_below) == (90, 0.0)
    assert (config.public.shipped_within_days, config.public.hide) == (0, ("roadmap-item.depends_on",))
    assert config.feedback.threshold_arr == 5.0 and isinstance(config.feedback.threshold_arr, float)
    assert config.metrics == MetricsConfig(columns={"NRR %": "nrr"}, date_column="Week")


def test_the_checker_on_its_own() -> None:
    table = {"days": settings.whole("days", 0, "days"), "share": settings.number("share", "a share", 0, 1)}
    assert settings.check_table({"days": 0, "share": 1}, "here", table) == {"days": 0, "share": 1.0}
    with pytest.raises(ProdopsError, match=r"^here: 'x\.share' must be a share \(got nan\)$"):
        settings.check_table({"share": float("nan")}, "here", table, prefix="x.")
    with pytest.raises(
        ProdopsError, match=r"^here: unknown setting 'dayz' \(did you mean 'days'\?\) \(known settings: days, share\)$"
    ):
        settings.check_table({"dayz": 1}, "here", table)
    with pytest.raises(ProdopsError, match=r"^here: unknown setting 'colour' \(known settings: days, share\)$"):
        settings.check_table({"colour": 1}, "here", table)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"extends": "generic", "text": []}, "'text' must be a column name or a list of them (got [])"),
        ({"extends": "generic", "fields": {"a": ""}}, "'fields' must be a table of field = \"Column\" (got {'a': ''})"),
        ({"extends": "generic", "votes": 3}, "'votes' must be text naming a column (got 3)"),
        ({"extends": "generic", "keep-account-names": "yes"}, "'keep-account-names' must be true or false (got 'yes')"),
        (
            {"extends": "generic", "tag-separater": ","},
            "unknown setting 'tag-separater' (did you mean 'tag-separator'?) (known settings: account, account-id, "
            "comments, custom-fields, custom-list, date, date-format, date-formats, domain, email, extends, fields, "
            "html, id, keep-account-names, multi, optional, people, records, segment, source-column, tag-separator, "
            "tags, text, votes)",
        ),
    ],
)
def test_a_feedback_source_table_goes_through_the_same_checker(table: dict[str, object], message: str) -> None:
    from prodops.feedback.mapping import resolve

    with pytest.raises(ProdopsError) as raised:
        resolve("helpdesk", {"helpdesk": table}, "pyproject.toml [tool.prodops]")
    assert str(raised.value) == f"pyproject.toml [tool.prodops.feedback.sources.helpdesk]: {message}"
    assert resolve("helpdesk", {"helpdesk": {"extends": "generic", "tag-separator": ""}}, "x").tag_separator == ""
