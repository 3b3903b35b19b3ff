-- 001: the star schema for indicator values and the run metadata (schema meta).
-- Conventions: municipality codes are 4-character strings; sex is T/K/M; a missing value is NULL, never 0.
-- Primary keys only on small dimensions (PK indexes slow bulk loads ~3-4×); fact uniqueness is a GX expectation.

CREATE SCHEMA IF NOT EXISTS meta;

CREATE TABLE dim_source (
    source        VARCHAR PRIMARY KEY,      -- 'kolada', 'scb', 'fohm', …
    title         VARCHAR NOT NULL,
    url           VARCHAR,
    licence       VARCHAR,
    attribution   VARCHAR NOT NULL,         -- e.g. 'Källa: Kolada' — shown next to every figure from this source
    is_synthetic  BOOLEAN NOT NULL DEFAULT false,  -- true when the data is the generated offline demo sample
    updated_at    TIMESTAMP
);

CREATE TABLE dim_municipality (
    municipality_code VARCHAR PRIMARY KEY CHECK (regexp_full_match(municipality_code, '\d{4}')),
    municipality_name VARCHAR NOT NULL,
    county_code       VARCHAR NOT NULL,
    county_name       VARCHAR,
    kommungrupp       VARCHAR,              -- SKR municipality group, where known
    in_region         BOOLEAN NOT NULL      -- one of the 38 municipalities of Skåne (12) and Blekinge (10)
);

CREATE TABLE dim_sex (
    sex      VARCHAR PRIMARY KEY,
    label_sv VARCHAR NOT NULL,
    label_en VARCHAR NOT NULL
);
INSERT INTO dim_sex VALUES ('T', 'totalt', 'total'), ('K', 'kvinnor', 'women'), ('M', 'män', 'men');

CREATE TABLE dim_period (
    period       VARCHAR PRIMARY KEY,      -- '2024' (a year) or '2019-2022' (a multi-year span)
    year         INTEGER NOT NULL,         -- the year analysts filter on (the last year of a span)
    period_start DATE NOT NULL,
    period_end   DATE NOT NULL,
    period_type  VARCHAR NOT NULL          -- 'year' | 'span'
);

CREATE TABLE dim_indicator (
    indicator_id          VARCHAR PRIMARY KEY, -- Kolada KPI id as published ('N03920'); other sources prefix theirs
    source                VARCHAR NOT NULL,
    source_indicator_id   VARCHAR NOT NULL,
    title                 VARCHAR,
    description           VARCHAR,
    unit                  VARCHAR NOT NULL,    -- percent | count | count_per_population | sek | sek_per_unit | days | years | index | mean | yes_no | other | unknown
    unit_label            VARCHAR,             -- the unit as the source writes it ('andel (%)')
    topic                 VARCHAR NOT NULL,    -- unemployment | segregation | public_health | population | income | education | other
    theme                 VARCHAR,
    target_area           INTEGER CHECK (target_area BETWEEN 1 AND 8),  -- public-health målområde 1-8
    direction             VARCHAR,             -- higher_is_better | higher_is_worse | neutral
    is_divided_by_sex     BOOLEAN,
    municipality_type     VARCHAR,
    is_discontinued       BOOLEAN NOT NULL DEFAULT false,
    discontinued_after    INTEGER,
    last_published_period INTEGER,
    series_break_note     VARCHAR
);

CREATE TABLE fct_indicator_value (
    indicator_id      VARCHAR NOT NULL,
    municipality_code VARCHAR NOT NULL,
    period            VARCHAR NOT NULL,
    sex               VARCHAR NOT NULL,
    value             DOUBLE,              -- NULL when the source publishes no value
    status            VARCHAR,             -- the source's status flag, kept as given
    source            VARCHAR NOT NULL,
    load_id           BIGINT NOT NULL,     -- meta.load_batch that wrote this row
    snapshot_id       VARCHAR              -- meta.raw_snapshot the row was parsed from
);

CREATE SEQUENCE meta.load_id_seq START 1;

CREATE TABLE meta.run (
    run_id      VARCHAR PRIMARY KEY,
    command     VARCHAR,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      VARCHAR NOT NULL,          -- running | succeeded | failed
    message     VARCHAR
);

CREATE TABLE meta.load_batch (
    load_id          BIGINT PRIMARY KEY,
    run_id           VARCHAR,
    source           VARCHAR NOT NULL,
    mode             VARCHAR NOT NULL,     -- full | incremental | offline
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP,
    status           VARCHAR NOT NULL,     -- loaded | unchanged | failed
    rows_received    BIGINT DEFAULT 0,
    rows_inserted    BIGINT DEFAULT 0,
    rows_updated     BIGINT DEFAULT 0,
    rows_deleted     BIGINT DEFAULT 0,
    rows_quarantined BIGINT DEFAULT 0,
    requests_made    INTEGER DEFAULT 0,
    snapshot_ids     VARCHAR[],
    message          VARCHAR
);

CREATE TABLE meta.raw_snapshot (
    snapshot_id  VARCHAR NOT NULL,         -- sha256 of the body; the file is $SYDSTAT_HOME/raw/<source>/objects/…
    load_id      BIGINT NOT NULL,
    source       VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    params       JSON,
    fetched_at   TIMESTAMP,
    http_status  INTEGER,
    content_type VARCHAR,
    n_bytes      BIGINT
);

CREATE TABLE meta.quarantine (
    load_id        BIGINT NOT NULL,
    source         VARCHAR NOT NULL,
    target_table   VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    record         JSON NOT NULL,
    quarantined_at TIMESTAMP NOT NULL,
    resolved       BOOLEAN NOT NULL DEFAULT false  -- set by `sydstat quarantine resolve` (011: resolved_at, resolution)
);

CREATE TABLE meta.source_state (
    source               VARCHAR PRIMARY KEY,
    cursor_from_date     DATE,             -- next incremental run asks for changes since this date
    last_full_refresh_at TIMESTAMP,
    last_success_at      TIMESTAMP,
    last_load_id         BIGINT,
    last_failure_at      TIMESTAMP,
    last_failure_reason  VARCHAR,
    scope_fingerprint    VARCHAR           -- hash of the requested scope; a changed scope forces a full refresh
);
