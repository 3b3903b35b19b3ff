"""What a file handed to sydstat is (`sydstat ingest FILE`, the inbox): an SCB area file (the DeSO→RegSO key, RegSO
area types) or a project register, recognised by content. `preflight` reads a register file once before any flow
starts, so a file that cannot be read is refused in well under a second, with the reason."""

from __future__ import annotations

import re
from pathlib import Path

from sources.registers import ZIP_MAGIC, UnreadableFile, decode_text, read_register_file

# The columns of SCB's DeSO 2018 → RegSO 2020 key file.
KEY_COLUMNS = {"kommun", "kommunnamn", "deso_2018", "regso_2020", "regsokod_2020"}


def sniff(text: str) -> str | None:
    """'deso_regso_key', 'regso_area_types' or None (not an area file)."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    cells = [c.strip().strip('"').lower() for c in first.split(",")]
    if KEY_COLUMNS <= set(cells):
        return "deso_regso_key"
    if cells and cells[0] == "" and len(cells) > 1 and all(re.fullmatch(r"\d{4}", c) for c in cells[1:] if c):
        return "regso_area_types"
    return None


def file_kind(path: Path) -> str:
    """'deso_regso_key', 'regso_area_types' or 'register' (the register reader then decides or refuses)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(ZIP_MAGIC):  # an .xlsx: only registers come as workbooks
        return "register"
    try:
        text, _ = decode_text(head)
    except (UnicodeDecodeError, UnreadableFile):
        return "register"  # the register reader then decides, or refuses with the reason
    return sniff(text) or "register"


def preflight(path: Path) -> str:
    """The file's kind, after reading a register file through (UnreadableFile with the reason if it cannot be)."""
    kind = file_kind(path)
    if kind == "register":
        read_register_file(path)
    return kind
