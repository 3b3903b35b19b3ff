"""Personal data in a register file never reaches the warehouse, the quarantine, Parquet, the console or log output,
Prefect's database, the validation reports or the report (issue 15 #3). One hostile file, every place scanned.

The raw archive keeps the original file (owner-only, for reproducible rebuilds): it is the one place excluded. A
person's name inside free text (a summary saying "ring Berit") is not found by any pattern and is not tested here; the
contact-person columns are dropped by the reader."""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "esf_plus_sample.csv"

# Every form the issue found leaking, and the sample's contact person.
PII = [
    "anna.svensson@example.se",
    "anna(at)example.se",
    "+46 (0)40-123 45 67",
    "040–12 34 56",
    "070.123.45.67",
    "19850101-1234",
    "850101-1234",
    "198501011234",
    "Kontakt Exempelsson",
    "Berit Kontaktsdotter",
]
LITERALS = [re.compile(re.escape(p)) for p in PII]
# any e-mail address or personnummer at all: for what sydstat writes (third-party files, such as Prefect's block
# schemas with their example addresses, are scanned for the file's own personal data only)
PII_PATTERNS = [*LITERALS, re.compile(r"[\w.+-]+@[\w-]+\.[a-z]{2,}"), re.compile(r"\b(19|20)?\d{6}[-+]\d{4}\b")]


def hostile_register(path: Path) -> None:
    with open(SAMPLE, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, body = rows[0], rows[1:]
    col = {name.split(" / ")[0]: i for i, name in enumerate(header)}
    row = body[1]
    row[col["Diarienummer"]] = "SYNT-2016-0001 850101-1234"
    row[col["Namn på insatsen"]] = "Unga vuxna, kontakt anna(at)example.se"
    row[col["Stödmottagare"]] = "Anna Svensson 19850101-1234 (enskild firma)"
    row[col["Projektägare organisationsnummer"]] = "198501011234"
    row[col["Sammanfattning"]] = (
        "Ring +46 (0)40-123 45 67, 040–12 34 56 eller 070.123.45.67; mejla anna.svensson@example.se."
    )
    row[col["Kommun"]] = "Landskrona kommun, Ingenstans 850101-1234"  # an unknown name: quarantined as named
    row[col["Kontaktperson"]] = "Berit Kontaktsdotter, 070.123.45.67"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([header, *body])


def scan(text: str, where: str, patterns=PII_PATTERNS) -> None:
    found = [p.pattern for p in patterns if p.search(text)]
    assert not found, f"personal data in {where}: {found}"


def test_no_personal_data_anywhere(tmp_path):
    home, prefect_home = tmp_path / "home", tmp_path / "prefect"
    env = {
        **os.environ,
        "SYDSTAT_HOME": str(home),
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_LOGGING_LEVEL": "DEBUG",
        "SYDSTAT_KOLADA_URL": "http://127.0.0.1:9/unreachable",
    }
    register = tmp_path / "esf_hostile.csv"
    hostile_register(register)
    outputs = []
    for args in (["--verbose", "ingest", str(register)], ["--verbose", "ingest", str(register)], ["report"]):
        done = subprocess.run(
            [sys.executable, "-m", "sydstat", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout + done.stderr)
    scan("\n".join(outputs), "the console and log output")

    for db in (home / "warehouse.duckdb", home / "work" / "warehouse.duckdb"):
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM meta.quarantine").fetchone()[0] >= 1  # the unknown name
            columns = con.execute(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE data_type IN ('VARCHAR', 'JSON') AND table_catalog = current_database()"
            ).fetchall()
            for schema, table, column in columns:
                values = con.execute(
                    f'SELECT DISTINCT "{column}"::VARCHAR FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
                ).fetchall()
                scan("\n".join(v for (v,) in values), f"{db.name} {schema}.{table}.{column}")
            # a sole trader's personnummer is not an org. number: only that it was a sole trader is kept
            assert con.execute("SELECT org_number FROM dim_organisation WHERE org_name LIKE 'enskild%'").fetchall() == [
                (None,)
            ]
        finally:
            con.close()
    for parquet in (home / "parquet").resolve().rglob("*.parquet"):
        rows = duckdb.sql(f"SELECT * FROM read_parquet('{parquet}')").fetchall()
        scan("\n".join("|".join(map(str, r)) for r in rows), str(parquet))
    assert (home / "reports" / "site" / "index.html").is_file() and (prefect_home / "prefect.db").is_file()
    for folder in (home / "reports", prefect_home):  # GX Data Docs and the report (reports/site), Prefect's DB
        for path in (p for p in folder.rglob("*") if p.is_file()):
            scan(path.read_bytes().decode("utf-8", errors="ignore"), str(path), LITERALS)
