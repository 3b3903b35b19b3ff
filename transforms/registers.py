"""Register records → conformed project frames. Pure: no I/O, no Prefect, no SQL.

Every format is first mapped onto one canonical project record (CANONICAL), then the shared rules apply: amounts
("4 973 906", "1 234,50 kr"), rates ("90%"), dates (ISO or dd/mm/yyyy), HTML stripped, personal data dropped and
scrubbed from free text, municipality names resolved (with or without spaces or "kommun", any case), coverage decided,
partners classified into Pentahelix sectors.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pandas as pd

from core.records import RegisterFile, header_parts

# Columns that hold personal data: never read past the reader.
PII_COLUMNS = {
    "kontaktperson",
    "contact person",
    "projektledare",
    "telnr",
    "telefon",
    "phone",
    "e-post",
    "epost",
    "email",
    "e-mail",
    "mobil",
}

CANONICAL = [
    "project_id",
    "name",
    "summary",
    "programme",
    "specific_objective",
    "phase",
    "fund",
    "owner_name",
    "owner_org_number",
    "region_text",
    "start_date",
    "end_date",
    "total_budget_sek",
    "eu_support_sek",
    "total_budget_eur",
    "eu_support_eur",
    "cofinancing_rate",
    "municipalities",
    "partners",
    "period",
    "synthetic",
    "county",
    "owner_city",
    "project_id_fallback",
    "currency",
]

# canonical field → the header names (or halves of bilingual headers) that carry it, per format
FIELD_MAP: dict[str, dict[str, set[str]]] = {
    "esf_plus": {
        "project_id": {"diarienummer", "operation id"},
        "name": {"namn på insatsen", "operation name", "projektnamn"},
        "summary": {"sammanfattning", "summary"},
        "programme": {"programområde", "priority"},
        "specific_objective": {"specifikt mål", "specific objective concerned"},
        "phase": {"projektfas", "phase"},
        "fund": {"eu-fond", "eu fund"},
        "owner_name": {"stödmottagare", "beneficiary", "projektägare"},
        "owner_org_number": {"projektägare organisationsnummer", "beneficiary id"},
        "region_text": {"region"},
        # the real export has no municipality column (SOURCES.md §4): the owner's town is its only place
        "owner_city": {"projektägare ort", "beneficiary city"},
        "start_date": {"startdatum", "start date"},
        "end_date": {"slutdatum", "end date"},
        "period": {"projektperiod", "project period"},
        "total_budget_sek": {"total projektbudget", "total budget sek"},
        "eu_support_sek": {"eu-stöd i sek", "eu contribution sek", "beviljat esf-stöd"},
        "cofinancing_rate": {"unionens medfinansieringsgrad", "union co-financing rate"},
        "municipalities": {"kommun", "kommuner", "municipality", "municipalities"},
        "partners": {"samarbetspartners", "partners"},
        "synthetic": {"syntetisk", "synthetic"},
    },
    "tillvaxtverket": {
        "project_id": {"ärende-id"},
        "name": {"projektnamn"},
        "summary": {"projektbeskrivning"},
        "programme": {"insatsområde"},
        "specific_objective": {"tematiskt_mål"},
        "region_text": {"område"},
        "owner_name": {"stödmottagare"},
        "start_date": {"projekt_starttid"},
        "end_date": {"projekt_sluttid"},
        "eu_support_sek": {"beviljat_belopp_sek"},
        "eu_support_eur": {"beviljat_belopp_eur"},
        "municipalities": {"kommuner"},
        "county": {"län"},
        "synthetic": {"syntetisk"},
    },
    "kohesio": {
        "project_id": {"operation_local_identifier"},
        "project_id_fallback": {"operation_unique_identifier"},
        "currency": {"total_eligible_expenditure_currency"},
        "name": {"operation_name_programme_language"},
        "summary": {"operation_summary_programme_language"},
        "fund": {"fund_name"},
        "programme": {"programme_code"},
        "specific_objective": {"category_of_intervention"},
        "owner_name": {"beneficiary_name"},
        "owner_org_number": {"beneficiary_local_identifier"},
        "start_date": {"operation_start_date"},
        "end_date": {"operation_end_date"},
        "total_budget_eur": {"total_eligible_expenditure_amount"},
        "eu_support_eur": {"project_eu_budget"},
        "cofinancing_rate": {"cofinancing_rate"},
        "municipalities": {"lau_labels"},
        "region_text": {"nuts3_code"},
        "synthetic": {"syntetisk"},
    },
}

# e-mail, also written 'anna(at)x.se' / 'anna [at] x.se'
_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+", re.I)
# Swedish phone numbers in the ways people write them: '+46 (0)40-123 45 67', '040–12 34 56', '070.123.45.67'
_PHONE = re.compile(r"(?<![\d\w])(?:\+46\s*(?:\(0\))?|0046|0)[\s\-–.]*\d(?:[\s\-–.()/]*\d){5,10}(?!\d)")
# personnummer: (19|20)YYMMDD-NNNN or YYMMDD-NNNN (also '+' or no separator); a valid month and day make it one
_PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[-+]?\d{4}(?!\d)")
_TAG = re.compile(r"<[^>]+>")


def scrub(text: str | None) -> str | None:
    """The one scrubber of register text (every text field, ids included, before anything is stored or logged):
    HTML entities decoded *then* tags stripped (so '&lt;script&gt;' never becomes a live tag), e-mail addresses,
    phone numbers and personnummer removed, and a leading = + - @ neutralised with an apostrophe (OWASP's rule for
    CSV injection: a name like '=HYPERLINK(…)' must not become a live formula in a spreadsheet opening the export)."""
    if text is None or (isinstance(text, float) and text != text):
        return None
    text = _TAG.sub(" ", html.unescape(_TAG.sub(" ", str(text))))
    text = _EMAIL.sub("[e-post borttagen]", text)
    text = _PERSONNUMMER.sub("[personnummer borttaget]", text)
    text = _PHONE.sub("[telefonnummer borttaget]", text)
    text = re.sub(r"\s+", " ", text).strip()
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return text or None


def parse_amount(value) -> Decimal | None:
    """'4 973 906' / '1 234,50 kr' / '1.234.567,5' / 790680 → Decimal; empty → None; garbage → ValueError."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    text = re.sub(r"(?i)\s*(kr|sek|eur|€)\.?\s*$", "", str(value).strip()).replace("\u00a0", " ").replace(" ", "")
    if not text or text in ("-", "–"):
        return None
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if len(text.rsplit(",", 1)[1]) != 3 else text.replace(",", "")
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None


