"""Kolada v3 client (https://api.kolada.se/v3), on the shared HTTP layer.

Facts it encodes (SOURCES.md §1): at most 25 ids per comma-separated path segment; pages of at most 5000 values
followed through `next_url` (v2's `next_page` accepted too); `from_date=YYYY-MM-DD` returns only values changed since
then, with `isdeleted`; an unknown KPI id answers with empty `values`, not 404.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote, urlsplit

from sources.http import HttpClient, UpstreamError

log = logging.getLogger("sydstat.kolada")

MAX_IDS_PER_SEGMENT = 25
MAX_PER_PAGE = 5000


def chunks(ids: Sequence, size: int = MAX_IDS_PER_SEGMENT) -> list[list]:
    """Split ids into the fewest segments of at most `size`, balanced (38 → 19 + 19, not 25 + 13)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    n = -(-len(ids) // size)
    step = -(-len(ids) // n)
    return [ids[i : i + step] for i in range(0, len(ids), step)]


@dataclass
class Page:
    payload: dict
    snapshot_id: str | None


class KoladaClient:
    def __init__(self, base_url: str, http: HttpClient, per_page: int = MAX_PER_PAGE, max_pages: int = 10_000):
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.per_page = min(per_page, MAX_PER_PAGE)
        self.max_pages = max_pages

    def _pages(self, path: str, params: dict | None = None, max_records: int | None = None) -> Iterator[Page]:
        """Follow `next_url` until it is empty; a repeated URL or an endless chain is an error, not a hang. The
        page cap follows from what can be there: `max_records` (what the request can match at most) or the
        `count` Kolada reports, whichever is known — one page more than they need, never 10 000."""
        url: str | None = f"{self.base_url}{path}"
        params = {"per_page": self.per_page, **(params or {})}
        seen: set[str] = set()
        limit = self.max_pages if max_records is None else math.ceil(max_records / self.per_page) + 1
        read = 0
        while read < limit:
            read += 1
            if url is None:
                return
            payload, snap = self.http.get_json(url, params=params)
            if not isinstance(payload, dict) or not isinstance(payload.get("values"), list):
                raise UpstreamError("kolada", url, "response is not a Kolada envelope (no 'values' list)")
            count = payload.get("count")
            if read == 1 and isinstance(count, int) and count > len(payload["values"]):  # a total: it bounds us
                limit = min(limit, math.ceil(count / max(len(payload["values"]), 1)) + 1)
            yield Page(payload, snap.snapshot_id if snap else None)
            next_url = payload.get("next_url") or payload.get("next_page")
            if next_url and _origin(next_url) != _origin(self.base_url):  # never led to another host
                raise UpstreamError(
                    "kolada",
                    url,
                    f"next_url points at another origin ({_origin(next_url)}, not "
                    f"{_origin(self.base_url)}); refusing to follow it",
                )
            if next_url and next_url in seen:
                raise UpstreamError("kolada", next_url, "pagination loop: next_url repeats a page already read")
            seen.add(next_url)
            url, params = (next_url or None), None
        raise UpstreamError(
            "kolada",
            path,
            f"more than {limit} pages, more than the request can match (an endless next_url chain?); refusing to go on",
        )

    def kpis(self, ids: Sequence[str] | None = None) -> list[Page]:
        """KPI metadata: the whole catalogue (paginated, > 5000) or just `ids`, ≤ 25 per request."""
        if not ids:
            return list(self._pages("/kpi"))
        return [p for chunk in chunks(ids) for p in self._pages("/kpi/" + _segment(chunk))]

    def municipalities(self) -> list[Page]:
        return list(self._pages("/municipality"))

    def values(
        self,
        kpi_ids: Sequence[str],
        municipality_ids: Sequence[str] | None,
        years: Sequence[int] | None,
        from_date: date | None = None,
    ) -> Iterator[Page]:
        """Data pages for every kpi × municipality × year chunk combination, incremental when `from_date` is set.

        municipality_ids None: every municipality (and region) Kolada has, without a municipality segment.
        years None: every year Kolada has, without a year segment (real series start in the 1990s)."""
        params = {"from_date": from_date.isoformat()} if from_date else {}
        for path in self._data_paths(kpi_ids, municipality_ids, years):
            for page in self._pages(path, params, max_records=_max_records(path)):
                check_value_records(page.payload["values"], self.base_url + path)
                yield page

    @staticmethod
    def _data_paths(
        kpi_ids: Sequence[str], municipality_ids: Sequence[str] | None, years: Sequence[int] | None
    ) -> Iterator[str]:
        for kpi_chunk in chunks(kpi_ids):
            for muni_chunk in chunks(municipality_ids) if municipality_ids is not None else [None]:
                for year_chunk in chunks([str(y) for y in years]) if years is not None else [None]:
                    muni = f"/municipality/{_segment(muni_chunk)}" if muni_chunk is not None else ""
                    year = f"/year/{_segment(year_chunk)}" if year_chunk is not None else ""
                    yield f"/data/kpi/{_segment(kpi_chunk)}{muni}{year}"

    def changed_since(
        self,
        kpi_ids: Sequence[str],
        municipality_ids: Sequence[str] | None,
        years: Sequence[int] | None,
        from_date: date,
    ) -> bool:
        """Has any value changed since `from_date`? One `per_page=1` request per chunk, stopping at the first hit."""
        for path in self._data_paths(kpi_ids, municipality_ids, years):
            url = self.base_url + path
            payload, _ = self.http.get_json(url, params={"per_page": 1, "from_date": from_date.isoformat()})
            if not isinstance(payload, dict) or not isinstance(payload.get("values"), list):
                raise UpstreamError("kolada", url, "response is not a Kolada envelope (no 'values' list)")
            if payload["values"]:
                return True
        return False


VALUE_RECORD_FIELDS = frozenset({"kpi", "municipality", "period", "values"})
VALUE_FIELDS = frozenset({"gender", "value"})


def check_value_records(records: list, url: str) -> None:
    """Schema drift stops the batch with a message that names the field, instead of loading NULL keys: every data
    record needs kpi, municipality, period and a values list whose entries have gender and value. Extra fields are
    fine (Kolada adds some over time); new codes inside the fields are the validation suite's business."""
    for record in records:
        missing = VALUE_RECORD_FIELDS - record.keys() if isinstance(record, dict) else VALUE_RECORD_FIELDS
        if not missing and isinstance(record["values"], list):
            missing = next(
                (
                    VALUE_FIELDS - v.keys() if isinstance(v, dict) else VALUE_FIELDS
                    for v in record["values"]
                    if not isinstance(v, dict) or VALUE_FIELDS - v.keys()
                ),
                set(),
            )
            where = "values[] entries"
        else:
            where = "records"
        if missing:
            found = sorted(record.keys()) if isinstance(record, dict) else type(record).__name__
            raise UpstreamError(
                "kolada", url, f"schema drift: {where} lack {', '.join(sorted(missing))} (record fields: {found})"
            )


def _max_records(path: str) -> int:
    """At most one record per kpi × municipality × year a data path names; without a municipality segment every
    area Kolada has (under 400: 290 municipalities, 21 regions, the nation, with room), without a year segment every
    year since 1950."""
    segments = dict(zip(path.split("/")[2::2], path.split("/")[3::2], strict=False))
    count = {name: len(value.split(",")) for name, value in segments.items()}
    return count.get("kpi", MAX_IDS_PER_SEGMENT) * count.get("municipality", 400) * count.get("year", 100)


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) — the part of a URL that must stay the same while paging."""
    parts = urlsplit(url)
    return (
        parts.scheme.lower(),
        (parts.hostname or "").lower(),
        parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower()),
    )


def _segment(ids: Sequence[str]) -> str:
    return ",".join(quote(str(i), safe="") for i in ids)
