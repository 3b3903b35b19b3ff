"""Tasks every source flow shares: open the work DB, validate a conformed frame, load a batch."""

from __future__ import annotations

import logging
from contextlib import contextmanager, nullcontext

from prefect import task
from prefect.cache_policies import NONE

from core.config import Settings, load_settings
from warehouse.db import open_work_db, writer_lock
from warehouse.loader import Batch, DeletionGuard, load_batch
from warehouse.meta import BatchResult
from warehouse.state import last_full_received
from warehouse.validate import ValidationOutcome, validate_frame

log = logging.getLogger("sydstat.flows")


WRITER_LIMIT = "sydstat-writer"


class RunIncomplete(RuntimeError):
    """A run loaded and published what it could, but some batches (tables, sources) failed: each is recorded in
    meta.load_batch with its reason. Carries the summaries of what did load and one line per failure, so the CLI can
    print both and exit 1, and a deployed flow run ends Failed."""

    def __init__(self, summaries: list[dict], failures: list[str]):
        self.summaries, self.failures = summaries, failures
        super().__init__(f"{len(failures)} failed: " + "; ".join(failures))

    def __reduce__(self):  # picklable with its fields (Prefect may persist a flow's exception)
        return type(self), (self.summaries, self.failures)


def work_db(settings: Settings):
    from core.region import region

    return open_work_db(settings.work_db, region(settings).municipality_codes)


_held = {"depth": 0, "file": None}  # the writer lock is re-entrant within a process (nightly → each source)


@contextmanager
def writer_slot():
    """One writer per home, before anything is touched: an exclusive lock on `work/.writer.lock` (a second `sydstat
    run` waits up to $SYDSTAT_LOCK_WAIT seconds, default 0, then refuses with who holds it), and deployed also the
    global concurrency limit 'sydstat-writer' (limit 1, created by `sydstat serve`), so deployed loads queue instead
    of colliding on DuckDB's file lock. Re-entrant: the nightly holds it across its sources."""
    if _held["depth"]:
        _held["depth"] += 1
        try:
            yield
        finally:
            _held["depth"] -= 1
        return
    from prefect.settings import PREFECT_API_URL

    with writer_lock(load_settings()), _prefect_slot() if PREFECT_API_URL.value() else nullcontext():
        _held["depth"] = 1
        try:
            yield
        finally:
            _held["depth"] = 0


@contextmanager
def _prefect_slot():
    from prefect.concurrency.sync import concurrency

    with concurrency(WRITER_LIMIT, occupy=1, strict=False):
        yield


def source_http(source: str, archive, settings: Settings):
    """The HTTP client of a source run: the archive, the configured rate and the catalogue's cap on one answer's
    size (`load.max_body_mb`; a bigger answer is refused unread)."""
    from core.catalog import load_catalog
    from sources.http import HttpClient

    cap = load_catalog(source).get("load", {}).get("max_body_mb")
    return HttpClient(
        source,
        archive,
        rate_per_second=settings.rate_per_second.get(source),
        max_body_bytes=int(float(cap) * 1_000_000) if cap else None,
    )


def deletion_guard(con, source: str, dataset: str | None, allowed: bool, same_scope: bool = True) -> DeletionGuard:
    """The catalogue's limits for a full refresh of `source` (`load.max_delete_share`, default 5 %;
    `load.min_received_share` of the last full refresh in the same scope, default 50 %)."""
    from core.catalog import load_catalog

    limits = load_catalog(source).get("load", {})
    return DeletionGuard(
        float(limits.get("max_delete_share", 0.05)),
        float(limits.get("min_received_share", 0.5)),
        last_full_received(con, source, dataset) if same_scope else None,
        allowed,
    )


@task(name="validate", cache_policy=NONE)
def validate_task(suite: str, frame, parameters: dict, settings: Settings) -> ValidationOutcome:
    return validate_frame(suite, frame, parameters, settings.reports_dir)


@task(name="load", cache_policy=NONE)
def load_task(con, batch: Batch) -> BatchResult:
    return load_batch(con, batch)
