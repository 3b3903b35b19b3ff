"""Local fake upstreams on 127.0.0.1 (Kolada v3 under /v3, SCB PxWebApi 2.0 under /api/v2): the same server powers
`sydstat demo` and the tests.

It speaks Kolada v3's URL shapes (/kpi, /municipality, /data/kpi/{ids}/municipality/{ids}/year/{ids}), its envelope
(values, count, next_url, previous_url), `per_page`/`page`, `from_date` with `isdeleted`, the 25-ids-per-segment
limit (400) and unknown paths (404). Fault injection (`inject`) makes it answer with 429 + Retry-After, 5xx, delays,
truncated or invalid bodies, HTML pages, empty or looping pages — bounded by a count, so tests always end.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from sources.http import SYNTHETIC_HEADER
from sydstat.demo import sample
from sydstat.demo.pxweb import FohmDataset, PxDataset
from sydstat.demo.pxweb import route as pxweb_route
from sydstat.demo.pxweb import route_v1 as pxweb_v1_route

MAX_IDS = 25


@dataclass
class Fault:
    """One injected misbehaviour for requests whose path contains `match`, applied `times` times."""

    kind: str  # status | delay | truncate | invalid_json | html | empty_page | loop | endless | reset | drift |
    #            foreign_next | drip (the body one byte at a time, `seconds` apart)
    match: str = ""
    times: int = 1
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    drift: str = "rename"  # for kind 'drift': one of DRIFTS


def _renamed(record: dict) -> dict:
    record["municipality_id"] = record.pop("municipality")
    return record


def _without_period(record: dict) -> dict:
    record.pop("period")
    return record


def _extra_field(record: dict) -> dict:
    return {**record, "municipality_type": "K", "values": [{**v, "count": 1} for v in record["values"]]}


def _new_sex_code(record: dict) -> dict:
    return {**record, "values": [{**v, "gender": "X" if v["gender"] == "T" else v["gender"]} for v in record["values"]]}


# Schema drift in Kolada data records: a renamed field, a missing one, extra ones, a new code in a known field.
DRIFTS = {"rename": _renamed, "missing": _without_period, "extra": _extra_field, "new_code": _new_sex_code}


@dataclass
class KoladaDataset:
    """What the fake upstream serves; tests mutate it to simulate revisions and deletions."""

    kpis: list[dict] = field(default_factory=sample.kpi_metadata)
    municipalities: list[dict] = field(default_factory=sample.municipality_records)
    values: dict[tuple[str, str, int], dict] = field(default_factory=sample.generate_values)

    def set_value(
        self, kpi: str, municipality: str, year: int, sex: str, value: float | None, updated: date | None = None
    ) -> None:
        record = self.values.setdefault((kpi, municipality, year), {"values": {}, "updated": None, "deleted": False})
        record["values"][sex] = value
        record["updated"], record["deleted"] = updated or date.today(), False

    def delete(self, kpi: str, municipality: str, year: int, updated: date | None = None) -> None:
        record = self.values[(kpi, municipality, year)]
        record["deleted"], record["updated"] = True, updated or date.today()


class ReplayServer:
    """Start with `with ReplayServer() as server: server.url` (an ephemeral port on 127.0.0.1)."""

    def __init__(
        self,
        dataset: KoladaDataset | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        pxweb: PxDataset | None = None,
        fohm: FohmDataset | None = None,
    ):
        self.dataset = dataset or KoladaDataset()
        self.pxweb = pxweb or PxDataset()
        self.fohm = fohm or FohmDataset()
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The Kolada v3 base URL."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v3"

    @property
    def fohm_url(self) -> str:
        """The Folkhälsodata PxWeb v1 base URL."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/fohm/api/v1/sv"

    @property
    def scb_url(self) -> str:
        """The SCB PxWebApi 2.0 base URL."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/api/v2"

    def inject(self, kind: str, **kwargs) -> Fault:
        fault = Fault(kind=kind, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and fault.match in path:
                    fault.times -= 1
                    return fault
        return None

    def data_requests(self) -> int:
        return sum(1 for r in self.requests if r.startswith("/v3/data/"))

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="kolada-replay", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _status_fault(handler, fault):
    headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
    return handler._send(fault.status, {"error": f"injected {fault.status}"}, headers)


def _reset(handler, _fault):
    handler.connection.close()


# Faults that are the whole answer, before any route runs.
INSTEAD = {
    "status": _status_fault,
    "reset": _reset,
    "html": lambda h, _f: h._send_raw(200, b"<html><body>Service temporarily unavailable</body></html>", "text/html"),
    "invalid_json": lambda h, _f: h._send_raw(200, b'{"values": [ {"kpi": ', "application/json"),
}

# Faults that rewrite a good (200) answer's body.
REWRITE = {
    "empty_page": lambda h, f, parsed, body: {"values": [], "count": 0, "next_url": None, "previous_url": None},
    "drift": lambda h, f, parsed, body: {**body, "values": [DRIFTS[f.drift](dict(r)) for r in body.get("values", [])]},
    "loop": lambda h, f, parsed, body: {**body, "next_url": f"{h._base_url()}{parsed.path}?{parsed.query}"},
    # a new, never-repeating next page forever
    "endless": lambda h, f, parsed, body: {
        **body,
        "next_url": f"{h._base_url()}{parsed.path}?page={len(h.server_state.requests)}&per_page=500",
    },
    # a next page on another host
    "foreign_next": lambda h, f, parsed, body: {
        **body,
        "next_url": f"http://evil.example:{h.server.server_address[1]}{parsed.path}?page=2",
    },
}

# Faults in how the bytes are sent.
SEND = {
    "truncate": lambda h, f, status, raw: h._send_raw(
        status, raw[: len(raw) // 2], "application/json", declared_length=len(raw)
    ),
    "drip": lambda h, f, status, raw: h._send_raw(status, raw, "application/json", drip=f.seconds),
}


class ReplayHandler(BaseHTTPRequestHandler):
    """Answers as the fake upstreams do, with the fault its server was told to inject next."""

    protocol_version = "HTTP/1.1"
    server_state: ReplayServer  # set per server by _handler_for

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.do_GET(method="POST")

    def do_GET(self, method: str = "GET") -> None:  # noqa: N802 (http.server's naming)
        parsed = urlparse(self.path)
        body = None
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
        with self.server_state._lock:
            self.server_state.requests.append(self.path)
        fault = self.server_state.take_fault(parsed.path)
        if fault and fault.kind == "delay":
            time.sleep(fault.seconds)
            fault = None
        if fault and fault.kind in INSTEAD:  # the fault is the whole answer
            return INSTEAD[fault.kind](self, fault)
        try:
            answered = self._route(method, parsed, body)
        except ValueError as exc:
            return self._send(400, {"error": str(exc)})
        if answered is None:  # the route sent its own answer
            return None
        status, body = answered
        if fault and fault.kind in REWRITE and status == 200:
            body = REWRITE[fault.kind](self, fault, parsed, body)
        if fault and fault.kind in SEND:
            return SEND[fault.kind](self, fault, status, json.dumps(body).encode())
        return self._send(status, body)

    def _route(self, method: str, parsed, body) -> tuple[int, dict] | None:
        """(status, body) of the fake upstream the path belongs to, or None when it answered already."""
        if parsed.path.startswith("/fohm/api/v1"):
            status, body = pxweb_v1_route(
                self.server_state.fohm, method, parsed.path, parse_qs(parsed.query, keep_blank_values=True), body
            )
            if status >= 400:
                return status, body
            self._send_raw(status, b"\xef\xbb\xbf" + json.dumps(body).encode(), "application/json")
            return None
        if parsed.path.startswith("/api/v2"):
            status, body = pxweb_route(self.server_state.pxweb, method, parsed.path, parse_qs(parsed.query), body)
            if status >= 400:
                self._send_raw(status, json.dumps(body).encode(), "application/problem+json")
                return None
            return status, body
        return route(self.server_state.dataset, parsed.path, parse_qs(parsed.query), self._base_url())

    def _base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
        self._send_raw(status, json.dumps(body, ensure_ascii=False).encode(), "application/json", headers=headers)

    def _send_raw(
        self,
        status: int,
        raw: bytes,
        content_type: str,
        headers: dict | None = None,
        declared_length: int | None = None,
        drip: float = 0.0,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(declared_length or len(raw)))
        self.send_header(SYNTHETIC_HEADER, "1")  # everything served here is invented: the archive records it
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if drip:  # a server that answers at a byte per `drip` seconds: bounded by the client's deadline
            for i in range(len(raw)):
                try:
                    self.wfile.write(raw[i : i + 1])
                    self.wfile.flush()
                except OSError:  # the client gave up
                    return
                time.sleep(drip)
            return
        self.wfile.write(raw)
        if declared_length:
            self.close_connection = True


def _handler_for(server: ReplayServer) -> type[ReplayHandler]:
    return type("Handler", (ReplayHandler,), {"server_state": server})


def _ids(segment: str) -> list[str]:
    ids = [i for i in segment.split(",") if i]
    if len(ids) > MAX_IDS:
        raise ValueError(f"at most {MAX_IDS} ids per segment, got {len(ids)}")
    return ids


def _page(items: list, query: dict, base: str, path: str) -> dict:
    per_page = min(int(query.get("per_page", ["5000"])[0]), 5000)
    page = max(int(query.get("page", ["1"])[0]), 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    flat = {k: v[0] for k, v in query.items()}

    def link(n: int) -> str:
        return f"{base}{path}?{urlencode({**flat, 'page': n, 'per_page': per_page})}"

    return {
        "values": chunk,
        "count": len(chunk),
        "next_url": link(page + 1) if page * per_page < len(items) else None,
        "previous_url": link(page - 1) if page > 1 else None,
    }


def route(dataset: KoladaDataset, path: str, query: dict, base: str) -> tuple[int, dict]:
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] != "v3":
        return 404, {"error": "not found"}
    parts = parts[1:]
    if parts == ["kpi"]:
        return 200, _page(dataset.kpis, query, base, path)
    if len(parts) == 2 and parts[0] == "kpi":
        wanted = set(_ids(parts[1]))
        return 200, _page([k for k in dataset.kpis if k["id"] in wanted], query, base, path)
    if parts == ["municipality"]:
        return 200, _page(dataset.municipalities, query, base, path)
    if (
        len(parts) == 7
        and parts[0] == "data"
        and parts[1] == "kpi"
        and parts[3] == "municipality"
        and parts[5] == "year"
    ):
        return 200, _page(
            _data_records(dataset, _ids(parts[2]), _ids(parts[4]), _ids(parts[6]), query), query, base, path
        )
    if len(parts) == 5 and parts[0] == "data" and parts[1] == "kpi" and parts[3] == "year":  # every municipality
        every = [str(m["id"]) for m in dataset.municipalities]
        return 200, _page(_data_records(dataset, _ids(parts[2]), every, _ids(parts[4]), query), query, base, path)
    if (
        len(parts) in (3, 5)
        and parts[0] == "data"
        and parts[1] == "kpi"
        and (len(parts) == 3 or parts[3] == "municipality")
    ):
        # no year segment: every year Kolada has (as the recorded real answers in ../shared/reference show)
        kpis = _ids(parts[2])
        munis = _ids(parts[4]) if len(parts) == 5 else [str(m["id"]) for m in dataset.municipalities]
        years = sorted({str(y) for k, _m, y in dataset.values if k in kpis})
        return 200, _page(_data_records(dataset, kpis, munis, years, query), query, base, path)
    return 404, {"error": f"unknown path {path}"}


def _data_records(dataset: KoladaDataset, kpis: list[str], munis: list[str], years: list[str], query: dict) -> list:
    """The matching records, rendered lazily: only the requested page's records become JSON dicts (a 37-page
    national query would otherwise build all 181 000 records for every page)."""
    from_date = date.fromisoformat(query["from_date"][0]) if "from_date" in query else None
    years_sorted = sorted({int(y) for y in years})
    values = dataset.values
    keys = []
    for kpi in kpis:
        for muni in munis:
            for year in years_sorted:
                record = values.get((kpi, muni, year))
                if record is None:
                    continue
                if from_date is None and record["deleted"]:
                    continue
                if from_date is not None and record["updated"] < from_date:
                    continue
                keys.append((kpi, muni, year))
    return _LazyRecords(keys, values, from_date is not None)


class _LazyRecords(list):
    """A list of record keys whose slices render Kolada data records."""

    def __init__(self, keys: list, values: dict, incremental: bool):
        super().__init__(keys)
        self._values, self._incremental = values, incremental

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self._render(super().__getitem__(index))
        return [self._render(k) for k in super().__getitem__(index)]

    def _render(self, key: tuple) -> dict:
        kpi, muni, year = key
        record = self._values[key]
        out = {
            "kpi": kpi,
            "municipality": muni,
            "period": year,
            "values": [
                {"gender": sex, "count": 1, "status": "", "value": value} for sex, value in record["values"].items()
            ],
        }
        if self._incremental:
            for v in out["values"]:
                v["isdeleted"] = record["deleted"]
        return out
