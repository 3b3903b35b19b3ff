"""The record types every layer shares: how a batch was asked for (LoadMode), an archived snapshot's provenance, a
register file as read, the header folding both the register reader and its transform use, and a file name made safe
to show."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class LoadMode(StrEnum):
    """How a batch was asked for: the one set of words for it in meta.load_batch.mode, the flows and the CLI."""

    FULL = "full"  # everything in the catalogue's scope; what the source no longer serves is deleted
    INCREMENTAL = "incremental"  # changes since the cursor (Kolada), or tables changed since their last load
    OFFLINE = "offline"  # rebuilt from the raw archive, no network
    FILE = "file"  # a file a user handed over (`sydstat ingest`, the inbox)

    @classmethod
    def asked(cls, full: bool, offline: bool) -> LoadMode:
        """The mode a run's flags ask for (`--offline` wins over `--full`)."""
        return cls.OFFLINE if offline else cls.FULL if full else cls.INCREMENTAL


@dataclass(frozen=True)
class Snapshot:
    """Provenance of one archived response body."""

    snapshot_id: str  # sha256 of the body
    source: str
    url: str
    params: dict = field(default_factory=dict)
    fetched_at: str = ""
    status: int = 200
    content_type: str = ""
    n_bytes: int = 0
    synthetic: bool = False  # the body is invented demo data (the replay said so, or a demo sample file)


@dataclass
class RegisterFile:
    format: str  # esf_plus | tillvaxtverket | kohesio
    records: list[dict]
    encoding: str
    columns: list[str]


def header_key(name: str) -> str:
    """'Diarienummer / Operation ID' → 'diarienummer / operation id' (case and spacing folded)."""
    return re.sub(r"\s+", " ", str(name).replace("\ufeff", "")).strip().lower()


def header_parts(name: str) -> set[str]:
    """A bilingual header answers to each of its halves: {'diarienummer', 'operation id', 'diarienummer / …'}."""
    key = header_key(name)
    return {key, *(part.strip() for part in key.split(" / "))}


def safe_name(name: str | Path, limit: int = 120) -> str:
    """A file name fit for a log line or a message: control characters (a newline forging a log line, ANSI escapes
    recolouring a terminal) shown escaped, and long names cut."""
    text = Path(name).name if isinstance(name, Path) else str(name)
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
