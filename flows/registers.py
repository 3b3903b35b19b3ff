"""register-ingest: a file announced by `sydstat.inbox.received` is recognised, loaded, and moved to inbox/done/ or
inbox/failed/ with a reason.

Recognising and loading project registers (ESF+, Tillväxtverket, Kohesio) is the project-registers issue: each
adds a reader to READERS. Until then every file is refused with a reason that says so, and nothing is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from prefect import flow, get_run_logger

from sydstat.config import load_settings
from sydstat.inbox import move_processed, resolve_inbox_file

# format name → (detect(path) -> bool, ingest(path, settings) -> dict)
READERS: dict[str, tuple[Callable[[Path], bool], Callable]] = {}


class UnrecognisedFile(ValueError):
    pass


@flow(name="register-ingest")
def register_ingest(path: str) -> dict:
    logger = get_run_logger()
    settings = load_settings()
    file = resolve_inbox_file(settings.inbox_dir, path)
    try:
        matches = [name for name, (detect, _ingest) in READERS.items() if detect(file)]
        if not matches:
            known = ", ".join(READERS) or "none yet"
            raise UnrecognisedFile(f"no register reader recognises {file.name} (known formats: {known})")
        result = READERS[matches[0]][1](file, settings)
    except Exception as exc:
        moved = move_processed(settings.inbox_dir, file, ok=False, reason=f"{type(exc).__name__}: {exc}")
        logger.error("%s → %s: %s", file.name, moved.parent.name, exc)
        raise
    moved = move_processed(settings.inbox_dir, file, ok=True)
    logger.info("%s loaded as %s → %s", file.name, matches[0], moved)
    return {"file": file.name, "format": matches[0], **result}
