-- 003: small areas (DeSO, RegSO), their socio-economic area type, population by area, segregation indices.

CREATE TABLE dim_area (
    area_code         VARCHAR PRIMARY KEY,   -- DeSO '1280C1010' (grid 2018) or RegSO '1280R001' (grid 2020)
    area_level        VARCHAR NOT NULL,      -- DeSO | RegSO
    grid_version      INTEGER NOT NULL,
    area_name         VARCHAR,               -- RegSO have names; DeSO do not
    municipality_code VARCHAR NOT NULL,
    regso_code        VARCHAR                -- the RegSO a DeSO lies in (a RegSO points to itself)
);

CREATE TABLE fct_area_type (
    area_code               VARCHAR NOT NULL,   -- RegSO
    year                    INTEGER NOT NULL,
    socioeconomic_area_type INTEGER CHECK (socioeconomic_area_type BETWEEN 1 AND 5),  -- SCB/Delmos områdestyp
    load_id                 BIGINT NOT NULL
);

CREATE TABLE fct_area_population (
    area_code   VARCHAR NOT NULL,
    year        INTEGER NOT NULL,
    sex         VARCHAR NOT NULL,            -- T/K/M
    background  VARCHAR NOT NULL,            -- population group: 'utländsk' | 'svensk' | 'total' (UtlBakgrund), or a birth region ('född i Asien', …)
    persons     BIGINT,
    source      VARCHAR NOT NULL,
    load_id     BIGINT NOT NULL
);

CREATE TABLE segregation_indices (
    municipality_code VARCHAR NOT NULL,
    year              INTEGER NOT NULL,
    grouping          VARCHAR NOT NULL,      -- 'foreign_vs_swedish_background' | 'birth_region'
    area_unit         VARCHAR NOT NULL,      -- DeSO | RegSO
    dissimilarity     DOUBLE,                -- D, 0-1
    isolation         DOUBLE,                -- xPx
    exposure          DOUBLE,                -- xPy
    entropy_index     DOUBLE,                -- Theil's H, 0-1
    areas             INTEGER,
    population        BIGINT,
    group_share       DOUBLE,
    load_id           BIGINT NOT NULL
);