def parse_rate(value) -> Decimal | None:
    """'90%' / '90,5 %' / 0.9 / '0,9' → percent as Decimal (a fraction ≤ 1 is read as a share)."""
    amount = parse_amount(str(value).replace("%", "")) if value not in (None, "") else None
    if amount is None:
        return None
    return amount * 100 if amount <= 1 and "%" not in str(value) else amount


def parse_date(value) -> date | None:
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return None
    text = str(value).strip()[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {value!r}")


def split_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in re.split(r"[,;|\n]", str(value)) if p.strip()]


def normalise_name(name: str) -> str:
    """'Östra Göinge kommun' / 'ÖstraGöinge' / 'östra göinge' → 'östragöinge'; 'Malmö stad' → 'malmö'."""
    text = str(name).lower().strip()
    text = re.sub(r"\s+(kommun|stad|municipality)$", "", text)
    return re.sub(r"[\s\-]+", "", text)


def canonical_records(file: RegisterFile) -> list[dict]:
    """Map a file's records onto CANONICAL field names; personal-data columns are dropped here."""
    mapping = FIELD_MAP[file.format]
    column_for: dict[str, str] = {}
    for column in file.columns:
        parts = header_parts(column)
        if parts & PII_COLUMNS:
            continue
        for field, names in mapping.items():
            if parts & names and field not in column_for:
                column_for[field] = column
    out = []
    for record in file.records:
        row = {field: record.get(column_for[field]) if field in column_for else None for field in CANONICAL}
        out.append(row)
    return out


