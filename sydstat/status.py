"""`sydstat status`: health of each source, read from the published warehouse (never the locked work DB).

Healthy means: a published warehouse exists, and every configured source has succeeded within its expected cadence
(schemas/catalog/<source>.yaml `cadence_hours`, overridable in sydstat.toml) and has not failed since. A source whose
other tables load while one of its tables keeps failing is "degraded", with the failing tables named.
"""

from __future__ import annotations

import sys
from datetime import datetime

from core.catalog import configured_sources, load_catalog, run_spec
from core.config import Settings
from warehouse.db import connect_readonly

# How a source's rows are counted, by the table its catalogue names (`run.rows_table`): a fact table's rows of that
# source, or the current projects of the registers.
ROWS_QUERY = {
    "fct_indicator_value": "SELECT count(*) FROM fct_indicator_value WHERE source = ?",
    "fct_area_population": "SELECT count(*) FROM fct_area_population WHERE source = ?",
    "dim_project": "SELECT count(*) FROM dim_project WHERE is_current AND ? IS NOT NULL",
}


def collect_status(settings: Settings) -> dict:
    report: dict = {
        "warehouse": str(settings.published_db),
        "checked_at": datetime.now().isoformat(timespec="seconds"),
        "sources": [],
        "healthy": False,
    }
    docs = settings.reports_dir / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    report["validation_docs"] = str(docs) if docs.is_file() else None  # GX Data Docs of the validations
    if not settings.published_db.is_file():
        report["problem"] = "no published warehouse yet: run `sydstat demo` or `sydstat run`"
        return report
    con = connect_readonly(settings.published_db)
    try:
        healthy = True
        for source in configured_sources():
            cadence = settings.cadence_hours.get(source, load_catalog(source)["source"].get("cadence_hours", 24))
            state = con.execute(
                "SELECT last_success_at, last_failure_at, last_failure_reason, cursor_from_date, last_full_refresh_at "
                "FROM meta.source_state WHERE source = ?",
                [source],
            ).fetchone()
            last = con.execute(
                "SELECT load_id, mode, status, finished_at, rows_inserted, rows_updated, rows_deleted, "
                "rows_quarantined FROM meta.load_batch WHERE source = ? ORDER BY load_id DESC LIMIT 1",
                [source],
            ).fetchone()
            rows = con.execute(ROWS_QUERY[run_spec(source).rows_table], [source]).fetchone()[0]
            quarantined = con.execute(
                "SELECT count(*) FROM meta.quarantine WHERE source = ? AND NOT resolved", [source]
            ).fetchone()[0]
            synthetic = con.execute("SELECT is_synthetic FROM dim_source WHERE source = ?", [source]).fetchone()
            failing_tables = _failing_tables(con, source)
            entry = {
                "source": source,
                "rows": rows,
                "open_quarantine": quarantined,
                "cadence_hours": cadence,
                "synthetic": bool(synthetic and synthetic[0]),
            }
            if state is None:
                entry.update(state="never loaded", healthy=cadence is None)  # on-demand sources may not have run
            else:
                success, failure, reason, cursor, full_at = state
                age = (datetime.now() - success).total_seconds() / 3600 if success else None
                failing = failure is not None and (success is None or failure > success)
                stale = cadence is not None and (age is None or age > cadence)
                entry.update(
                    last_success_at=success,
                    last_failure_at=failure,
                    last_failure_reason=reason,
                    incremental_cursor=cursor,
                    last_full_refresh_at=full_at,
                    age_hours=round(age, 1) if age is not None else None,
                    state="degraded"
                    if failing_tables
                    else "failing"
                    if failing
                    else ("stale" if stale else ("fresh" if cadence else "on demand")),
                    healthy=not failing and not stale and not failing_tables,
                )
            if failing_tables:
                entry["failing_tables"] = failing_tables
            if last:
                entry["last_batch"] = dict(
                    zip(
                        ["load_id", "mode", "status", "finished_at", "inserted", "updated", "deleted", "quarantined"],
                        last,
                        strict=True,
                    )
                )
            healthy &= entry["healthy"]
            report["sources"].append(entry)
        report["healthy"] = healthy
    finally:
        con.close()
    return report


def _failing_tables(con, source: str) -> list[dict]:
    """The datasets of `source` — catalogued PxWeb tables, Kolada KPI chunks ('kpi:N03920,…') — whose latest batch
    failed and that no successful batch (of the same dataset, or of the whole source) has loaded since:
    {table, reason, failed_at}. A table the catalogue no longer names is not listed."""
    catalogued = [t.get("path") or t.get("id") for t in load_catalog(source).get("tables", [])]
    rows = con.execute(
        "WITH failed AS (SELECT dataset, message, finished_at, load_id, row_number() OVER (PARTITION BY dataset "
        "ORDER BY load_id DESC) AS latest FROM meta.load_batch WHERE source = ? AND status = 'failed' "
        "AND (dataset IN (SELECT unnest(?::VARCHAR[])) OR dataset LIKE 'kpi:%')) "
        "SELECT dataset, message, finished_at FROM failed f WHERE latest = 1 AND NOT EXISTS (SELECT 1 FROM "
        "meta.load_batch b WHERE b.source = ? AND b.status IN ('loaded', 'unchanged') AND b.load_id > f.load_id "
        "AND (b.dataset = f.dataset OR b.dataset IS NULL)) ORDER BY dataset",
        [source, catalogued, source],
    ).fetchall()
    return [{"table": t, "reason": r, "failed_at": f} for t, r, f in rows]


def render_status(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(f"Warehouse: {report['warehouse']}")
    if report.get("problem"):
        console.print(f"[red]{report['problem']}[/]")
        return
    table = Table("source", "state", "last success", "age (h)", "rows", "quarantine", "last batch", "last failure")
    for s in report["sources"]:
        batch = s.get("last_batch") or {}
        colour = {"fresh": "green", "stale": "yellow", "degraded": "yellow"}.get(s["state"], "red")
        table.add_row(
            s["source"] + (" (synthetic)" if s["synthetic"] else ""),
            f"[{colour}]{s['state']}[/]",
            str(s.get("last_success_at") or "-")[:19],
            str(s.get("age_hours", "-")),
            str(s["rows"]),
            str(s["open_quarantine"]),
            f"{batch.get('mode', '-')} {batch.get('status', '')}".strip(),
            (s.get("last_failure_reason") or "-")[:60],
        )
    console.print(table)
    for s in report["sources"]:
        for failed in s.get("failing_tables", []):
            console.print(
                f"[yellow]{s['source']} degraded:[/] table {failed['table']} failed "
                f"{str(failed['failed_at'])[:19]}: {failed['reason'][:160]}"
            )
    if report.get("validation_docs"):
        console.print(f"Validation reports (Great Expectations Data Docs): {report['validation_docs']}")
    console.print("healthy" if report["healthy"] else "[red]unhealthy[/] (exit code 1)")
