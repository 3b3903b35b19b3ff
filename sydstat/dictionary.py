"""The data dictionary, generated from schemas/ so it cannot drift from the warehouse it describes.

Where each part comes from:
- tables, views and their columns with types: an in-memory DuckDB migrated with the real migrations and marts;
- meanings: the `-- comments` in schemas/warehouse/*.sql (after a column definition, above a CREATE TABLE) and in
  schemas/marts/*.sql (the file's leading comment, after a select item), falling back to schemas/glossary.yaml for the
  column names many objects share;
- sources, licences, attribution, indicators, units, target areas, series breaks: schemas/catalog/*.yaml;
- checks: schemas/expectations/*.json (each suite names the table it guards in meta.loads_into).

`sydstat dictionary` writes docs/data-dictionary.md (checked in; a test fails when it is stale) and an HTML copy in
$SYDSTAT_HOME/reports/. One document model renders to both.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.config import PROJECT_ROOT, SCHEMAS_DIR

DICTIONARY_PATH = PROJECT_ROOT / "docs" / "data-dictionary.md"
_CREATE_TABLE = re.compile(r"^CREATE TABLE (?:IF NOT EXISTS )?([\w.]+)\s*\(", re.M)
_ADD_COLUMN = re.compile(r"^ALTER TABLE ([\w.]+) ADD COLUMN (\w+)\b.*?--\s*(.+)$", re.M)
_COLUMN_LINE = re.compile(r"^\s+(\w+)\s+[A-Z]")
_SELECT_ITEM_NAME = re.compile(r"(\w+)\s*,?\s*$")


@dataclass
class Section:
    """One heading with optional paragraphs and one table."""

    title: str
    level: int = 2
    paragraphs: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------- the comments


def table_comments(sql: str) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """(table → description, (table, column) → meaning) from a migration file's comments."""
    tables, columns = {}, {}
    lines = sql.splitlines()
    for match in _CREATE_TABLE.finditer(sql):
        name = match.group(1)
        start = sql[: match.start()].count("\n")
        above = []
        for line in reversed(lines[:start]):
            if not line.startswith("--"):
                break
            above.insert(0, line.lstrip("- ").strip())
        if above:
            tables[name] = " ".join(above)
        for line in lines[start + 1 :]:
            if line.startswith(")"):
                break
            column = _COLUMN_LINE.match(line)
            if column and "--" in line:
                columns[(name, column.group(1))] = line.split("--", 1)[1].strip()
    for match in _ADD_COLUMN.finditer(sql):
        columns[(match.group(1), match.group(2))] = match.group(3).strip()
    return tables, columns


def view_comments(sql: str) -> tuple[str, dict[str, str]]:
    """(description, column → meaning) from a mart file: its leading comment, and `-- …` after a select item."""
    lines = sql.splitlines()
    header = []
    for line in lines:
        if not line.startswith("--"):
            break
        header.append(line)
    columns = {}
    for line in lines[len(header) :]:
        if "--" not in line:
            continue
        code, comment = line.split("--", 1)
        name = _SELECT_ITEM_NAME.search(code.strip())
        if name and code.strip():
            columns[name.group(1)] = comment.strip()
    described = [line.lstrip("- ").strip() for line in header if not line.startswith("-- depends:")]
    return " ".join(described), columns


# ------------------------------------------------------------------------------------------------- the document


def _warehouse_shape():
    """([(schema, name, kind, [(column, type)])] for every table and view the migrations and marts create,
    {målområde: name} from dim_target_area)."""
    import duckdb

    from warehouse.db import migrate

    con = duckdb.connect()
    try:
        migrate(con)
        views = {v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        found = con.execute("""
            SELECT schema_name, table_name, list(column_name ORDER BY column_index),
                   list(data_type ORDER BY column_index)
            FROM duckdb_columns() WHERE database_name = current_database() AND schema_name IN ('main', 'meta')
              AND table_name NOT IN (SELECT table_name FROM duckdb_tables() WHERE internal)
            GROUP BY ALL ORDER BY schema_name, table_name""").fetchall()
        target_areas = dict(con.execute("SELECT target_area, name_sv FROM dim_target_area").fetchall())
    finally:
        con.close()
    objects = [
        (schema, name, "view" if name in views else "table", list(zip(cols, types, strict=True)))
        for schema, name, cols, types in found
        if schema == "meta" or name in views or _is_table(name)
    ]
    return objects, target_areas


def _is_table(name: str) -> bool:
    return name.startswith(("dim_", "fct_", "bridge_")) or name == "segregation_indices"


def _catalogs() -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((SCHEMAS_DIR / "catalog").glob("*.yaml"))
    }


