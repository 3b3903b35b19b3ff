"""One PxWeb client for both API generations (SOURCES.md §2-3): SCB's PxWebApi 2.0 and the v1 grammar that
Folkhälsodata (and SCB's old API) speak.

- Limits come from the server (`/config` in v2, `?config` in v1) and are honoured: a sliding-window limiter per
  host (maxCallsPerTimeWindow / timeWindow) and queries split so no request asks for more than maxDataCells cells —
  split on the region variable first, then on time, never on the measure (ContentsCode).
- Every body is archived through the shared HTTP layer before it is decoded (transforms/pxweb.py).
- Errors name the table and the query that failed (v2 problem+json, v1 403 for too many cells).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.jsonstat import category_codes
from sources.http import HttpClient, UpstreamError, WindowLimiter

REGION_VARIABLES = ("Region", "region")
TIME_VARIABLES = ("Tid", "tid", "År", "Year")


@dataclass
class PxLimits:
    max_cells: int = 150_000
    max_calls: int = 30
    window_seconds: float = 10.0


@dataclass
class PxQueryResult:
    payload: dict
    snapshot_id: str | None
    selection: dict


class PxWebClient:
    def __init__(self, source: str, base_url: str, http: HttpClient, version: str = "v2"):
        if version not in ("v1", "v2"):
            raise ValueError("PxWeb version must be 'v1' or 'v2'")
        self.source, self.base_url, self.http, self.version = source, base_url.rstrip("/"), http, version
        self._limits: PxLimits | None = None
        self._folders: dict[str, dict[str, str | None]] = {}  # v1 folder → {table id: updated}, one GET per folder

    # -- limits -----------------------------------------------------------------------------------------------------
    def limits(self) -> PxLimits:
        if self._limits is None:
            if self.version == "v2":
                config, _ = self.http.get_json(f"{self.base_url}/config")
                self._limits = PxLimits(
                    int(config.get("maxDataCells", 150_000)),
                    int(config.get("maxCallsPerTimeWindow", 30)),
                    float(config.get("timeWindow", 10)),
                )
            else:
                config, _ = self.http.get_json(f"{self.base_url}/", params={"config": ""})
                self._limits = PxLimits(
                    int(config.get("maxValues", 150_000)),
                    int(config.get("maxCalls", 30)),
                    float(config.get("timeWindow", 10)),
                )
            host = self.base_url.split("/")[2]
            self.http.window_limiter = WindowLimiter.for_host(host, self._limits.max_calls, self._limits.window_seconds)
        return self._limits

    # -- metadata and change detection -----------------------------------------------------------------------------
    def metadata(self, table: str) -> tuple[dict[str, dict], str | None]:
        """({variable: {values, texts, mandatory, time, …}}, updated) for a table id (v2) or path (v1)."""
        self.limits()
        if self.version == "v2":
            payload, _ = self.http.get_json(f"{self.base_url}/tables/{table}/metadata")
            return v2_variables(payload), payload.get("updated")
        payload, _ = self.http.get_json(f"{self.base_url}/{table}")
        return v1_variables(payload), payload.get("updated")

    def tables_updated_within(self, days: int, max_pages: int = 200) -> dict[str, str]:
        """v2 `/tables?pastDays=N`: {table id: updated} for every table changed in the last N days (paged)."""
        self.limits()
        found: dict[str, str] = {}
        url, params = f"{self.base_url}/tables", {"pastDays": days, "pageSize": 1000}
        for _ in range(max_pages):
            payload, _ = self.http.get_json(url, params=params)
            for table in payload.get("tables", []):
                found[table["id"]] = table.get("updated")
            following = [link["href"] for link in payload.get("page", {}).get("links", []) if link.get("rel") == "next"]
            if not following:
                return found
            url, params = following[0], None
        raise UpstreamError(self.source, url, f"more than {max_pages} pages of /tables; refusing to go on")

    def search_tables(self, query: str, max_pages: int = 5) -> list[dict]:
        """v2 `/tables?query=WORDS` (the API's free-text table search; it matches any of the words — confirmed from
        public client code of PxWebApi 2.0, not from a recorded answer): [{id, label, firstPeriod, lastPeriod, …}]."""
        found: list[dict] = []
        url, params = f"{self.base_url}/tables", {"query": query, "pageSize": 100, "lang": "sv"}
        for _ in range(max_pages):
            payload, _ = self.http.get_json(url, params=params)
            found += payload.get("tables", [])
            following = [link["href"] for link in payload.get("page", {}).get("links", []) if link.get("rel") == "next"]
            if not following:
                break
            url, params = following[0], None
        return found

    def folder_updated(self, table: str) -> str | None:
        """v1: the table's `updated` from its folder listing (GET on the folder: items {id, type, text, updated}) —
        v1 table metadata has no `updated` (SOURCES.md §3). One request per folder, shared by its tables. A table the
        listing does not name is an error (renamed or removed upstream), not 'unchanged'."""
        folder, _, name = table.rpartition("/")
        if folder not in self._folders:
            self.limits()
            listing, _ = self.http.get_json(f"{self.base_url}/{folder}")
            self._folders[folder] = {
                str(item.get("id")): item.get("updated")
                for item in listing or []
                if isinstance(item, dict) and item.get("type") == "t"
            }
        items = self._folders[folder]
        for key in (name, name.removesuffix(".px")):  # SCB lists 'BefolkManadCKM', Folkhälsodata 'x.px'
            if key in items:
                return items[key]
        raise UpstreamError(
            self.source,
            f"{self.base_url}/{folder}",
            f"table {name} is not in its folder listing (renamed or removed upstream?)",
        )

    def changed_since(self, table: str, since: datetime | None) -> bool:
        """Has the table changed since `since`? v2 asks /tables?pastDays; v1 reads the folder listing's `updated`.
        No stamp at all counts as changed: downloading once too often is cheap, never updating again is not."""
        if since is None:
            return True
        if self.version == "v2":
            days = max(1, math.ceil((datetime.now(UTC) - since.astimezone(UTC)) / timedelta(days=1)))
            updated = self.tables_updated_within(days).get(table)
            if not updated:  # not in the list of tables updated within those days
                return False
        else:
            updated = self.folder_updated(table)
        if not updated:
            return True
        stamp = datetime.fromisoformat(updated.replace("Z", "+00:00"))
        if stamp.tzinfo is None:  # v1 servers give local-less stamps; read them as UTC
            stamp = stamp.replace(tzinfo=UTC)
        return stamp > since.astimezone(UTC)

    # -- data -------------------------------------------------------------------------------------------------------
    def split(self, selection: dict[str, list[str]]) -> list[dict[str, list[str]]]:
        """Chunks of the selection with at most max_cells cells each: region first, then time; never the measure."""
        limit = self.limits().max_cells
        chunks = [selection]
        for variable in [v for v in selection if v in REGION_VARIABLES] + [v for v in selection if v in TIME_VARIABLES]:
            next_chunks = []
            for chunk in chunks:
                cells = math.prod(len(v) for v in chunk.values())
                if cells <= limit:
                    next_chunks.append(chunk)
                    continue
                others = cells // len(chunk[variable])
                per = max(1, limit // others)
                values = chunk[variable]
                next_chunks += [{**chunk, variable: values[i : i + per]} for i in range(0, len(values), per)]
            chunks = next_chunks
        for chunk in chunks:
            cells = math.prod(len(v) for v in chunk.values())
            if cells > limit:
                raise UpstreamError(
                    self.source,
                    self.base_url,
                    f"a query of {cells} cells cannot be split under "
                    f"the server's limit of {limit} without splitting the measure",
                )
        return chunks

    def query(
        self, table: str, selection: dict[str, Sequence[str]], codelists: dict[str, str] | None = None
    ) -> list[PxQueryResult]:
        """POST the selection (split as needed) and return json-stat2 payloads with their snapshot ids."""
        selection = {k: [str(v) for v in values] for k, values in selection.items()}
        results = []
        for chunk in self.split(selection):
            if self.version == "v2":
                url = f"{self.base_url}/tables/{table}/data"
                body = {
                    "selection": [
                        {
                            "variableCode": k,
                            "valueCodes": v,
                            **({"codelist": codelists[k]} if codelists and k in codelists else {}),
                        }
                        for k, v in chunk.items()
                    ]
                }
                params = {"outputFormat": "json-stat2"}
            else:
                url = f"{self.base_url}/{table}"
                body = {
                    "query": [{"code": k, "selection": {"filter": "item", "values": v}} for k, v in chunk.items()],
                    "response": {"format": "json-stat2"},
                }
                params = None
            try:
                payload, snap = self.http.request_json("POST", url, params=params, json_body=body)
            except UpstreamError as exc:
                cells = math.prod(len(v) for v in chunk.values())
                raise UpstreamError(
                    self.source,
                    url,
                    f"table {table}: {exc.reason} — query "
                    f"{ {k: (v if len(v) <= 5 else v[:5] + ['…']) for k, v in chunk.items()} } "
                    f"({cells} cells)",
                ) from exc
            results.append(PxQueryResult(payload, snap.snapshot_id if snap else None, chunk))
        return results


def v1_variables(metadata: dict) -> dict[str, dict]:
    """v1 table metadata → {code: {values, texts, mandatory, time}} (a missing `elimination` means mandatory)."""
    return {
        v["code"]: {
            "values": v["values"],
            "texts": v.get("valueTexts", v["values"]),
            "mandatory": not v.get("elimination", False),
            "time": bool(v.get("time", False)),
        }
        for v in metadata["variables"]
    }


def v2_variables(metadata: dict) -> dict[str, dict]:
    """v2 `/tables/{id}/metadata` (json-stat2 shaped, no values) → the same shape as `v1_variables`."""
    out = {}
    for dim in metadata["id"]:
        info = metadata["dimension"][dim]
        codes = category_codes(info["category"])
        extension = info.get("extension", {})
        out[dim] = {
            "values": codes,
            "texts": [info["category"].get("label", {}).get(c, c) for c in codes],
            "mandatory": not extension.get("elimination", False),
            "time": dim in metadata.get("role", {}).get("time", []),
            "codelists": [c.get("id") for c in extension.get("codelists", [])],
        }
    return out


# What to ask a catalogued table for: the query planning every PxWeb source shares.


def table_ref(table: dict) -> str:
    return table.get("path") or table["id"]


def table_selection(variables: dict[str, dict], table: dict, choose_regions, first_year: int | None = None) -> dict:
    """What to ask a table for, from its metadata and its catalogue entry: the regions `choose_regions(codes)` picks;
    the catalogue's indicators; only the values matching `values: {variable: regex}`; the years within `years:
    {from, to}` and from `first_year` on; and no `eliminate:` variable (the server sums those)."""
    ref = table_ref(table)
    selection = {name: info["values"] for name, info in variables.items() if name not in table.get("eliminate", ())}
    selection["Region"] = choose_regions(variables["Region"]["values"])
    if not selection["Region"]:
        raise ValueError(f"table {ref}: none of the regions asked for is in its metadata")
    for variable, wanted in (
        (table.get("indicator_by"), table.get("indicators")),
        (table.get("measure_by"), table.get("measures")),
    ):
        if variable:  # the catalogue names values by code or by published label (any capitalisation)
            info, labels = variables[variable], {str(w).casefold() for w in wanted}
            selection[variable] = [
                v
                for v, text in zip(info["values"], info["texts"], strict=True)
                if v in wanted or text.casefold() in labels
            ]
            found = set(info["values"]) | {t.casefold() for t in info["texts"]}
            missing = [w for w in wanted if str(w) not in found and str(w).casefold() not in found]
            if missing:  # a renamed value would otherwise drop out silently (and a total lose one of its parts)
                offered = list(zip(info["values"], info["texts"], strict=True))[:20]
                raise ValueError(
                    f"table {ref}: {variable} has no value with code or label {missing}; it offers {offered}"
                )
    for name, pattern in table.get("values", {}).items():
        selection[name] = [v for v in selection[name] if re.search(pattern, v)]
    years = table.get("years", {})
    low, high = max(first_year or 0, years.get("from", 0)), years.get("to", 9999)
    time = next(name for name, info in variables.items() if info["time"] or name in TIME_VARIABLES)
    selection[time] = [t for t in selection[time] if low <= _last_year(t) and int(t[:4]) <= high]
    empty = [name for name, values in selection.items() if not values]
    if empty:
        raise ValueError(f"table {ref}: nothing left to ask for in {empty} after the catalogue's filters")
    return selection


def _last_year(period: str) -> int:
    """'2024' → 2024, '2025M12' → 2025, a pooled survey span '2019-2022' → 2022."""
    return int(period[5:9]) if re.fullmatch(r"\d{4}-\d{4}", period) else int(period[:4])
