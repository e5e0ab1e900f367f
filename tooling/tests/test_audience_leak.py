"""Nothing internal reaches the public site or the public export: a canary in every internal field.

The planting does not ask ``prodops.audience`` what is public. It walks every document with
its schema and plants a unique canary in every value that can carry one (free text, links,
unbounded numbers), except in the few fields this test itself names as published
(``PUBLISHED``) of the roadmap items it made public. Internal entities get canaries in every
field, their titles too. Then it builds the public site and searches every byte of the output
(pages, search index, sitemap and its gzip copy, 404 page, the JSON export, theme assets) and
the output of ``prodops export --audience public``. The control: the same search finds a
canary once the schema makes one internal field public.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO_ROOT, bench_generator, copy_example
from mkdocs.commands.build import build as mkdocs_build

from prodops import yamlparse
from prodops.cli import cli
from prodops.commands.site import public_mkdocs_config
from prodops.schemas import SchemaSet, load_schemas

# What a public roadmap item may show. Everything else of every entity carries a canary.
PUBLISHED = {"title", "public_summary"}
# Numbers are shifted by one offset (so every rule on their order still holds): 77[678]xxxxxxx.
OFFSET = 7_770_000_000
CANARY = re.compile(rb"zq\d{6}canary|77[678]\d{7}")
SUMMARY = "What this work changes for customers, in words fit to publish."


class Planter:
    def __init__(self, schemas: SchemaSet) -> None:
        self.schemas = schemas
        self.count = 0
        self.planted: list[str] = []
        self.numbers = True  # whether numbers get canaries too
        self.units: dict[str, str] = {}

    def _canary(self) -> str:
        self.count += 1
        return f"zq{self.count:06d}canary"

    def plant(self, value: Any, node: dict[str, Any], file: str, path: str, public: bool) -> Any:
        node, file = self.schemas.expand(file, node)
        if isinstance(value, dict):
            props = node.get("properties", {})
            return {
                k: (v if public and f"{path}{k}" in PUBLISHED else self.plant(v, props[k], file, f"{path}{k}.", public))
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.plant(v, node.get("items", {}), file, path, public) for v in value]
        constrained = any(key in node for key in ("enum", "const", "pattern", "x-ref"))
        if isinstance(value, str) and not constrained:
            if path.rstrip(".").rsplit(".", 1)[-1] == "unit":  # a key result and the KPI it tracks share one unit
                if value not in self.units:
                    canary = self._canary()
                    limit = int(node.get("maxLength", 10_000))
                    self.units[value] = (value[: max(0, limit - len(canary) - 1)] + " " + canary).strip()
                    self.planted.append(self.units[value].rsplit(" ", 1)[-1])
                return self.units[value]
            canary = self._canary()
            if node.get("format") == "date":
                return value
            if node.get("format") == "uri":
                self.planted.append(canary)
                return f"https://{canary}.example/{path.strip('.')}"
            limit = int(node.get("maxLength", 10_000))
            self.planted.append(canary)
            return (value[: max(0, limit - len(canary) - 1)] + " " + canary).strip()
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not constrained and self.numbers:
            if "maximum" in node or "exclusiveMaximum" in node or abs(value) >= 10_000_000:
                return value
            number = value + OFFSET
            self.planted.append(str(number))
            return number
        return value


def _plant_repository(root: Path, public_every: int) -> Planter:
    """Make every ``public_every``-th roadmap item public (and a cancelled one), then plant canaries."""
    schemas = load_schemas(root / "schemas")
    planter = Planter(schemas)
    items = 0
    for path in sorted(root.rglob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        ks = schemas.kind_for(rel)
        if ks is None:
            continue
        parsed = yamlparse.parse(path.read_text(encoding="utf-8"))
        data = parsed.data
        assert isinstance(data, dict), rel
        public = False
        if ks.kind == "roadmap-item":
            items += 1
            if data["status"] == "cancelled" or items % public_every == 0:
                data["visibility"] = "public"
                data.setdefault("public_summary", SUMMARY)
            # A cancelled item leaves the public roadmap: plant in its title too.
            public = data.get("visibility") == "public" and data["status"] != "cancelled"
        if ks.kind == "kpi":  # a KPI's bounds and thresholds judge the history beside it: its numbers stay
            planter.numbers = False
        planted = planter.plant(data, dict(ks.schema), ks.file, "", public)
        planter.numbers = True
        path.write_text(yaml.safe_dump(planted, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return planter


def _site_files(root: Path) -> None:
    shutil.copy(REPO_ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO_ROOT / "site-public", root / "site-public")


def _every_byte(folder: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            out[path.relative_to(folder).as_posix()] = gzip.decompress(data) if path.suffix == ".gz" else data
    return out


def _build_and_export(root: Path, out: Path) -> dict[str, bytes]:
    mkdocs_build(public_mkdocs_config(root, strict=True, site_dir=out / "site"))
    export = out / "export.json"
    result = CliRunner().invoke(
        cli, ["export", "--audience", "public", "--format", "json", "--out", str(export), "--root", str(root)]
    )
    assert result.exit_code == 0, result.output
    files = _every_byte(out / "site")
    files["<export>"] = export.read_bytes()
    assert json.loads(files["<export>"])["entities"]["roadmap-item"], "no public item was exported"
    return files


def _leaks(files: dict[str, bytes]) -> dict[str, list[bytes]]:
    found = {name: sorted(set(CANARY.findall(data))) for name, data in files.items()}
    return {name: hits for name, hits in found.items() if hits}


def _internal_values(root: Path) -> set[str]:
    """Values the canaries cannot carry: handles, roadmap dates (no dates by default), internal entities' ids."""
    values: set[str] = set()
    for path in (root / "processes" / "teams").glob("*.yaml"):
        data = yamlparse.parse(path.read_text(encoding="utf-8")).data
        values.update(m["handle"] for m in data["members"])
    for path in (root / "roadmap").glob("*.yaml"):
        target = yamlparse.parse(path.read_text(encoding="utf-8")).data.get("target", {})
        values.update(str(target[k]) for k in ("start", "end") if k in target)
    # The id of every entity that is not a published roadmap item, as a JSON string or a link target:
    # a reference to it must be dropped, not linked.
    for path in root.rglob("*.yaml"):
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(("roadmap/", "okrs/", "launches/", "processes/")):
            continue
        data = yamlparse.parse(path.read_text(encoding="utf-8")).data
        if rel.startswith("roadmap/") and data.get("visibility") == "public" and data["status"] != "cancelled":
            continue
        values.update({f'"{data["id"]}"', f'item-{data["id"]}"'})
    return values


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Planter, dict[str, bytes]]:
    root = copy_example(tmp_path_factory.mktemp("leak") / "repo")
    _site_files(root)
    planter = _plant_repository(root, public_every=3)
    return root, planter, _build_and_export(root, root.parent / "out")