@dataclass
class ConformedRegister:
    projects: pd.DataFrame  # one row per project
    municipalities: pd.DataFrame  # project × municipality code with coverage
    organisations: pd.DataFrame  # org_key, org_number, org_name (sector decided by `classify`)
    project_organisations: pd.DataFrame  # project × org_key × role
    problems: pd.DataFrame  # record-level problems: project_id, reason, record
    unplaced: pd.DataFrame | None = None  # projects loaded without any municipality link, with the reason


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def org_number(value) -> str | None:
    """A Swedish organisation number as ten digits; None when absent, malformed, or a personnummer (a sole trader's
    'org. number' is the owner's personnummer: personal data, never kept — see `is_sole_trader`)."""
    digits = re.sub(r"\D", "", str(value or ""))
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if len(digits) == 12 and digits[:2] in ("19", "20"):
        digits = digits[2:]
    if len(digits) != 10 or is_sole_trader(digits):
        return None
    return digits


def is_sole_trader(value) -> bool:
    """An org. number whose first six digits form a date of birth is a personnummer: the number of a sole trader
    (enskild näringsidkare). Real organisation numbers have a month of 20 or more."""
    digits = re.sub(r"\D", "", str(value or ""))
    digits = digits[2:] if len(digits) == 12 else digits
    return len(digits) == 10 and bool(_PERSONNUMMER.fullmatch(digits))


def org_key(number: str | None, name: str) -> str:
    return f"org:{number}" if number else f"name:{normalise_name(name)}"


