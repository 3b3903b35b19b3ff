"""`sydstat check`: a preflight of the catalogue against the live APIs (or any compatible URL) that changes nothing.

A replay is a belief; the live metadata is evidence. For every catalogued PxWeb table this reads the table's metadata
(and, for area tables, one small probe query) and reports the drift a run would trip over:

- the table is missing (404);
- a variable the catalogue maps is gone, or the table has a variable the catalogue does not mention (a run would
  ask for all its values and count every cell more than once);
- a code, measure or indicator the catalogue names is not offered (by code or by label: a renamed label shows here);
- codes offered that the catalogue neither maps nor declares as totals (a new category upstream);
- a `values:` filter that matches nothing;
- which grids the Region variable carries and, from the probe, the years each is in use; the time span.

For Kolada: every catalogued KPI exists and is not discontinued. Nothing is archived or loaded; exit 1 on drift.
The sensor runs the same check and emits `sydstat.source.drifted` with the findings.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

import pandas as pd

from core.catalog import load_catalog
from core.config import Settings
from sources.http import HttpClient, UpstreamError
from sources.kolada import KoladaClient
from sources.pxweb import TIME_VARIABLES, PxWebClient
from transforms.areas import grid_of
from transforms.pxweb import jsonstat2_frame

PXWEB_VERSIONS = {"scb": "v2", "fohm": "v1"}


@dataclass
class TableCheck:
    """One catalogue entry against the live answer: OK when `drift` is empty; `info` is what was seen either way."""

    source: str
    table: str
    drift: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.drift


def _codes_named(spec: dict) -> list[str]:
    return [str(c) for c in spec]


def _total_codes(table: dict, variable: str) -> list[str]:
    declared = table.get("totals", {}).get(variable, [])
    return [str(c) for c in ([declared] if isinstance(declared, str) else declared)]


def table_drift(table: dict, variables: dict[str, dict]) -> tuple[list[str], list[str]]:
    """(drift, info) of one catalogue entry against a table's variables ({code: {values, texts, time}}). Pure."""
    drift: list[str] = []
    columns = table.get("columns", {})
    named = (
        set(columns)
        | set(table.get("values", {}))
        | set(table.get("eliminate", ()))
        | {table.get("measure_by"), table.get("indicator_by")}
    )
    for variable in columns:
        if variable not in variables:
            drift.append(f"variable {variable} is gone (the table has {sorted(variables)})")
    unmentioned = [
        v
        for v, info in variables.items()
        if v not in named and not info.get("time") and v not in TIME_VARIABLES and len(info["values"]) > 1
    ]
    if unmentioned:
        drift.append(f"variables the catalogue does not mention (a run would count their cells twice): {unmentioned}")
    for variable, pattern in table.get("values", {}).items():
        if variable in variables and not any(re.search(pattern, v) for v in variables[variable]["values"]):
            drift.append(f"no value of {variable} matches the filter {pattern!r}")
    for variable, wanted in (
        (table.get("measure_by"), table.get("measures")),
        (table.get("indicator_by"), table.get("indicators")),
    ):
        if variable and variable in variables:
            drift += _missing_values(variable, variables[variable], [str(w) for w in wanted])
    for variable, mapping in table.get("codes", {}).items():
        if variable not in variables:
            continue
        drift += _missing_values(variable, variables[variable], _codes_named(mapping) + _total_codes(table, variable))
        if variable in (table.get("measure_by"), *table.get("passthrough", ())):
            continue  # measures are asked for by name; a passthrough variable keeps codes it does not map
        info = variables[variable]
        known = {c.casefold() for c in _codes_named(mapping) + _total_codes(table, variable)}
        offered = [
            v
            for v, t in zip(info["values"], info["texts"], strict=True)
            if v.casefold() not in known
            and t.casefold() not in known
            and all(re.search(p, v) for n, p in table.get("values", {}).items() if n == variable)
        ]
        if offered:
            drift.append(f"{variable} offers codes the catalogue neither maps nor declares as totals: {offered[:12]}")
    info = []
    if "Region" in variables:
        codes = pd.Series(variables["Region"]["values"], dtype="string")
        grids = Counter(g for g in grid_of(codes) if isinstance(g, str))
        info.append(
            "Region: "
            + (
                ", ".join(f"{g} {n} codes" for g, n in sorted(grids.items()))
                or f"{len(variables['Region']['values'])} codes, no area grid"
            )
        )
    time = next((name for name, v in variables.items() if v.get("time") or name in TIME_VARIABLES), None)
    if time:
        periods = variables[time]["values"]
        info.append(f"{time} {periods[0]}–{periods[-1]} ({len(periods)} periods)")
    return drift, info


