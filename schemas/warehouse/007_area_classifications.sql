-- 007: the area population by more than background. Each SCB area table classifies a population one way — foreign or
-- Swedish background, birth region, economic standard, education level, labour-market status — so a row is now
-- (area, year, sex, age group, classification, population group) → persons, and every classification has its own
-- 'total' (the populations differ: education counts 25-64-year-olds, labour-market status 20-64).

-- The groups of each classification, in reading order; `is_total` marks the classification's own total, `derived`
-- the groups sydstat computes from a published share (SCB publishes the share with low economic standard, not a count).
CREATE TABLE dim_population_group (
    classification   VARCHAR NOT NULL,   -- background | birth_region | economic_standard | education_level | labour_market_status
    population_group VARCHAR NOT NULL,
    sort_order       INTEGER NOT NULL,
    is_total         BOOLEAN NOT NULL,
    derived          BOOLEAN NOT NULL,
    description      VARCHAR NOT NULL,
    PRIMARY KEY (classification, population_group)
);
INSERT INTO dim_population_group VALUES
    ('background', 'utländsk', 1, false, false, 'utländsk bakgrund: född utomlands, eller i Sverige med två utrikes födda föräldrar'),
    ('background', 'svensk', 2, false, false, 'svensk bakgrund: född i Sverige med minst en inrikes född förälder'),
    ('background', 'total', 9, true, false, 'alla invånare'),
    ('birth_region', 'född i Sverige', 1, false, false, 'född i Sverige'),
    ('birth_region', 'född i Norden utom Sverige', 2, false, false, 'född i övriga Norden'),
    ('birth_region', 'född i EU utom Norden', 3, false, false, 'född i EU utom Norden'),
    ('birth_region', 'född i Europa utom EU och Norden', 4, false, false, 'född i övriga Europa'),
    ('birth_region', 'född i Afrika', 5, false, false, 'född i Afrika'),
    ('birth_region', 'född i Asien', 6, false, false, 'född i Asien'),
    ('birth_region', 'född i övriga världen', 7, false, false, 'född i Nord- och Sydamerika eller Oceanien'),
    ('birth_region', 'total', 9, true, false, 'alla invånare'),
    ('economic_standard', 'låg ekonomisk standard', 1, false, true,
     'disponibel inkomst per konsumtionsenhet under 60 % av medianen i riket (SCB:s andel × antal personer, avrundat)'),
    ('economic_standard', 'ej låg ekonomisk standard', 2, false, true, 'övriga: antal personer minus de med låg ekonomisk standard'),
    ('economic_standard', 'total', 9, true, false, 'personer i hushåll med beräknad ekonomisk standard'),
    ('education_level', 'förgymnasial', 1, false, false, 'högst förgymnasial utbildning (SUN 2000: 1-2)'),
    ('education_level', 'gymnasial', 2, false, false, 'gymnasial utbildning (SUN 2000: 3-4)'),
    ('education_level', 'eftergymnasial < 3 år', 3, false, false, 'eftergymnasial utbildning kortare än 3 år (SUN 2000: 5)'),
    ('education_level', 'eftergymnasial ≥ 3 år', 4, false, false, 'eftergymnasial utbildning 3 år eller längre, inkl. forskarutbildning (SUN 2000: 6-7)'),
    ('education_level', 'uppgift saknas', 5, false, false, 'utbildningsnivå okänd'),
    ('education_level', 'total', 9, true, false, 'alla i åldersgruppen'),
    ('labour_market_status', 'sysselsatt', 1, false, false, 'sysselsatt (förvärvsarbetande) enligt BAS'),
    ('labour_market_status', 'arbetslös', 2, false, false, 'arbetslös enligt BAS'),
    ('labour_market_status', 'utanför arbetskraften', 3, false, false, 'varken sysselsatt eller arbetslös'),
    ('labour_market_status', 'total', 9, true, false, 'alla i åldersgruppen');

ALTER TABLE fct_area_population RENAME COLUMN background TO population_group;
ALTER TABLE fct_area_population ADD COLUMN classification VARCHAR DEFAULT 'background';  -- how the population is divided: background | birth_region | economic_standard | education_level | labour_market_status (dim_population_group)
ALTER TABLE fct_area_population ADD COLUMN age_group VARCHAR DEFAULT 'total';  -- the population counted: 'total' (all ages), '25-64' (education level), '20-64' (labour-market status)
ALTER TABLE fct_area_population ALTER COLUMN classification DROP DEFAULT;
ALTER TABLE fct_area_population ALTER COLUMN age_group DROP DEFAULT;
ALTER TABLE fct_area_population ALTER COLUMN classification SET NOT NULL;
ALTER TABLE fct_area_population ALTER COLUMN age_group SET NOT NULL;  -- dim_age_group: 'total', '25-64', '20-64'
-- last: DuckDB refuses to alter a table with updates outstanding in the same transaction
UPDATE fct_area_population SET classification = 'birth_region' WHERE population_group LIKE 'född i %';
