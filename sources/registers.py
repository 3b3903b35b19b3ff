"""Project register files (ESF+ export, Tillväxtverket project bank JSON, Kohesio country CSV): bytes → raw records.

Recognition is by columns, not by file name, and a file nobody recognises is refused with the columns it has and
the ones each format needs. Encodings: UTF-8 (with or without BOM), else Windows-1252 (Swedish Excel's CSV).
An .xlsx that is really an HTML page (a common "export" from web portals) is refused, not half-read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path


class UnreadableFile(ValueError):
    """The file cannot be read as any register export; the message says why."""


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


# What each format must have (any one name of each group).
SIGNATURES: dict[str, list[set[str]]] = {
    "esf_plus": [{"diarienummer", "operation id"}, {"namn på insatsen", "operation name", "projektnamn"},
                 {"stödmottagare", "beneficiary", "projektägare"}],
    "tillvaxtverket": [{"ärende-id"}, {"projektnamn"}, {"stödmottagare"}, {"kommuner"}],
    "kohesio": [{"operation_unique_identifier"}, {"operation_name_programme_language"}, {"lau_labels"}],
}


def detect_format(columns: list[str]) -> str:
    present = set().union(*(header_parts(c) for c in columns)) if columns else set()
    for name in ("kohesio", "tillvaxtverket", "esf_plus"):
        if all(group & present for group in SIGNATURES[name]):
            return name
    needs = "; ".join(f"{n}: " + ", ".join(sorted(g)[0] for g in groups) for n, groups in SIGNATURES.items())
    raise UnreadableFile(f"unknown columns {sorted(columns)[:25]} — expected one of the register formats ({needs})")


def decode_text(data: bytes) -> tuple[str, str]:
    """UTF-16 with a BOM (Excel's "Unicode text"), UTF-8 (with or without BOM), else Windows-1252 (what Excel writes
    as CSV); anything else is not a text export."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"not a text export: broken UTF-16 at offset {exc.start}") from None
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252", errors="strict"), "cp1252"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"not a text export: byte 0x{data[exc.start]:02x} at offset {exc.start} is neither "
                                 f"UTF-8 nor Windows-1252") from None
    if "\x00" in text:
        raise UnreadableFile("not a text export: the file contains NUL bytes (binary data, or UTF-16 without a BOM?)")
    return text, encoding


def _records_from_json(text: str) -> list[dict]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"invalid JSON ({exc.msg} at line {exc.lineno}); is the file complete?") from exc
    if isinstance(payload, dict):
        payload = next((v for k, v in payload.items() if k in ("records", "data", "projects", "values")
                        and isinstance(v, list)), None)
    if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
        raise UnreadableFile("JSON is not a list of project records")
    return payload


def _records_from_csv(text: str) -> list[dict]:
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = [r for r in reader if any((v or "").strip() for k, v in r.items() if k is not None)]
    if reader.fieldnames is None:
        raise UnreadableFile("empty CSV (no header row)")
    return rows


def _records_from_xlsx(data: bytes) -> list[dict]:
    if not data.startswith(b"PK\x03\x04"):
        kind = "an HTML page" if b"<html" in data[:2000].lower() else "not a zip container"
        raise UnreadableFile(f"not a real .xlsx file ({kind}); save it again as Excel or CSV")
    import pandas as pd

    try:
        frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for broken workbooks
        raise UnreadableFile(f"broken .xlsx: {exc}") from exc
    frame = frame.dropna(how="all")
    return [{k: (None if v != v else v) for k, v in row.items()} for row in frame.to_dict("records")]


def read_register_file(path: Path) -> RegisterFile:
    data = Path(path).read_bytes()
    if not data.strip():
        raise UnreadableFile("the file is empty")
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        records, encoding = _records_from_xlsx(data), "xlsx"
    else:
        text, encoding = decode_text(data)
        looks_json = text.lstrip()[:1] in ("[", "{")
        records = _records_from_json(text) if suffix == ".json" or looks_json else _records_from_csv(text)
    if not records:
        raise UnreadableFile("the file has a header but no records")
    columns = list(dict.fromkeys(k for r in records for k in r if k is not None))
    return RegisterFile(detect_format(columns), records, encoding, columns)
