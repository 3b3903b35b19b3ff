"""The nightly run: every API source of the catalogue (`run.flow`, in `run.order`), each in its own batch (one
failing source never blocks the others), then one publish. Deployed by prefect.yaml at 02:00 Europe/Stockholm."""

from __future__ import annotations

import uuid

from prefect import flow, get_run_logger

from core.config import load_settings
from flows.common import RunIncomplete, writer_slot
from flows.files import rebuild_files
from flows.publish import publish_work_db
from flows.registry import source_flows


@flow(name="nightly")
def nightly(full: bool = False, offline: bool = False, allow_deletions: bool = False) -> dict:
    """Every source in turn (offline: each rebuilt from its raw archive, then every loaded file), then one publish."""
    with writer_slot():  # one writer from the first source to the publish
        return _nightly(full, offline, allow_deletions)


def _nightly(full: bool, offline: bool, allow_deletions: bool) -> dict:
    logger = get_run_logger()
    run_id = uuid.uuid4().hex[:12]
    results, failures = {}, []
    for name, ingest in source_flows().items():
        try:
            results[name] = ingest(
                full=full, publish=False, run_id=f"{run_id}-{name}", offline=offline, allow_deletions=allow_deletions
            )
        except RunIncomplete as exc:  # some of its tables failed; the others loaded
            results[name] = exc.summaries[0]
            failures += exc.failures
        except Exception as exc:
            logger.error("%s failed: %s", name, exc)
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    if offline:  # files too (area files, registers), from their archived copies, in the order first loaded
        try:
            results["files"] = {
                "source": "files",
                "run_id": run_id,
                "warnings": [],
                "batches": [b for s in rebuild_files() for b in s["batches"]],
            }
        except RunIncomplete as exc:
            results["files"] = {
                "source": "files",
                "run_id": run_id,
                "warnings": [],
                "batches": [b for s in exc.summaries for b in s["batches"]],
            }
            failures += exc.failures
    published = publish_work_db(load_settings(), run_id)
    if failures:
        raise RunIncomplete(list(results.values()), failures)
    return {"run_id": run_id, "sources": results, "published": published}