def conform(file: RegisterFile, municipalities: pd.DataFrame, synthetic_default: bool = False) -> ConformedRegister:
    """`municipalities`: dim_municipality (code, name, county_code, in_region) to resolve names against."""
    by_name = {
        normalise_name(n): c
        for c, n in zip(municipalities.municipality_code, municipalities.municipality_name, strict=True)
    }
    county_members = municipalities.groupby("county_code").municipality_code.apply(set).to_dict()
    region = set(municipalities.loc[municipalities.in_region, "municipality_code"])
    register = file.format
    projects, munis, orgs, project_orgs, problems = [], [], [], [], []
    unplaced: list[dict] = []
    for raw in canonical_records(file):
        project_id = scrub(_text(raw["project_id"]) or _text(raw["project_id_fallback"]))  # Kohesio: may be empty
        name = scrub(raw["name"])
        try:
            start, end = parse_date(raw["start_date"]), parse_date(raw["end_date"])
            if raw["period"] and not start:
                first, _, last = str(raw["period"]).replace("–", " - ").partition(" - ")
                start, end = parse_date(first.strip()), parse_date(last.strip())
            eur = parse_amount(raw["eu_support_eur"])
            if register == "tillvaxtverket" and eur == 0:
                eur = None  # a known quirk of the project bank: 0 means "not given", not zero euros
            amounts = {
                "total_budget_sek": parse_amount(raw["total_budget_sek"]),
                "eu_support_sek": parse_amount(raw["eu_support_sek"]),
                "total_budget_eur": parse_amount(raw["total_budget_eur"]),
                "eu_support_eur": eur,
                "cofinancing_rate": parse_rate(raw["cofinancing_rate"]),
            }
            amounts = in_currency(amounts, raw["currency"])
        except ValueError as exc:
            problems.append({"project_id": project_id, "reason": str(exc), "record": _safe_record(raw)})
            continue
        if not project_id or not name:
            problems.append({"project_id": project_id, "reason": "no project id or name", "record": _safe_record(raw)})
            continue
        owner_name = scrub(raw["owner_name"]) or "okänd stödmottagare"
        owner_number = org_number(raw["owner_org_number"])
        if is_sole_trader(raw["owner_org_number"]):  # keep only that it was a sole trader, not who
            owner_name = "enskild näringsidkare (personuppgifter borttagna)"
        owner = org_key(owner_number, owner_name)
        orgs.append({"org_key": owner, "org_number": owner_number, "org_name": owner_name})
        project_orgs.append({"register": register, "project_id": project_id, "org_key": owner, "role": "owner"})
        partner_keys = []
        for partner in split_list(raw["partners"]):
            partner = scrub(partner)
            key = org_key(None, partner)
            partner_keys.append(key)
            orgs.append({"org_key": key, "org_number": None, "org_name": partner})
            project_orgs.append({"register": register, "project_id": project_id, "org_key": key, "role": "partner"})
        names = split_list(raw["municipalities"])
        codes = {}
        for named in names:
            code = by_name.get(normalise_name(named))
            if code is None:
                problems.append(
                    {
                        "project_id": project_id,
                        "reason": f"municipality name {scrub(named)!r} matches no municipality",
                        "record": {"project_id": project_id, "named_as": scrub(named)},
                    }
                )
            else:
                codes.setdefault(code, named)
        coverage = decide_coverage(set(codes), region, county_members, raw["region_text"])
        if not names:  # no municipality list: the owner's town places the project (weaker: owner_location)
            town = _text(raw["owner_city"])
            code = by_name.get(normalise_name(town)) if town else None
            if code is not None:
                codes, coverage = {code: town}, "owner_location"
            else:
                unplaced.append(
                    {
                        "project_id": project_id,
                        "town": town,
                        "reason": (
                            "no municipality list, and the owner's town matches no municipality"
                            if town
                            else "no municipality list and no owner's town"
                        ),
                    }
                )
        munis += [
            {
                "register": register,
                "project_id": project_id,
                "municipality_code": c,
                "coverage": coverage,
                "named_as": scrub(n),
            }
            for c, n in codes.items()
        ]
        synthetic = str(raw["synthetic"] or "").strip().lower() in ("ja", "yes", "true", "1") or synthetic_default
        project = {
            "register": register,
            "project_id": project_id,
            "name": name,
            "summary": scrub(raw["summary"]),
            "programme": scrub(raw["programme"]),
            "specific_objective": scrub(raw["specific_objective"]),
            "phase": scrub(raw["phase"]),
            "fund_code": fund_code(raw["fund"], register),
            "owner_org_key": owner,
            "region_text": scrub(raw["region_text"] or raw["county"]),
            "start_date": start,
            "end_date": end,
            "is_synthetic": synthetic,
            **amounts,
            "municipality_codes": sorted(codes),
            "partner_keys": sorted(partner_keys),
        }
        project["row_hash"] = hashlib.sha256(json.dumps(project, sort_keys=True, default=str).encode()).hexdigest()
        projects.append(project)
    projects_frame = pd.DataFrame(projects)
    if not projects_frame.empty:  # exact duplicates (same project listed twice, identically) count once
        projects_frame = projects_frame.drop_duplicates(subset=["register", "project_id", "row_hash"])
    org_frame = pd.DataFrame(orgs, columns=["org_key", "org_number", "org_name"]).drop_duplicates("org_key")
    return ConformedRegister(
        projects=projects_frame,
        municipalities=pd.DataFrame(
            munis, columns=["register", "project_id", "municipality_code", "coverage", "named_as"]
        ).drop_duplicates(["register", "project_id", "municipality_code"]),
        organisations=org_frame,
        project_organisations=pd.DataFrame(
            project_orgs, columns=["register", "project_id", "org_key", "role"]
        ).drop_duplicates(),
        problems=pd.DataFrame(problems, columns=["project_id", "reason", "record"]),
        unplaced=pd.DataFrame(unplaced, columns=["project_id", "town", "reason"]),
    )


def in_currency(amounts: dict, currency) -> dict:
    """Kohesio names its currency (`Total_Eligible_Expenditure_Currency`): SEK amounts go to the SEK columns, EUR
    stays EUR — never converted. Another currency is refused (the row is quarantined with the reason)."""
    code = (_text(currency) or "").upper()
    if code in ("", "EUR"):
        return amounts
    if code != "SEK":
        raise ValueError(f"amounts in currency {code!r}: only SEK and EUR are stored, never converted")
    return {
        **amounts,
        "total_budget_sek": amounts["total_budget_eur"],
        "eu_support_sek": amounts["eu_support_eur"],
        "total_budget_eur": None,
        "eu_support_eur": None,
    }


