"""Register parsing: real-export quirks, privacy, format detection and clear refusals. Pure: no Prefect, no DB."""

import json
from decimal import Decimal

import pandas as pd
import pytest

from sources.registers import UnreadableFile, read_register_file
from transforms import registers as tr

MUNIS = pd.DataFrame(
    [
        ("1280", "Malmö", "12", True),
        ("1282", "Landskrona", "12", True),
        ("1256", "Östra Göinge", "12", True),
        ("1231", "Burlöv", "12", True),
        ("1060", "Olofström", "10", True),
        ("1080", "Karlskrona", "10", True),
        ("1081", "Ronneby", "10", True),
        ("1082", "Karlshamn", "10", True),
        ("1083", "Sölvesborg", "10", True),
        ("0780", "Växjö", "07", False),
    ],
    columns=["municipality_code", "municipality_name", "county_code", "in_region"],
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("4 973 906", Decimal("4973906.00")),
        ("1 234,50", Decimal("1234.50")),
        ("790 680 kr", Decimal("790680.00")),
        ("1.234.567,5", Decimal("1234567.50")),
        ("12,345", Decimal("12345.00")),
        (790680, Decimal("790680.00")),
        ("", None),
        (None, None),
        ("4\u00a0973\u00a0906", Decimal("4973906.00")),
    ],
)
def test_parse_amount(text, expected):
    assert tr.parse_amount(text) == expected


def test_parse_amount_refuses_garbage():
    with pytest.raises(ValueError, match="not an amount"):
        tr.parse_amount("cirka en miljon")


@pytest.mark.parametrize(
    "text, expected", [("90%", 90), ("90,5 %", Decimal("90.5")), (0.9, 90), ("0,9", 90), ("", None)]
)
def test_parse_rate(text, expected):
    assert tr.parse_rate(text) == (Decimal(expected).quantize(Decimal("0.01")) if expected is not None else None)


def test_parse_date_formats():
    assert str(tr.parse_date("2014-01-01")) == "2014-01-01"
    assert str(tr.parse_date("31/08/2022")) == "2022-08-31"
    assert str(tr.parse_date("2021-03-01T00:00:00")) == "2021-03-01"
    with pytest.raises(ValueError):
        tr.parse_date("next spring")


def test_scrub_strips_html_and_personal_data():
    text = "<p>Kontakt: <b>anna.svensson@example.se</b>, tel 070-123 45 67 eller +46 40 12 34 56.</p>&amp; mer"
    out = tr.scrub(text)
    assert "@" not in out and "070" not in out and "+46" not in out and "<" not in out
    assert out.endswith("& mer")


@pytest.mark.parametrize(
    "name", ["Östra Göinge", "ÖstraGöinge", "östra göinge kommun", "ÖSTRA GÖINGE KOMMUN", "Östra-Göinge"]
)
def test_municipality_names_normalise_alike(name):
    assert tr.normalise_name(name) == "östragöinge"


def test_coverage():
    region, counties = {"1280", "1282"}, {"12": {"1280", "1282", "1256", "1231", "1287"}, "10": {"1060"}}
    assert tr.decide_coverage({"1280"}, region, counties, "") == "local"
    assert tr.decide_coverage({"1280", "1282"}, region, counties, "") == "programme_area"
    assert tr.decide_coverage({"1280", "1282", "1256", "1231", "1287"}, {"x"}, counties, "") == "programme_area"
    assert tr.decide_coverage({"1280"}, region, counties, "Hela landet") == "national"


@pytest.mark.parametrize(
    "org, sector, method",
    [
        ({"org_name": "Lunds universitet", "org_number": "2021002114"}, "akademi", "name_pattern"),
        ({"org_name": "Malmö stad", "org_number": "2120001124"}, "offentlig", "org_number"),
        ({"org_name": "Rädda Barnen region syd", "org_number": None}, "civilsamhälle", "name_pattern"),
        ({"org_name": "Exempel AB", "org_number": "5560000000"}, "näringsliv", "org_number"),
        ({"org_name": "Något", "org_number": None}, "okänd", "unknown"),
        ({"org_name": "Hållbar Utveckling Skåne", "org_number": None}, "civilsamhälle", "override"),
    ],
)
def test_pentahelix_classification(org, sector, method):
    assert tr.classify(org, {"hållbarutvecklingskåne": "civilsamhälle"}) == (sector, method)


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


