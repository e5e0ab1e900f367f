"""The audience filter: visibility read from the schemas, configuration that can only narrow it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, TODAY, copy_example

from prodops import audience, pipeline
from prodops.cli import cli
from prodops.config import PublicConfig, load_config
from prodops.diagnostics import ProdopsError
from prodops.schemas import load_schemas


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Result:
    return pipeline.build(copy_example(tmp_path_factory.mktemp("audience") / "repo"), today=TODAY)


def _public_items(result: pipeline.Result, config: PublicConfig) -> dict[str, dict[str, object]]:
    view = audience.public_view(result.catalog, result.schemas, config, TODAY, "pyproject.toml [tool.prodops]")
    return {r["id"]: r for r in view.entities["roadmap-item"]}


def test_field_visibility_comes_from_the_schema_and_never_exceeds_the_enclosing_field() -> None:
    schemas = load_schemas(REPO_ROOT / "schemas")
    fields = audience.field_visibilities(schemas, schemas.kinds["roadmap-item"])
    assert {f for f, v in fields.items() if v == "public"} == {
        "id",
        "title",
        "public_summary",
        "status",
        "horizon",
        "target",
        "target.quarter",
        "depends_on",
    }
    assert fields["problem"] == fields["owner"] == fields["rice.reach"] == "internal"
    assert fields["evidence.arr"] == fields["evidence.account"] == "confidential"
    assert fields["evidence.summary"] == "confidential"  # inside a confidential list
    for kind in ("objective", "launch", "playbook", "team"):
        ks = schemas.kinds[kind]
        assert audience.kind_visibility(ks) == "internal"
        public = {f for f, v in audience.field_visibilities(schemas, ks).items() if v == "public"}
        # A launch's release note is written to be published; launches themselves are internal.
        assert public == ({"release_note"} if kind == "launch" else set())


def test_public_items_carry_public_fields_only(result: pipeline.Result) -> None:
    items = _public_items(result, PublicConfig())
    assert "churn-risk-alerts" not in items  # internal (no visibility field)
    record = items["ml-payment-matching"]
    assert set(record) == {"id", "title", "public_summary", "status", "horizon", "depends_on"}
    assert record["depends_on"] == ["remittance-parsing"]  # a public item: kept


def test_references_to_entities_that_are_not_public_are_dropped(result: pipeline.Result) -> None:
    written = result.catalog.items["usage-based-billing"].depends_on
    assert written and not any(d in _public_items(result, PublicConfig()) for d in written)
    assert "depends_on" not in _public_items(result, PublicConfig())["usage-based-billing"]


def test_target_quarters_only_when_configured(result: pipeline.Result) -> None:
    assert "target" not in _public_items(result, PublicConfig())["sso-and-scim"]
    shown = _public_items(result, PublicConfig(target_quarters=True))["sso-and-scim"]
    assert shown["target"] == {"quarter": "2027-Q1"}  # the dates stay out


def test_configuration_can_hide_a_public_field(result: pipeline.Result) -> None:
    items = _public_items(result, PublicConfig(hide=("roadmap-item.depends_on",)))
    assert "depends_on" not in items["ml-payment-matching"]
    listed = _public_items(result, PublicConfig(fields=("roadmap-item.title",)))
    assert set(listed["ml-payment-matching"]) == {"id", "title"}


def test_a_confidential_field_stays_out_when_configuration_lists_it_as_public(result: pipeline.Result) -> None:
    config = PublicConfig(fields=("roadmap-item.title", "roadmap-item.evidence.arr", "roadmap-item.evidence"))
    with pytest.raises(ProdopsError) as raised:
        _public_items(result, config)
    assert str(raised.value).splitlines() == [
        "pyproject.toml [tool.prodops]: fields: 'roadmap-item.evidence.arr' is confidential in "
        "schemas/roadmap-item.schema.json; configuration can keep a public field off the public site, "
        "never publish another one",
        "pyproject.toml [tool.prodops]: fields: 'roadmap-item.evidence' is confidential in "
        "schemas/roadmap-item.schema.json; configuration can keep a public field off the public site, "
        "never publish another one",
    ]
    # Below the check, the filter itself publishes only what the schema marks public.
    allowed = audience.published_fields(result.schemas, config)["roadmap-item"]
    assert allowed == {"title"}
    ks = result.schemas.kinds["roadmap-item"]
    data = result.catalog.documents["usage-based-billing"].data
    assert any("arr" in e for e in data["evidence"])
    record = audience.public_record(data, ks, result.schemas, allowed, set())
    assert record == {"id": "usage-based-billing", "title": "Usage-based billing plans"}


def test_an_internal_field_cannot_be_published_and_unknown_fields_are_named(result: pipeline.Result) -> None:
    config = PublicConfig(fields=("roadmap-item.problem",), hide=("roadmap-item.titel",))
    assert audience.check_config(result.schemas, config, "prodops.toml") == [
        "prodops.toml: fields: 'roadmap-item.problem' is internal in schemas/roadmap-item.schema.json; "
        "configuration can keep a public field off the public site, never publish another one",
        "prodops.toml: hide: 'roadmap-item.titel' is not a field (write KIND.FIELD, such as roadmap-item.title)",
    ]


def test_cancelled_and_long_shipped_items_leave_the_public_roadmap(result: pipeline.Result, tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    path = repo / "roadmap" / "quickbooks-desktop-sync.yaml"
    path.write_text(
        path.read_text().replace(
            "\nhorizon: later\n",
            "\nhorizon: later\nvisibility: public\npublic_summary: Sync with QuickBooks Desktop.\n",
        )
    )
    assert "visibility: public" in path.read_text()
    built = pipeline.build(repo, today=TODAY)
    assert built.count("error") == 0
    assert "quickbooks-desktop-sync" not in _public_items(built, PublicConfig())
    assert "ach-direct-debit" in _public_items(built, PublicConfig())  # shipped 2026-08-14
    assert "ach-direct-debit" not in _public_items(built, PublicConfig(shipped_within_days=30))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("target-quarters = 1", "'target-quarters' must be true or false (got 1)"),
        ("shipped-within-days = -1", "'shipped-within-days' must be a whole number of days, 0 or more (got -1)"),
        (
            'request-feature-url = "javascript:alert(1)"',
            "'request-feature-url' must be an https:// or mailto: address (got 'javascript:alert(1)')",
        ),
        ('hide = "roadmap-item.title"', "'hide' must be a list of fields such as [\"roadmap-item.title\"]"),
        (
            "colour = 1",
            "unknown setting 'colour' (known settings: fields, hide, request-feature-url, shipped-within-days, "
            "target-quarters, title)",
        ),
    ],
)
def test_public_settings_are_checked(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.prodops.public]\n{table}\n")
    with pytest.raises(ProdopsError) as raised:
        load_config(tmp_path)
    assert str(raised.value) == f"pyproject.toml [tool.prodops.public]: {message}"


def test_the_example_configuration() -> None:
    public = load_config(REPO_ROOT).public
    assert public == PublicConfig(
        title="Ledgerline product roadmap",
        request_feature_url="https://feedback.ledgerline.example/new",
        target_quarters=True,
    )


def _export(repo: Path, out: Path, *extra: str) -> tuple[int, str]:
    args = ["export", "--audience", "public", "--out", str(out), "--root", str(repo), "--today", TODAY.isoformat()]
    result = CliRunner().invoke(cli, [*args, *extra])
    return result.exit_code, result.output


def test_export_public_writes_the_public_view(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    code, output = _export(repo, tmp_path / "public.json", "--format", "json")
    assert (code, output) == (0, f"wrote {tmp_path / 'public.json'} (public: 16 entities)\n")
    data = json.loads((tmp_path / "public.json").read_text())
    assert data["format"] == "prodops-public-export"
    assert set(data["entities"]) == {"roadmap-item"}
    assert len(data["entities"]["roadmap-item"]) == 16
    assert all("problem" not in r and "owner" not in r for r in data["entities"]["roadmap-item"])


def test_export_public_is_json_only(tmp_path: Path) -> None:
    code, output = _export(REPO_ROOT, tmp_path / "x.csv", "--format", "csv")
    assert code == 2
    assert "the public export is JSON only (got 'csv')" in output


def test_a_configuration_that_publishes_too_much_fails_the_public_build(tmp_path: Path) -> None:
    repo = copy_example(tmp_path / "repo")
    with (repo / "pyproject.toml").open("a") as handle:
        handle.write('fields = ["roadmap-item.title", "roadmap-item.evidence.account"]\n')
    code, output = _export(repo, tmp_path / "public.json", "--format", "json")
    assert code == 1
    assert output == (
        "prodops: pyproject.toml [tool.prodops]: fields: 'roadmap-item.evidence.account' is confidential in "
        "schemas/roadmap-item.schema.json; configuration can keep a public field off the public site, never "
        "publish another one\n"
    )
    assert not (tmp_path / "public.json").exists()


def test_hostile_text_in_public_fields_cannot_run_on_the_public_site(tmp_path: Path) -> None:
    import yaml
    from mkdocs.commands.build import build as mkdocs_build
    from payloads import PAYLOADS, scan

    from prodops import yamlparse
    from prodops.commands.site import public_mkdocs_config

    repo = copy_example(tmp_path / "repo")
    shutil.copy(REPO_ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site-public", repo / "site-public")
    public = [p for p in sorted((repo / "roadmap").glob("*.yaml")) if "\nvisibility: public\n" in p.read_text()]
    for index, payload in enumerate(PAYLOADS):
        path = public[index % len(public)]
        data = yamlparse.parse(path.read_text()).data
        data["title"] = f"Item {payload}"[:140]
        data["public_summary"] = f"A summary long enough: {payload}"[:400]
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        if index % len(public) == len(public) - 1 or index == len(PAYLOADS) - 1:
            out = tmp_path / f"site-{index}"
            mkdocs_build(public_mkdocs_config(repo, strict=True, site_dir=out))
            for page in ("index.html", "shipped.html"):
                findings, _ = scan((out / page).read_text())
                assert findings == [], (page, findings)


def test_an_unknown_visibility_in_a_schema_is_an_error(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "schemas", tmp_path / "schemas")
    path = tmp_path / "schemas" / "roadmap-item.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["title"]["x-visibility"] = "everyone"
    path.write_text(json.dumps(schema))
    schemas = load_schemas(tmp_path / "schemas")
    with pytest.raises(ProdopsError) as raised:
        audience.field_visibilities(schemas, schemas.kinds["roadmap-item"])
    assert str(raised.value) == (
        "schemas/roadmap-item.schema.json: title: x-visibility must be one of public, internal, confidential "
        "(got 'everyone')"
    )
