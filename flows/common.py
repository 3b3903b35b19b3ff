"""Tasks every source flow shares: open the work DB, validate a conformed frame, load a batch."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from prefect import task
from prefect.cache_policies import NONE

from sydstat.config import Settings
from sydstat.validation import ValidationOutcome, validate_frame
from warehouse.db import open_work_db
from warehouse.loader import BatchResult, IndicatorBatch, load_indicator_batch

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
    from sydstat.region import region

    return open_work_db(settings.work_db, region(settings).municipality_codes)


@contextmanager
def writer_slot():
    """Hold the global concurrency limit 'sydstat-writer' (limit 1, created by `sydstat serve`): deployed loads queue
    instead of colliding on DuckDB's file lock. Without a server (in-process runs) there is nobody to queue behind,
    and DuckDB's lock still refuses a second writer, so this is a no-op there."""
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        yield
        return
    from prefect.concurrency.sync import concurrency

    with concurrency(WRITER_LIMIT, occupy=1, strict=False):
        yield


@task(name="validate", cache_policy=NONE)
def validate_task(suite: str, frame, parameters: dict, settings: Settings) -> ValidationOutcome:
    return validate_frame(suite, frame, parameters, settings.reports_dir)


@task(name="load", cache_policy=NONE)
def load_task(con, batch: IndicatorBatch) -> BatchResult:
    return load_indicator_batch(con, batch)