ESF = (
    "\ufeffDiarienummer / Operation ID;Stödmottagare / Beneficiary;"
    "Projektägare organisationsnummer / Beneficiary ID;Namn på insatsen / Operation Name;"
    "Total projektbudget / Total budget SEK;EU-stöd i SEK / EU contribution SEK;"
    "Unionens medfinansieringsgrad / Union co-financing rate;Sammanfattning / Summary;Startdatum / Start date;"
    "Slutdatum / End date;Kommun / Municipality;Kontaktperson / Contact person\n"
    "23-017;Malmö stad;212000-1124;Jobb nu;4 973 906;2 486 953;50%;<p>Mejla kalle@example.org</p>;"
    "2023-01-01;2025-12-31;Malmö kommun, Växjö;Kalle Kontaktsson\n"
)


def test_esf_plus_export(tmp_path):
    file = read_register_file(write(tmp_path, "esf.csv", ESF))
    assert file.format == "esf_plus" and file.encoding == "utf-8"
    out = tr.conform(file, MUNIS)
    project = out.projects.iloc[0]
    assert (project.project_id, project.total_budget_sek, project.cofinancing_rate) == (
        "23-017",
        Decimal("4973906.00"),
        Decimal("50.00"),
    )
    assert "@" not in project.summary and "Kalle" not in json.dumps(project.to_dict(), default=str)
    assert set(out.municipalities.municipality_code) == {"1280", "0780"}  # outside the 38: kept, flagged by dim
    assert out.organisations.org_number.tolist() == ["2120001124"]


def test_tillvaxtverket_json_with_quirks(tmp_path):
    records = [
        {
            "ärende-id": "20201234",
            "stödmottagare": "Exempel AB",
            "beviljat_belopp_sek": "1 000 000",
            "beviljat_belopp_eur": 0,
            "projektnamn": "Test",
            "projektbeskrivning": "Ring 040-123 45 67",
            "projekt_starttid": "2020-01-01",
            "projekt_sluttid": "2021-12-31",
            "projektledare": "Pelle Ledare",
            "telnr": "070-999 99 99",
            "e-post": "pelle@example.se",
            "län": "Skåne",
            "kommuner": "ÖstraGöinge,Landskrona,Atlantis",
            "uppdateringsdatum": "2024-01-01",
            "område": "Skåne-Blekinge",
            "insatsområde": "1",
            "tematiskt_mål": "3",
        }
    ]
    file = read_register_file(write(tmp_path, "tvv.json", json.dumps(records, ensure_ascii=False)))
    assert file.format == "tillvaxtverket"
    out = tr.conform(file, MUNIS)
    project = out.projects.iloc[0]
    assert project.eu_support_eur is None and project.eu_support_sek == Decimal("1000000.00")  # 0 EUR is a quirk
    assert set(out.municipalities.municipality_code) == {"1256", "1282"}
    assert out.problems.reason.tolist() == ["municipality name 'Atlantis' matches no municipality"]
    dumped = json.dumps([out.projects.to_dict("records"), out.problems.to_dict("records")], default=str)
    for pii in ("Pelle", "070-999", "pelle@", "040-123"):
        assert pii not in dumped


