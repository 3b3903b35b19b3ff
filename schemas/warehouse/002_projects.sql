-- 002: funded projects from registers (ESF+, Tillväxtverket, Kohesio) and where they work.
-- Personal data (contact persons, phones, e-mails) never reaches these tables: readers drop those fields and scrub
-- free text before anything is loaded.

CREATE TABLE dim_fund (
    fund_code  VARCHAR PRIMARY KEY,          -- 'ESF', 'ESF+', 'ERUF', …
    fund_name  VARCHAR NOT NULL
);

CREATE TABLE dim_organisation (
    org_key        VARCHAR PRIMARY KEY,      -- 'org:<10 digits>' or 'name:<normalised name>' when no number is known
    org_number     VARCHAR,                  -- Swedish organisation number, 10 digits, no dash
    org_name       VARCHAR NOT NULL,
    sector         VARCHAR NOT NULL,         -- offentlig | näringsliv | akademi | civilsamhälle | okänd (Pentahelix)
    sector_method  VARCHAR NOT NULL          -- override | org_number | name_pattern | unknown
);

-- SCD2: a newer export that changes a project closes the current row (valid_to, is_current = false) and adds one.
CREATE TABLE dim_project (
    register        VARCHAR NOT NULL,        -- esf_plus | tillvaxtverket | kohesio | esf_projektbanken
    project_id      VARCHAR NOT NULL,        -- diarienummer / ärende-id / operation id, as the register writes it
    name            VARCHAR NOT NULL,
    summary         VARCHAR,                 -- HTML stripped, personal data scrubbed
    programme       VARCHAR,                 -- programområde / priority / insatsområde
    specific_objective VARCHAR,
    phase           VARCHAR,
    fund_code       VARCHAR,
    owner_org_key   VARCHAR,
    region_text     VARCHAR,                 -- the register's own region field, as written
    start_date      DATE,
    end_date        DATE,
    is_synthetic    BOOLEAN NOT NULL DEFAULT false,
    row_hash        VARCHAR NOT NULL,
    valid_from      TIMESTAMP NOT NULL,
    valid_to        TIMESTAMP,
    is_current      BOOLEAN NOT NULL,
    load_id         BIGINT NOT NULL
);

CREATE TABLE fct_project_funding (
    register           VARCHAR NOT NULL,
    project_id         VARCHAR NOT NULL,
    total_budget_sek   DECIMAL(18, 2),
    eu_support_sek     DECIMAL(18, 2),       -- EU/ESF support granted
    total_budget_eur   DECIMAL(18, 2),       -- Kohesio reports euros
    eu_support_eur     DECIMAL(18, 2),       -- only where the source really has it (Tillväxtverket's 0 is not an amount)
    cofinancing_rate   DECIMAL(5, 2),        -- percent
    load_id            BIGINT NOT NULL
);

CREATE TABLE bridge_project_municipality (
    register          VARCHAR NOT NULL,
    project_id        VARCHAR NOT NULL,
    municipality_code VARCHAR NOT NULL,
    coverage          VARCHAR NOT NULL,      -- local | programme_area | national
    named_as          VARCHAR,               -- the name as the register wrote it
    load_id           BIGINT NOT NULL
);

CREATE TABLE bridge_project_organisation (
    register   VARCHAR NOT NULL,
    project_id VARCHAR NOT NULL,
    org_key    VARCHAR NOT NULL,
    role       VARCHAR NOT NULL,             -- owner | partner
    load_id    BIGINT NOT NULL
);
