"""The one HTTP layer every upstream client uses.

A `requests.Session` with: a timeout on every request, a polite per-host rate limit shared by all threads, bounded
retries with exponential backoff + jitter on 429/5xx/connection errors/unparseable bodies (honouring `Retry-After`),
and archiving of every successful body through the snapshot writer *before* it is parsed.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import urllib3

from core.records import Snapshot
from sources.snapshots import SnapshotArchive

log = logging.getLogger("sydstat.http")

RETRY_STATUSES = {429, 500, 502, 503, 504}
# Sent by sydstat's own replay servers (the demo): the body is invented. No real upstream sends it; its value is kept
# in the snapshot's provenance, so whether data is synthetic follows the data, not the command that loaded it.
SYNTHETIC_HEADER = "X-Sydstat-Synthetic"


class UpstreamError(RuntimeError):
    """An upstream could not give us a usable answer; the message names source, URL and reason."""

    def __init__(self, source: str, url: str, reason: str, status: int | None = None):
        super().__init__(f"{source}: {reason} ({url})")
        self.source, self.url, self.reason, self.status = source, url, reason, status

    def __reduce__(self):
        return type(self), (self.source, self.url, self.reason, self.status)


class RateLimiter:
    """At most `rate` requests per second per host, across threads (a minimum interval between starts)."""

    _per_host: dict[str, RateLimiter] = {}
    _registry_lock = threading.Lock()

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._lock = threading.Lock()
        self._next_start = 0.0

    @classmethod
    def for_host(cls, host: str, rate: float) -> RateLimiter:
        with cls._registry_lock:
            limiter = cls._per_host.get(host)
            if limiter is None or abs(limiter.interval - (1.0 / rate if rate > 0 else 0.0)) > 1e-9:
                limiter = cls._per_host[host] = cls(rate)
            return limiter

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.interval
        if start > now:
            time.sleep(start - now)


class WindowLimiter:
    """At most `calls` request starts in any `window` seconds per host (PxWeb's maxCallsPerTimeWindow/timeWindow),
    shared by every thread and task of the process."""

    _per_host: dict[str, WindowLimiter] = {}
    _registry_lock = threading.Lock()

    def __init__(self, calls: int, window: float):
        self.calls, self.window = max(1, int(calls)), float(window)
        self._lock = threading.Lock()
        self._starts: list[float] = []

    @classmethod
    def for_host(cls, host: str, calls: int, window: float) -> WindowLimiter:
        with cls._registry_lock:
            limiter = cls._per_host.get(host)
            if limiter is None or (limiter.calls, limiter.window) != (max(1, int(calls)), float(window)):
                limiter = cls._per_host[host] = cls(calls, window)
            return limiter

    def wait(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                self._starts = [t for t in self._starts if now - t < self.window]
                if len(self._starts) < self.calls:
                    self._starts.append(now)
                    return
                pause = self.window - (now - self._starts[0])
            time.sleep(max(pause, 0.001))


def _retry_after_seconds(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(header).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


class HttpClient:
    """GET/POST JSON with retries, rate limit and raw archiving. One instance per source per run.

    The class attributes are the defaults for every client (tests shorten the backoff and timeout there).
    """

    rate_per_second: float = 5.0  # Kolada documents no limit; stay polite
    timeout: tuple[float, float] = (5.0, 60.0)  # (connect, read) seconds: between bytes, not for the whole body
    deadline: float = 180.0  # seconds for one request as a whole, connect to last byte (a byte-a-second body ends)
    max_body_bytes: int = 256 * 1024 * 1024  # a bigger answer is refused, not read (Kolada pages are ~2 MB)
    backoff_base: float = 0.5

    def __init__(
        self,
        source: str,
        archive: SnapshotArchive | None = None,
        *,
        rate_per_second: float | None = None,
        timeout: tuple[float, float] | None = None,
        max_attempts: int = 5,
        backoff_base: float | None = None,
        backoff_cap: float = 30.0,
        max_retry_after: float = 120.0,
        session: requests.Session | None = None,
        deadline: float | None = None,
        max_body_bytes: int | None = None,
    ):
        self.source = source
        self.deadline = deadline or type(self).deadline
        self.max_body_bytes = max_body_bytes or type(self).max_body_bytes
        self.archive = archive
        self.rate_per_second = rate_per_second or type(self).rate_per_second
        self.timeout = timeout or type(self).timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base if backoff_base is not None else type(self).backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", "sydstat/0.1 (+https://github.com/sydstat)")
        self.session.headers.setdefault("Accept", "application/json")
        self.sleep = time.sleep  # replaced in tests to keep them fast
        self.window_limiter: WindowLimiter | None = None  # set by clients whose upstream publishes a call window
        self.requests_made = 0
        self.snapshots: list[Snapshot] = []

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)

    def request_json(
        self, method: str, url: str, params: dict | None = None, json_body: Any = None
    ) -> tuple[Any, Snapshot | None]:
        """Send one request (retrying transient failures) and return (parsed JSON, snapshot of the body)."""
        host = requests.utils.urlparse(url).netloc
        limiter = RateLimiter.for_host(host, self.rate_per_second)
        last_reason = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            limiter.wait()
            if self.window_limiter is not None:
                self.window_limiter.wait()
            self.requests_made += 1
            started = time.monotonic()
            try:
                resp = self.session.request(
                    method, url, params=params, json=json_body, timeout=self.timeout, stream=True
                )
            except requests.Timeout:
                last_reason, wait = "timed out", self._backoff(attempt)
            except (
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                last_reason = f"connection failed or body cut short ({type(exc).__name__})"
                wait = self._backoff(attempt)
            else:
                if resp.status_code in RETRY_STATUSES:
                    last_reason = f"HTTP {resp.status_code}"
                    retry_after = _retry_after_seconds(resp.headers.get("Retry-After"))
                    if retry_after is not None and retry_after > self.max_retry_after:
                        raise UpstreamError(
                            self.source,
                            resp.url,
                            f"HTTP {resp.status_code} asking us to wait {retry_after:.0f}s "
                            f"(over the {self.max_retry_after:.0f}s we accept)",
                        )
                    wait = retry_after if retry_after is not None else self._backoff(attempt)
                elif resp.status_code >= 400:
                    raise UpstreamError(
                        self.source, resp.url, f"HTTP {resp.status_code}: {_short_body(resp)}", status=resp.status_code
                    )
                else:
                    try:
                        body = self._read_body(resp, url, started)  # may raise on a truncated chunked body
                        payload = json.loads(body.decode("utf-8-sig"))
                    except (
                        requests.RequestException,
                        urllib3.exceptions.HTTPError,
                        UnicodeDecodeError,
                        ValueError,
                    ) as exc:
                        last_reason = f"unparseable body ({_content_type(resp) or 'no content type'}: {exc})"[:300]
                        wait = self._backoff(attempt)
                    else:
                        snap = None
                        if self.archive is not None:
                            snap = self.archive.write(
                                self.source,
                                resp.url,
                                params,
                                body,
                                resp.status_code,
                                _content_type(resp),
                                synthetic=resp.headers.get(SYNTHETIC_HEADER) == "1",
                            )
                            self.snapshots.append(snap)
                        return payload, snap
            if attempt < self.max_attempts:
                log.warning(
                    "%s: %s on %s; retry %d/%d in %.1fs",
                    self.source,
                    last_reason,
                    url,
                    attempt,
                    self.max_attempts - 1,
                    wait,
                )
                self.sleep(wait)
        raise UpstreamError(self.source, url, f"{last_reason} after {self.max_attempts} attempts")

    def _read_body(self, resp: requests.Response, url: str, started: float) -> bytes:
        """The body, within the request's overall deadline and the size cap: a server that drips a byte a second,
        or sends 200 MB, is cut off with a clear error (not retried: it would do the same again)."""
        declared = int(resp.headers.get("Content-Length") or 0)
        if declared > self.max_body_bytes:
            resp.close()
            raise UpstreamError(
                self.source,
                url,
                f"answer of {declared} bytes is over the cap of {self.max_body_bytes} bytes; refused unread",
            )
        chunks, size = [], 0
        while chunk := resp.raw.read1(65536, decode_content=True):  # what has arrived, not a full 64 KiB block
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_body_bytes:
                resp.close()
                raise UpstreamError(self.source, url, f"answer over the cap of {self.max_body_bytes} bytes; refused")
            if time.monotonic() - started > self.deadline:
                resp.close()
                raise UpstreamError(
                    self.source,
                    url,
                    f"answer not complete within the {self.deadline:.0f} s deadline ({size} bytes so far); refused",
                )
        return b"".join(chunks)

    def get_json(self, url: str, params: dict | None = None) -> tuple[Any, Snapshot | None]:
        return self.request_json("GET", url, params=params)


def _content_type(resp: requests.Response) -> str:
    return resp.headers.get("Content-Type", "").split(";")[0].strip()


def _short_body(resp: requests.Response) -> str:
    text = resp.text.strip().replace("\n", " ")
    return text[:200] if text else resp.reason or "no body"