def test_kohesio_csv(tmp_path):
    content = (
        "Operation_Unique_Identifier,Operation_Local_Identifier,Operation_Name_Programme_Language,"
        "Operation_Start_Date,Operation_End_Date,Total_Eligible_Expenditure_amount,Project_EU_Budget,"
        "Cofinancing_Rate,Beneficiary_Name,Beneficiary_Local_Identifier,Fund_Name,Programme_Code,NUTS3_Code,"
        "LAU_Labels,Category_Of_Intervention\n"
        "SE_1,2021SE05SFPR001_23-017-S01,Jobb nu,01/01/2023,31/12/2025,500000.50,250000,50,Malmö stad,"
        '2120001124,European Social Fund Plus,2021SE05SFPR001,SE224,"Malmö, Landskrona",134\n'
    )
    out = tr.conform(read_register_file(write(tmp_path, "kohesio.csv", content)), MUNIS)
    project = out.projects.iloc[0]
    assert project.fund_code == "ESF+" and str(project.start_date) == "2023-01-01"
    assert project.total_budget_eur == Decimal("500000.50") and project.total_budget_sek is None
    assert set(out.municipalities.municipality_code) == {"1280", "1282"}


def test_cp1252_csv_is_read(tmp_path):
    file = read_register_file(write(tmp_path, "esf.csv", ESF.replace("\ufeff", ""), encoding="cp1252"))
    assert file.encoding == "cp1252" and tr.conform(file, MUNIS).projects.iloc[0]["name"] == "Jobb nu"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.csv", "", "empty"),
        ("cut.json", '[{"ärende-id": "1", "projektnamn": "x"', "invalid JSON"),
        ("fake.xlsx", "<html><body>Logga in</body></html>", "not a real .xlsx file (an HTML page)"),
        ("other.csv", "a;b;c\n1;2;3\n", "unknown columns ['a', 'b', 'c']"),
        ("utf16-no-bom.csv", ESF.replace("\ufeff", "").encode("utf-16-le"), "NUL bytes"),
        ("header_only.csv", "Diarienummer;Projektnamn;Stödmottagare\n", "no records"),
    ],
)
def test_unreadable_files_are_refused_clearly(tmp_path, name, content, message):
    with pytest.raises(UnreadableFile, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        read_register_file(write(tmp_path, name, content))


def test_real_xlsx(tmp_path):
    frame = pd.read_csv(write(tmp_path, "esf.csv", ESF), sep=";", dtype=str)
    frame.to_excel(tmp_path / "esf.xlsx", index=False)
    file = read_register_file(tmp_path / "esf.xlsx")
    assert file.format == "esf_plus" and tr.conform(file, MUNIS).projects.iloc[0].project_id == "23-017"


def test_utf16_export_with_bom_is_read(tmp_path):
    path = tmp_path / "esf-unicode.csv"
    path.write_bytes(ESF.encode("utf-16"))  # Python writes the BOM, as Excel's "Unicode text" does
    file = read_register_file(path)
    assert file.format == "esf_plus" and file.encoding == "utf-16"


@pytest.mark.parametrize(
    "text",
    [
        "ring +46 (0)40-123 45 67",
        "tel 040–12 34 56",
        "mobil 070.123.45.67",
        "skriv till anna(at)x.se",
        "anna [at] exempel.se",
        "pnr 19850101-1234",
        "pnr 850101-1234",
        "198501011234",
    ],
)
def test_the_scrubber_removes_the_ways_people_write_personal_data(text):
    from transforms.registers import scrub

    out = scrub(text)
    assert not any(ch.isdigit() for ch in out.replace("46", "")) and "@" not in out and "(at)" not in out, out


@pytest.mark.parametrize("text", ["Budget 4 973 906 kr 2024-01-15", "org.nr 212000-9991", "diarienummer 23-017-S01"])
def test_the_scrubber_keeps_amounts_dates_and_organisation_numbers(text):
    from transforms.registers import scrub

    assert scrub(text) == text


def test_entities_are_decoded_before_tags_are_stripped():
    from transforms.registers import scrub

    assert scrub("&lt;script&gt;alert(1)&lt;/script&gt; hej") == "alert(1) hej"


def test_a_sole_traders_personnummer_is_never_kept_as_an_org_number():
    from transforms.registers import is_sole_trader, org_number

    assert org_number("850101-1234") is None and is_sole_trader("850101-1234")
    assert org_number("19850101-1234") is None and is_sole_trader("19850101-1234")
    assert org_number("212000-9991") == "2120009991" and not is_sole_trader("212000-9991")
