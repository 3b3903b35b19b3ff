"""The change sensor (hourly when deployed): asks each source's change endpoint and emits `sydstat.source.changed`
only for real changes, which triggers that source's ingest deployment. It also runs `sydstat check` (sydstat/check.py)
and emits `sydstat.source.drifted` with the findings when an upstream no longer matches the catalogue, so an operator
hears of it before the nightly run fails on it.

It reads incremental cursors from the *published* warehouse (read-only), never the work DB a load may be holding.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
from prefect import flow, get_run_logger

from core.catalog import api_sources, load_catalog, run_spec
from core.config import Settings, load_settings
from core.region import region_municipalities
from flows.check import as_json, run_check
from flows.events import SOURCE_CHANGED, SOURCE_DRIFTED, emit, source_resource
from sources.http import HttpClient
from sources.kolada import KoladaClient
from sources.pxweb import PxWebClient
from warehouse.state import SourceState, source_state, table_loaded_at


def published_state(settings: Settings, source: str) -> SourceState:
    if not settings.published_db.is_file():
        return SourceState(source)
    con = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        return source_state(con, source)
    finally:
        con.close()


def kolada_changes(settings: Settings) -> dict | None:
    """A payload describing why Kolada needs a run, or None when nothing changed since the cursor."""
    state = published_state(settings, "kolada")
    if state.cursor_from_date is None:
        return {"reason": "never loaded", "since": None}
    catalog = load_catalog("kolada")
    kpis = [str(k["id"]) for k in catalog["kpis"]]
    municipalities = [m["municipality_code"] for m in region_municipalities()]
    years = range(int(catalog["load"]["from_year"]), datetime.now(UTC).year + 1)
    client = KoladaClient(settings.url("kolada"), HttpClient("kolada"))
    if client.changed_since(kpis, municipalities, years, state.cursor_from_date):
        return {"reason": "values changed upstream", "since": state.cursor_from_date.isoformat()}
    return None


def pxweb_changes(source: str, version: str, table_key: str):
    """A sensor for a PxWeb source: has any catalogue table changed since the last successful load?"""

    def check(settings: Settings) -> dict | None:
        state = published_state(settings, source)
        if state.last_success_at is None:
            return {"reason": "never loaded", "since": None}
        client = PxWebClient(source, settings.url(source), HttpClient(source), version=version)
        refs = [t[table_key] for t in load_catalog(source)["tables"]]
        con = duckdb.connect(str(settings.published_db), read_only=True)
        try:  # each table against its own last load, as the ingest flow decides (flows/pxweb_tables.py)
            loaded = {ref: table_loaded_at(con, source, ref) for ref in refs}
        finally:
            con.close()
        changed = [
            ref for ref in refs if loaded[ref] is None or client.changed_since(ref, loaded[ref].replace(tzinfo=UTC))
        ]
        return (
            {
                "reason": f"tables changed or never loaded: {', '.join(changed)}",
                "since": state.last_success_at.isoformat(),
            }
            if changed
            else None
        )

    return check


def probe(source: str):
    """The change probe of a source, as its catalogue names it (`run.probe`)."""
    spec = run_spec(source)
    if spec.probe == "pxweb":  # v1 tables are named by their path, v2 tables by their id
        return pxweb_changes(source, spec.pxweb, "path" if spec.pxweb == "v1" else "id")
    return PROBES[spec.probe]


PROBES = {"kolada": kolada_changes}


def drift(settings: Settings, source: str) -> dict | None:
    """The `sydstat check` findings of a source that drifted ({checks: [...]} of the drifted entries only), else
    None."""
    region = {m["municipality_code"] for m in region_municipalities()}
    report = as_json(run_check(settings, [source], region))
    if report["ok"]:
        return None
    return {"drifted": report["drifted"], "checks": [c for c in report["checks"] if not c["ok"]]}


@flow(name="sensor")
def sensor() -> dict:
    logger = get_run_logger()
    settings = load_settings()
    changed = {}
    sources = api_sources()
    for source in sources:
        findings = drift(settings, source)
        if findings is not None:
            logger.warning(
                "%s drifted from the catalogue (%d entries): emitting %s", source, findings["drifted"], SOURCE_DRIFTED
            )
            emit(SOURCE_DRIFTED, source_resource(source), findings)
    for source in sources:
        payload = probe(source)(settings)
        changed[source] = payload is not None
        if payload is not None:
            logger.info("%s changed (%s): emitting %s", source, payload["reason"], SOURCE_CHANGED)
            emit(SOURCE_CHANGED, source_resource(source), payload)
        else:
            logger.info("%s: no changes", source)
    return changed