def _missing_values(variable: str, info: dict, wanted: list[str]) -> list[str]:
    found = {v.casefold() for v in info["values"]} | {t.casefold() for t in info["texts"]}
    missing = [w for w in wanted if w.casefold() not in found]
    if not missing:
        return []
    offered = list(zip(info["values"], info["texts"], strict=True))[:12]
    return [f"{variable}: the catalogue names {missing}, not offered by code or label (renamed?); it offers {offered}"]


def grid_years(client: PxWebClient, table: dict, variables: dict[str, dict], region: set[str] | None) -> list[str]:
    """One probe query per area table: the first area of each grid in the region, every period, the first (or
    total) value of every other variable → the years each grid has figures (not '..' and not 0)."""
    codes = variables["Region"]["values"]
    grids = grid_of(pd.Series(codes, dtype="string"))
    probe = {}
    for code, grid in zip(codes, grids, strict=True):
        if isinstance(grid, str) and grid not in probe.values() and (region is None or code[:4] in region):
            probe[code] = grid
    if not probe:
        return []
    selection = {"Region": list(probe)}
    for name, info in variables.items():
        if name == "Region" or name in table.get("eliminate", ()):
            continue
        if info.get("time") or name in TIME_VARIABLES:
            selection[name] = info["values"]
            continue
        totals = [c for c in _total_codes(table, name) if c in info["values"]]
        pattern = table.get("values", {}).get(name)
        matching = [v for v in info["values"] if pattern is None or re.search(pattern, v)]
        selection[name] = (totals or matching or info["values"])[:1]
    cells = jsonstat2_frame(client.query(table.get("path") or table["id"], selection)[0].payload)
    time = next(c for c in cells.columns if c in TIME_VARIABLES)
    used = cells[cells["value"].fillna(0) != 0]
    out = []
    for code, grid in probe.items():
        years = sorted(used.loc[used.Region == code, time].str[:4].unique())
        out.append(f"{grid} in use {years[0]}–{years[-1]}" if years else f"{grid}: no figures in any period")
    return out


def check_pxweb(settings: Settings, source: str, region: set[str] | None) -> list[TableCheck]:
    client = PxWebClient(source, settings.url(source), HttpClient(source), version=PXWEB_VERSIONS[source])
    results = []
    for table in load_catalog(source)["tables"]:
        ref = table.get("path") or table["id"]
        result = TableCheck(source, ref)
        try:
            variables, _ = client.metadata(ref)
        except UpstreamError as exc:
            result.drift.append("table missing (HTTP 404)" if exc.status == 404 else f"unreachable: {exc.reason}")
            results.append(result)
            continue
        result.drift, result.info = table_drift(table, variables)
        if table.get("target") in ("fct_area_population", "fct_area_type") and "Region" in variables:
            try:
                result.info += grid_years(client, table, variables, region)
            except UpstreamError as exc:
                result.drift.append(f"probe query refused: {exc.reason}")
        results.append(result)
    return results


def check_kolada(settings: Settings) -> list[TableCheck]:
    """Every catalogued KPI in Kolada's /kpi, and not discontinued (a title ending '(-2024)', no publ_period)."""
    ids = [str(k["id"]) for k in load_catalog("kolada")["kpis"]]
    client = KoladaClient(settings.url("kolada"), HttpClient("kolada"))
    try:
        metadata = {str(r["id"]): r for page in client.kpis(ids) for r in page.payload["values"]}
    except UpstreamError as exc:
        return [TableCheck("kolada", "/kpi", [f"unreachable: {exc.reason}"])]
    results = []
    for kpi in ids:
        record = metadata.get(kpi)
        result = TableCheck("kolada", kpi)
        if record is None:
            result.drift.append("KPI missing from Kolada's /kpi")
        else:
            title = str(record.get("title", ""))
            result.info.append(title)
            if re.search(r"\(-\d{4}\)\s*$", title) or record.get("publ_period") == "":
                result.drift.append(f"KPI discontinued: {title!r}")
        results.append(result)
    return results


def run_check(settings: Settings, sources: list[str], region: set[str] | None) -> list[TableCheck]:
    results: list[TableCheck] = []
    for source in sources:
        results += check_kolada(settings) if source == "kolada" else check_pxweb(settings, source, region)
    return results


def as_json(results: list[TableCheck]) -> dict:
    return {
        "ok": all(r.ok for r in results),
        "drifted": sum(not r.ok for r in results),
        "checks": [{**asdict(r), "ok": r.ok} for r in results],
    }


def render(results: list[TableCheck]) -> str:
    lines = []
    for r in results:
        lines.append(
            f"{r.source} {r.table}: {'OK' if r.ok else 'DRIFT'}" + (f" — {'; '.join(r.info)}" if r.info else "")
        )
        lines += [f"    drift: {d}" for d in r.drift]
    drifted = sum(not r.ok for r in results)
    lines.append(f"{len(results) - drifted} of {len(results)} OK" + (f", {drifted} drifted" if drifted else ""))
    return "\n".join(lines)
