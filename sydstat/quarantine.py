"""`sydstat quarantine`: the rows validation kept out, to act on. `list` and `show` read the published warehouse on
the analysts' read-only connection; `resolve` records a decision in the work DB (under the writer lock, so never
beside a running load) and publishes the analyst copy again. Resolving records why; it does not load the row — fix
it upstream or in the file, and the next load brings it in."""

from __future__ import annotations

import json

from core.config import Settings
from warehouse.db import connect_readonly, open_work_db, writer_lock

LIST_SQL = (
    "SELECT quarantine_id, source, target_table, reason, quarantined_at, resolved FROM meta.quarantine "
    "WHERE (? OR NOT resolved) AND (? IS NULL OR source = ?) ORDER BY quarantine_id"
)


def list_rows(settings: Settings, include_resolved: bool = False, source: str | None = None) -> list[dict]:
    con = connect_readonly(settings.published_db)
    try:
        rows = con.execute(LIST_SQL, [include_resolved, source, source]).fetchall()
    finally:
        con.close()
    keys = ["id", "source", "target_table", "reason", "quarantined_at", "resolved"]
    return [dict(zip(keys, r, strict=True)) for r in rows]


def show(settings: Settings, quarantine_id: int) -> dict | None:
    con = connect_readonly(settings.published_db)
    try:
        row = con.execute(
            "SELECT quarantine_id, load_id, source, target_table, reason, record::VARCHAR, "
            "quarantined_at, resolved, resolved_at, resolution FROM meta.quarantine "
            "WHERE quarantine_id = ?",
            [quarantine_id],
        ).fetchone()
    finally:
        con.close()
    if row is None:
        return None
    keys = [
        "id",
        "load_id",
        "source",
        "target_table",
        "reason",
        "record",
        "quarantined_at",
        "resolved",
        "resolved_at",
        "resolution",
    ]
    out = dict(zip(keys, row, strict=True))
    out["record"] = json.loads(out["record"])
    return out


def resolve(settings: Settings, quarantine_id: int, reason: str) -> bool:
    """Mark one row resolved with `reason`, then publish the analyst copy. False when there is no such open row."""
    from warehouse.publish import publish

    with writer_lock(settings):
        con = open_work_db(settings.work_db)
        try:
            changed = con.execute(
                "UPDATE meta.quarantine SET resolved = true, resolved_at = now(), resolution = ? "
                "WHERE quarantine_id = ? AND NOT resolved",
                [reason, quarantine_id],
            ).fetchone()[0]
            if changed:
                publish(con, settings.published_db)
        finally:
            con.close()
    return bool(changed)