def _suites() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((SCHEMAS_DIR / "expectations").glob("*.json"))]


def _describe_expectation(expectation: dict) -> str:
    kwargs = {k: v for k, v in expectation["kwargs"].items() if k not in ("column", "column_list", "column_set")}
    target = expectation["kwargs"].get("column") or expectation["kwargs"].get("column_list") or ""
    details = ", ".join(
        f"{k}={v['$PARAMETER'] if isinstance(v, dict) and '$PARAMETER' in v else v}" for k, v in kwargs.items()
    )
    name = expectation["type"].removeprefix("expect_")
    return f"{name}({', '.join(target) if isinstance(target, list) else target}{'; ' + details if details else ''})"


def build_sections() -> list[Section]:
    glossary = yaml.safe_load((SCHEMAS_DIR / "glossary.yaml").read_text(encoding="utf-8"))
    table_docs, column_docs = {}, {}
    for path in sorted((SCHEMAS_DIR / "warehouse").glob("*.sql")):
        tables, columns = table_comments(path.read_text(encoding="utf-8"))
        table_docs |= tables
        column_docs |= columns
    for path in sorted((SCHEMAS_DIR / "marts").glob("*.sql")):
        description, columns = view_comments(path.read_text(encoding="utf-8"))
        table_docs[path.stem] = description
        column_docs |= {(path.stem, c): text for c, text in columns.items()}
    suites_by_table: dict[str, list[dict]] = {}
    for suite in _suites():
        suites_by_table.setdefault(suite["meta"]["loads_into"], []).append(suite)

    sections = [
        Section(
            "Datakatalog / data dictionary",
            level=1,
            paragraphs=[
                "Generated by `sydstat dictionary` from `schemas/` (DDL comments, `schemas/glossary.yaml`, "
                "the catalogue YAML and the Great Expectations suites). "
                "Do not edit by hand: a test fails when this file is stale.",
                "Analysts read the published database (`$SYDSTAT_HOME/warehouse.duckdb`, `sydstat query`) "
                "or the Parquet export; every figure carries its source's attribution, "
                "and figures sydstat derives (averages, ranks, "
                "indices, scores) are credited to sydstat, not to the source.",
            ],
        )
    ]
    objects, target_areas = _warehouse_shape()
    sections += _source_sections(_catalogs(), target_areas)
    graph = dependencies({name for schema, name, _kind, _columns in objects if schema != "meta"})
    origins = table_origins(_catalogs())
    sections[0].paragraphs.append(
        "Each table and view says what it is built from, down to the catalogue entries that load it. The last "
        "validation of every load is in the Great Expectations Data Docs, "
        "`$SYDSTAT_HOME/reports/gx/gx/uncommitted/data_docs/local_site/index.html` (`sydstat status` prints the path)."
    )
    for kind, title in (
        ("view", "Analyst views (marts)"),
        ("table", "Tables (star schema)"),
        ("meta", "Run metadata (schema meta)"),
    ):
        sections.append(Section(title, paragraphs=[]))
        for schema, name, object_kind, columns in objects:
            if (kind == "meta") != (schema == "meta") or (kind != "meta" and object_kind != kind):
                continue
            qualified = f"{schema}.{name}" if schema == "meta" else name
            section = Section(
                f"`{qualified}`",
                level=3,
                paragraphs=[table_docs.get(qualified, "")],
                header=["column", "type", "meaning"],
            )
            for column, data_type in columns:
                meaning = column_docs.get((qualified, column)) or glossary.get(column, "")
                section.rows.append([f"`{column}`", data_type, meaning])
            if kind != "meta":
                section.paragraphs.append("Built from: " + lineage(qualified, graph, origins))
            for suite in suites_by_table.get(qualified, []):
                section.paragraphs.append(
                    f"Checked before loading by the Great Expectations suite `{suite['name']}` "
                    f"(`schemas/expectations/{suite['name']}.json`): "
                    + "; ".join(_describe_expectation(e) for e in suite["expectations"])
                    + "."
                )
            sections.append(section)
    return sections


