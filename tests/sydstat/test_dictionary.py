"""The data dictionary is generated from schemas/ and checked in: it must be current and document every column."""

from sydstat.dictionary import (
    DICTIONARY_PATH,
    build_sections,
    render_html,
    render_markdown,
    table_comments,
    undocumented_columns,
    view_comments,
)


def test_checked_in_dictionary_is_current():
    assert DICTIONARY_PATH.read_text(encoding="utf-8") == render_markdown(build_sections()), (
        "docs/data-dictionary.md is stale: run `sydstat dictionary` and commit it"
    )


def test_every_analyst_column_has_a_meaning():
    assert undocumented_columns(build_sections()) == []


def test_dictionary_covers_marts_sources_licences_and_series_breaks():
    text = DICTIONARY_PATH.read_text(encoding="utf-8")
    for name in (
        "municipality_profile",
        "theme_scorecard",
        "sex_gap",
        "indicator_trends",
        "structural_overview",
        "fct_indicator_value",
        "segregation_indices",
        "meta.load_batch",
    ):
        assert f"`{name}`" in text
    assert "Källa: Kolada" in text and "CC0 1.0" in text and "2023: Till och med 2022" in text
    assert "expect_" not in text and "column_values_to_be_in_set(municipality_code" in text


def test_comment_parsers():
    tables, columns = table_comments(
        "-- People.\nCREATE TABLE t (\n    a VARCHAR NOT NULL, -- the a\n    b INT\n);\n"
        "ALTER TABLE t ADD COLUMN c INTEGER;  -- the c\n"
    )
    assert tables == {"t": "People."} and columns == {("t", "a"): "the a", ("t", "c"): "the c"}
    description, view_columns = view_comments(
        "-- A view\n-- on two lines.\nCREATE VIEW v AS SELECT\n    x.y AS z,  -- zed\n    w  -- double-u\nFROM x;"
    )
    assert description == "A view on two lines." and view_columns == {"z": "zed", "w": "double-u"}


def test_html_is_swedish_and_escaped():
    page = render_html(build_sections())
    assert page.startswith("<!DOCTYPE html>") and 'lang="sv"' in page and '<th scope="col">' in page
