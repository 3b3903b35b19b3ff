"""What a Kolada run asks for: a full refresh or the changes since the cursor, which KPIs, municipalities and
years. A pure decision over the catalogue and the source's recorded state, so a flow only wires it.

A full refresh when asked, when there is no cursor yet, when the catalogue's scope changed, or when the last full
refresh is older than the catalogue's `full_refresh_days` (Kolada revises and removes values without notice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.catalog import fingerprint
from core.records import LoadMode


@dataclass
class KoladaPlan:
    mode: str  # LoadMode.FULL | LoadMode.INCREMENTAL
    kpi_ids: list[str]
    municipality_ids: list[str]
    years: list[int] | None  # None: every year Kolada has (ad-hoc ids: no year segment)
    from_date: date | None
    scope_fingerprint: str | None  # None for ad-hoc pulls: they never move the catalogue's cursor
    reason: str
    # catalogue `municipalities: all`: ask Kolada for every municipality at once (no municipality segment: 4 requests
    # per 25 KPIs instead of 48, pages filled to 5 000) and keep the municipalities of the scope
    all_municipalities: bool = False


def make_plan(
    catalog: dict,
    kpis: list[str] | None,
    full: bool,
    today: date,
    state,
    municipalities: list[str],
    all_municipalities: bool,
) -> KoladaPlan:
    """`state`: the source's recorded state (warehouse/state.py SourceState: cursor_from_date, scope_fingerprint,
    last_full_refresh_at). `kpis`: ad-hoc ids, loaded with their whole history outside the catalogue's cursor."""
    years = list(range(int(catalog["load"]["from_year"]), int(catalog["load"].get("to_year", today.year)) + 1))
    if kpis:  # ad-hoc ids: their whole history, every year Kolada has (no year segment), not the catalogue's span
        return KoladaPlan(
            LoadMode.FULL,
            list(dict.fromkeys(kpis)),
            municipalities,
            None,
            None,
            None,
            "ad-hoc KPI ids, every year",
            all_municipalities,
        )
    kpi_ids = [str(k["id"]) for k in catalog["kpis"]]
    scope = fingerprint(kpi_ids, municipalities, years[0])
    max_age = timedelta(days=int(catalog["load"].get("full_refresh_days", 7)))
    if full:
        reason = "full refresh requested"
    elif state.cursor_from_date is None:
        reason = "first load"
    elif state.scope_fingerprint != scope:
        reason = "the catalogue's KPIs or municipalities changed"
    elif state.last_full_refresh_at is None or datetime.now() - state.last_full_refresh_at > max_age:
        reason = f"last full refresh older than {max_age.days} days"
    else:
        return KoladaPlan(
            LoadMode.INCREMENTAL,
            kpi_ids,
            municipalities,
            years,
            state.cursor_from_date,
            scope,
            f"changes since {state.cursor_from_date}",
            all_municipalities,
        )
    return KoladaPlan(LoadMode.FULL, kpi_ids, municipalities, years, None, scope, reason, all_municipalities)