def dependencies(names: set[str]) -> dict[str, list[str]]:
    """view → the tables and views its SQL (schemas/marts/<view>.sql) names: its lineage, one level down."""
    graph = {}
    for path in sorted((SCHEMAS_DIR / "marts").glob("*.sql")):
        sql = re.sub(r"'[^']*'", "''", re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8")))  # no text
        graph[path.stem] = sorted(n for n in names if n != path.stem and re.search(rf"\b{n}\b", sql))
    return graph


def table_origins(catalogs: dict[str, dict]) -> dict[str, str]:
    """table → where its rows come from: the catalogue entries that load it, or what sydstat computes it from."""
    loads: dict[str, list[str]] = {}
    kpis = catalogs.get("kolada", {}).get("kpis", [])
    if kpis:
        loads.setdefault("fct_indicator_value", []).append(f"Kolada: {len(kpis)} KPIs (`schemas/catalog/kolada.yaml`)")
    for name, title in (("scb", "SCB"), ("fohm", "Folkhälsomyndigheten")):
        by_target: dict[str, list[str]] = {}
        for table in catalogs.get(name, {}).get("tables", []):
            by_target.setdefault(table.get("target", "fct_indicator_value"), []).append(
                str(table.get("id") or table.get("path", "").rsplit("/", 1)[-1])
            )
        for target, ids in by_target.items():
            loads.setdefault(target, []).append(f"{title}: {', '.join(ids)} (`schemas/catalog/{name}.yaml`)")
    loads.setdefault("fct_area_type", []).append("SCB's RegSO area-type file (`sydstat ingest`)")
    loads.setdefault("dim_area", []).append("SCB's DeSO→RegSO key file (`sydstat ingest`) and the area tables")
    registers = "project registers ESF+, Tillväxtverket, Kohesio (`sydstat ingest`; `schemas/catalog/registers.yaml`)"
    for table in (
        "dim_project",
        "fct_project_funding",
        "bridge_project_municipality",
        "bridge_project_organisation",
        "dim_organisation",
        "dim_fund",
    ):
        loads[table] = [registers]
    loads["segregation_indices"] = ["computed by sydstat from `fct_area_population` (transforms/segregation.py)"]
    loads["dim_municipality"] = ["the seed `schemas/seed/municipalities.csv` (290) and Kolada's /municipality"]
    loads["dim_indicator"] = ["the catalogue entries and the sources' metadata"]
    return {table: "; ".join(entries) for table, entries in loads.items()}


def lineage(name: str, graph: dict[str, list[str]], origins: dict[str, str], depth: int = 0) -> str:
    """'`a` ← `b` (← …)' down to the tables and where their rows come from."""
    if name not in graph:
        return (
            origins.get(name, "loaded by sydstat (see the loaders)")
            if depth == 0
            else (f"`{name}`" + (f" ← {origins[name]}" if name in origins else ""))
        )
    parts = [lineage(child, graph, origins, depth + 1) for child in graph[name]]
    return ", ".join(parts) if depth == 0 else f"`{name}` (← " + ", ".join(parts) + ")"


def _source_sections(catalogs: dict[str, dict], targets: dict[int, str]) -> list[Section]:
    sources = Section(
        "Sources, licences and attribution", header=["source", "title", "licence", "attribution", "checked every"]
    )
    for name, catalog in catalogs.items():
        meta = catalog["source"]
        hours = meta.get("cadence_hours")
        sources.rows.append(
            [
                f"`{name}`",
                meta["title"],
                meta.get("licence", "per register, see below"),
                meta["attribution"],
                f"{hours} h" if hours else "on demand (dropped files)",
            ]
        )
    for register, meta in catalogs.get("registers", {}).get("registers", {}).items():
        sources.rows.append(
            [f"`{register}`", meta["title"], meta.get("licence", ""), meta["attribution"], "on demand (dropped files)"]
        )
    indicators = Section(
        "Indicators (fct_indicator_value, dim_indicator)",
        paragraphs=[
            "Declared in `schemas/catalog/*.yaml`; adding one is a YAML edit. Direction drives ranks and "
            "scorecard scores; a headline indicator is its topic's key figure in `structural_overview` and "
            "the report; a series break means the definition changed that year "
            "(trends never compute a change across it)."
        ],
        header=[
            "indicator_id",
            "title",
            "source",
            "topic / theme",
            "målområde",
            "direction",
            "headline",
            "series break",
        ],
    )
    for kpi in catalogs.get("kolada", {}).get("kpis", []):
        indicators.rows.append(_indicator_row(kpi["id"], kpi.get("title", ""), "kolada", kpi, targets))
    for source in ("scb", "fohm"):
        for table in catalogs.get(source, {}).get("tables", []):
            for spec in table.get("indicators", {}).values():
                indicators.rows.append(_indicator_row(spec["id"], spec["title"], source, spec, targets))
    tables = Section("Statistical tables (PxWeb)", header=["source", "table", "loads into", "dimensions"])
    for name in ("scb", "fohm"):
        for table in catalogs.get(name, {}).get("tables", []):
            tables.rows.append(
                [
                    f"`{name}`",
                    f"`{table.get('id') or table.get('path')}`",
                    table.get("target", "fct_indicator_value"),
                    ", ".join(f"{k} → {v}" for k, v in table["columns"].items()),
                ]
            )
    return [sources, indicators, tables]


def _indicator_row(indicator_id: str, title: str, source: str, entry: dict, targets: dict) -> list[str]:
    area = entry.get("target_area")
    brk = entry.get("series_break")
    return [
        f"`{indicator_id}`",
        title,
        source,
        f"{entry.get('topic', '')} / {entry.get('theme', '')}",
        f"{area} {targets[area]}" if area else "",
        entry.get("direction", ""),
        "yes" if entry.get("headline") else "",
        f"{entry['series_break_year']}: {brk}" if entry.get("series_break_year") else (brk or ""),
    ]


# ------------------------------------------------------------------------------------------------------ rendering


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(sections: list[Section]) -> str:
    out = []
    for s in sections:
        out.append(f"{'#' * s.level} {s.title}\n")
        out += [f"{p}\n" for p in s.paragraphs if p]
        if s.header:
            out.append("| " + " | ".join(s.header) + " |")
            out.append("|" + "---|" * len(s.header))
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in s.rows]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _inline(text: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(str(text), quote=False))