def test_the_example_plants_canaries_everywhere(example: tuple[Path, Planter, dict[str, bytes]]) -> None:
    _, planter, files = example
    assert len(planter.planted) > 400
    assert {"index.html", "shipped.html", "404.html", "roadmap.json", "sitemap.xml", "sitemap.xml.gz"} <= set(files)
    assert "search/search_index.json" in files
    assert any(name.startswith("assets/") for name in files)
    # The public items are on the site (the test would pass trivially on an empty one).
    assert files["index.html"].count(b'class="pp-card"') >= 5


def test_no_canary_reaches_the_public_site_or_export(example: tuple[Path, Planter, dict[str, bytes]]) -> None:
    _, _, files = example
    assert _leaks(files) == {}


def test_no_handle_or_date_of_an_item_reaches_the_public_site(example: tuple[Path, Planter, dict[str, bytes]]) -> None:
    root, _, files = example
    values = _internal_values(root)
    assert len(values) > 20
    pages = {n: d for n, d in files.items() if not n.startswith("assets/") and not n.startswith("sitemap")}
    found = {(n, v) for n, d in pages.items() for v in values if v.encode() in d}
    assert found == set()


def test_the_search_finds_a_canary_once_the_schema_publishes_an_internal_field(
    example: tuple[Path, Planter, dict[str, bytes]], tmp_path: Path
) -> None:
    root, _, _ = example
    copy = tmp_path / "repo"
    shutil.copytree(root, copy)
    schema_path = copy / "schemas" / "roadmap-item.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["properties"]["public_summary"].pop("x-visibility")
    schema["properties"]["problem"]["x-visibility"] = "public"
    schema["properties"]["owner"]["x-visibility"] = "public"
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    # And one canary where the pages show it: the title of a public item.
    item = next(p for p in sorted((copy / "roadmap").glob("*.yaml")) if "visibility: public" in p.read_text())
    item.write_text(re.sub(r"(?m)^title: .*$", "title: Published zq999999canary", item.read_text()), encoding="utf-8")
    leaks = _leaks(_build_and_export(copy, tmp_path / "out"))
    assert {"<export>", "roadmap.json", "search/search_index.json"} <= set(leaks), leaks
    assert {"index.html", "shipped.html"} & set(leaks), leaks
    assert len(leaks["<export>"]) > 5  # the problem statements
    assert all(re.fullmatch(rb"zq\d{6}canary", hit) for hits in leaks.values() for hit in hits)


def _generator() -> ModuleType:
    return bench_generator()


def test_no_canary_leaks_from_a_generated_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    _generator().generate(root, 2000, seed=11)
    _site_files(root)
    (root / "prodops.toml").write_text(
        '[public]\ntarget-quarters = true\nrequest-feature-url = "https://feedback.example.com/new"\n', encoding="utf-8"
    )
    planter = _plant_repository(root, public_every=4)
    assert len(planter.planted) > 20_000
    files = _build_and_export(root, tmp_path / "out")
    assert files["index.html"].count(b'class="pp-card"') >= 50
    assert _leaks(files) == {}
    values = _internal_values(root)
    pages = {n: d for n, d in files.items() if not n.startswith("assets/") and not n.startswith("sitemap")}
    assert {(n, v) for n, d in pages.items() for v in values if v.encode() in d} == set()
