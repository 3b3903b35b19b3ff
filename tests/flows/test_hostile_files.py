"""Files as users (and attackers) hand them to `sydstat ingest` (issue 15 #6): a real .xlsx loads; a zip bomb, an
oversized file and too many records are refused before they are inflated or parsed; HTML never becomes live
markup and a formula never a live formula; a file name with a newline or ANSI escapes cannot forge output."""

import io
import zipfile

import pandas as pd
import pytest

from core.config import PROJECT_ROOT
from sources import registers
from sydstat.cli import main
from tests.conftest import published

pytestmark = pytest.mark.integration

SAMPLE = PROJECT_ROOT / "samples" / "esf_plus_sample.csv"


def sample_frame() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, sep=None, engine="python", dtype=str, encoding="utf-8-sig")


def test_a_real_xlsx_loads_through_ingest(home, tmp_path, capsys):
    path = tmp_path / "esf.xlsx"
    sample_frame().to_excel(path, index=False)
    assert main(["ingest", str(path)]) == 0
    assert "recognised as esf_plus" in capsys.readouterr().out
    assert published("SELECT count(*) FROM dim_project")[0][0] == len(sample_frame())


def test_a_zip_bomb_is_refused_before_it_is_inflated(home, tmp_path, capsys):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (registers.MAX_XLSX_INFLATED_BYTES + 1))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 2_000_000
    assert main(["ingest", str(path)]) == 1
    assert "zip bomb" in capsys.readouterr().err


def test_an_oversized_file_is_refused_before_reading(home, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(registers, "MAX_FILE_BYTES", 1000)
    assert main(["ingest", str(SAMPLE)]) == 1
    assert "refused before reading" in capsys.readouterr().err


def test_too_many_records_are_refused(home, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(registers, "MAX_RECORDS", 2)
    assert main(["ingest", str(SAMPLE)]) == 1
    assert "is more than 2" in capsys.readouterr().err


def test_markup_and_formulas_are_neutralised_everywhere(home, tmp_path):
    frame = sample_frame()
    name_column = next(c for c in frame.columns if c.startswith("Namn på insatsen"))
    frame.loc[0, name_column] = "&lt;script&gt;alert(1)&lt;/script&gt;Hälsa"
    frame.loc[1, name_column] = '=HYPERLINK("http://evil.example","klicka")'
    path = tmp_path / "hostile.csv"
    frame.to_csv(path, sep=";", index=False)
    assert main(["ingest", str(path)]) == 0
    names = [r[0] for r in published("SELECT name FROM dim_project")]
    assert not any("<" in n or ">" in n for n in names)
    assert any(n.startswith("'=HYPERLINK") for n in names)
    assert not any(n.startswith(("=", "+", "-", "@")) for n in names)


def test_a_file_name_cannot_forge_a_line_or_an_escape(home, tmp_path, capsys):
    path = tmp_path / "esf\n2026-12-04 INFO all good\x1b[31m.csv"
    path.write_bytes(SAMPLE.read_bytes())
    assert main(["ingest", str(path)]) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert "\x1b" not in text
    assert not any(line.startswith("2026-12-04 INFO all good") for line in text.splitlines())