def _safe_record(raw: dict) -> dict:
    """A problem record for meta.quarantine: canonical fields only (no PII columns exist there), text scrubbed."""
    return {k: scrub(v) if isinstance(v, str) else v for k, v in raw.items() if v is not None}


def decide_coverage(codes: set[str], region: set[str], county_members: dict[str, set[str]], region_text) -> str:
    """local: a few named municipalities; programme_area: the whole region or a whole county; national: the country.
    (owner_location — only the owner's town is known — is decided by `conform`: never counted as local work.)"""
    text = str(region_text or "").lower()
    if len(codes) >= 100 or any(w in text for w in ("hela landet", "hela sverige", "nationell", "national")):
        return "national"
    if codes and (region <= codes or any(len(m) >= 5 and m <= codes for m in county_members.values())):
        return "programme_area"
    return "local"


FUNDS = {
    "esf+": "ESF+",
    "europeiska socialfonden+": "ESF+",
    "esf plus": "ESF+",
    "esf": "ESF",
    "europeiska socialfonden": "ESF",
    "eruf": "ERUF",
    "erdf": "ERUF",
    "regionalfonden": "ERUF",
    "europeiska regionala utvecklingsfonden": "ERUF",
    "european regional development fund": "ERUF",
    "european social fund plus": "ESF+",
    "european social fund": "ESF",
    "jtf": "FRO",
    "fonden för en rättvis omställning": "FRO",
    "just transition fund": "FRO",
}
DEFAULT_FUND = {"esf_plus": "ESF+", "tillvaxtverket": "ERUF", "kohesio": None}


def fund_code(value, register: str) -> str | None:
    text = (_text(value) or "").lower()
    return FUNDS.get(text, _text(value).upper() if _text(value) else DEFAULT_FUND.get(register))


SECTORS = ("offentlig", "näringsliv", "akademi", "civilsamhälle")
_ACADEMIC = re.compile(r"universitet|högskola|institutionen för|university|forskningsinstitut|\bRISE\b", re.I)
_PATTERNS = [
    (
        "civilsamhälle",
        re.compile(
            r"förening|förbund|stiftelse|nätverk|rädda barnen|röda korset|kyrka|studieförbund|"
            r"folkuniversitet|folkhögskola|samordningsförbund|coompanion|ideell",
            re.I,
        ),
    ),
    (
        "offentlig",
        re.compile(
            r"kommun|region |^region|länsstyrelse|arbetsförmedling|försäkringskassa|förvaltning|"
            r"sektion|regional utveckling|myndighet|polis|stad$",
            re.I,
        ),
    ),
    ("näringsliv", re.compile(r"\bAB\b|aktiebolag|coopers|consult|\bHB\b|\bKB\b|företag|\bab$", re.I)),
]


def classify(org: dict, overrides: dict[str, str]) -> tuple[str, str]:
    """(sector, method) for an organisation: override list > academic name > org-number form > name pattern."""
    name = org.get("org_name") or ""
    number = org.get("org_number") if isinstance(org.get("org_number"), str) else None
    if normalise_name(name) in overrides:
        return overrides[normalise_name(name)], "override"
    if number and number in overrides:
        return overrides[number], "override"
    if _ACADEMIC.search(name) and not _PATTERNS[0][1].search(name):
        return "akademi", "name_pattern"
    if number:
        form = {"2": "offentlig", "5": "näringsliv", "7": "civilsamhälle", "8": "civilsamhälle", "9": "näringsliv"}
        if number[0] in form:
            return form[number[0]], "org_number"
    for sector, pattern in _PATTERNS:
        if pattern.search(name):
            return sector, "name_pattern"
    return "okänd", "unknown"