def render_html(sections: list[Section]) -> str:
    body = []
    for s in sections:
        body.append(f"<h{s.level}>{_inline(s.title)}</h{s.level}>")
        body += [f"<p>{_inline(p)}</p>" for p in s.paragraphs if p]
        if s.header:
            head = "".join(f'<th scope="col">{_inline(h)}</th>' for h in s.header)
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in s.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return (
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>sydstat – datakatalog</title><link rel="icon" href="static/favicon.svg" type="image/svg+xml">'
        "<style>body{font-family:system-ui,sans-serif;max-width:70rem;"
        "margin:auto;padding:1rem;color:#1a1a1a}table{border-collapse:collapse;margin:1rem 0}"
        "th,td{border:1px solid #767676;padding:.25rem .5rem;text-align:left;vertical-align:top}"
        "code{background:#f2f2f2}</style></head><body><main>\n" + "\n".join(body) + "\n</main></body></html>\n"
    )


def undocumented_columns(sections: list[Section]) -> list[str]:
    """Columns of analyst-facing objects with no meaning: a test keeps this empty."""
    return [
        f"{s.title.strip('`')}.{row[0].strip('`')}"
        for s in sections
        if s.level == 3 and not s.title.startswith("`meta.")
        for row in s.rows
        if not row[2]
    ]


def write_dictionary(markdown_path: Path = DICTIONARY_PATH, html_path: Path | None = None) -> list[Path]:
    sections = build_sections()
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    markdown_path.write_text(render_markdown(sections), encoding="utf-8")
    written = [markdown_path]
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(sections), encoding="utf-8")
        written.append(html_path)
    return written
