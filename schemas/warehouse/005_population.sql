-- 005: population by municipality, age and sex (SCB's classic table to 2024 + its CKM successor from 2025) and the
-- age-group dimension that every age-specific figure joins.

CREATE TABLE dim_age_group (
    age_group VARCHAR PRIMARY KEY,       -- '0' … '99', '100+' (single years), 'total', or a band such as '16-64'
    age_from  INTEGER NOT NULL,
    age_to    INTEGER,                   -- NULL = open-ended ('100+', '80+', 'total')
    band_set  VARCHAR NOT NULL,          -- year | total | life_stage (a partition of all ages) | indicator (bands used by indicators)
    label_sv  VARCHAR NOT NULL
);
INSERT INTO dim_age_group
SELECT age::VARCHAR, age, age, 'year', age || ' år' FROM range(100) t(age);
INSERT INTO dim_age_group VALUES
    ('100+', 100, NULL, 'year', '100+ år'),
    ('total', 0, NULL, 'total', 'totalt, samtliga åldrar'),
    ('0-5', 0, 5, 'life_stage', 'förskoleålder 0-5 år'),
    ('6-15', 6, 15, 'life_stage', 'grundskoleålder 6-15 år'),
    ('16-19', 16, 19, 'life_stage', 'gymnasieålder 16-19 år'),
    ('20-64', 20, 64, 'life_stage', 'arbetsför ålder 20-64 år'),
    ('65-79', 65, 79, 'life_stage', '65-79 år'),
    ('80+', 80, NULL, 'life_stage', '80 år och äldre'),
    ('16-24', 16, 24, 'indicator', 'unga 16-24 år (arbetslöshet)'),
    ('16-64', 16, 64, 'indicator', '16-64 år (arbetslöshet)'),
    ('25-64', 25, 64, 'indicator', '25-64 år (utbildningsnivå)'),
    ('65+', 65, NULL, 'indicator', '65 år och äldre');

CREATE TABLE fct_population (
    municipality_code VARCHAR NOT NULL,
    year              INTEGER NOT NULL,   -- population on 31 December
    sex               VARCHAR NOT NULL,   -- T/K/M
    age_group         VARCHAR NOT NULL,   -- a single year or 'total' (dim_age_group)
    persons           BIGINT,
    source_table      VARCHAR NOT NULL,   -- the SCB table the row came from (TAB638 to 2024, TAB6471 from 2025)
    ckm_noise         BOOLEAN NOT NULL,   -- true from 2025: SCB's cell-key noise; totals ≠ sum of parts by a few
    source            VARCHAR NOT NULL,
    load_id           BIGINT NOT NULL
);
