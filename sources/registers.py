"""Project register files (ESF+ export, Tillväxtverket project bank JSON, Kohesio country CSV): bytes → raw records.

Recognition is by columns, not by file name, and a file nobody recognises is refused with the columns it has and
the ones each format needs. Encodings: UTF-8 (with or without BOM), else Windows-1252 (Swedish Excel's CSV).
An .xlsx that is really an HTML page (a common "export" from web portals) is refused, not half-read.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from core.records import RegisterFile, header_parts

# Limits on a file a user hands us. The real registers are small (ESF+ 2021-2027: ~2 000 projects; Kohesio's Swedish
# export ~20 000 rows): these are two orders of magnitude above that, and keep one hostile file from taking the
# machine (a valid 1 GB CSV would need ~9 GB as Python records; a zip bomb far more).
MAX_FILE_BYTES = 64_000_000
MAX_XLSX_INFLATED_BYTES = 256_000_000
MAX_RECORDS = 250_000
ZIP_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file cannot be read as any register export; the message says why."""


# What each format must have (any one name of each group).
SIGNATURES: dict[str, list[set[str]]] = {
    "esf_plus": [
        {"diarienummer", "operation id"},
        {"namn på insatsen", "operation name", "projektnamn"},
        {"stödmottagare", "beneficiary", "projektägare"},
    ],
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
            raise UnreadableFile(
                f"not a text export: byte 0x{data[exc.start]:02x} at offset {exc.start} is neither "
                f"UTF-8 nor Windows-1252"
            ) from None
    if "\x00" in text:
        raise UnreadableFile("not a text export: the file contains NUL bytes (binary data, or UTF-16 without a BOM?)")
    return text, encoding


def _records_from_json(text: str) -> list[dict]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"invalid JSON ({exc.msg} at line {exc.lineno}); is the file complete?") from exc
    if isinstance(payload, dict):
        payload = next(
            (v for k, v in payload.items() if k in ("records", "data", "projects", "values") and isinstance(v, list)),
            None,
        )
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
    """The first sheet, streamed (openpyxl read-only), after the zip has been checked not to be a bomb: a 1 MB
    workbook that inflates to gigabytes is refused before a byte of it is inflated."""
    if not data.startswith(ZIP_MAGIC):
        kind = "an HTML page" if b"<html" in data[:2000].lower() else "not a zip container"
        raise UnreadableFile(f"not a real .xlsx file ({kind}); save it again as Excel or CSV")
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(i.file_size for i in archive.infolist())
        if inflated > MAX_XLSX_INFLATED_BYTES:
            raise UnreadableFile(
                f"the .xlsx inflates to {inflated / 1e6:.0f} MB (more than "
                f"{MAX_XLSX_INFLATED_BYTES / 1e6:.0f} MB): refused as a possible zip bomb; "
                f"export it as CSV"
            )
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [None if h is None else str(h).strip() for h in next(rows, ())]
        records = []
        for row in rows:
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            if len(records) >= MAX_RECORDS:
                raise UnreadableFile(
                    f"more than {MAX_RECORDS} records: refused (a register export is far smaller; split the file)"
                )
            records.append({h: (None if v is None else str(v)) for h, v in zip(header, row, strict=False) if h})
    except UnreadableFile:
        raise
    except Exception as exc:  # zipfile/openpyxl raise many kinds for broken workbooks
        raise UnreadableFile(f"broken .xlsx: {type(exc).__name__}: {exc}") from exc
    return records


def read_register_file(path: Path) -> RegisterFile:
    size = Path(path).stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"{size / 1e6:.0f} MB is more than a register export can be "
            f"({MAX_FILE_BYTES / 1e6:.0f} MB): refused before reading"
        )
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
    if len(records) > MAX_RECORDS:
        raise UnreadableFile(f"{len(records)} records is more than {MAX_RECORDS}: refused (split the file)")
    columns = list(dict.fromkeys(k for r in records for k in r if k is not None))
    return RegisterFile(detect_format(columns), records, encoding, columns)
