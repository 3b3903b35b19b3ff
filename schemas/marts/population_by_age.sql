-- Population on 31 December per municipality, year and sex in the standard age bands (dim_age_group: life stages,
-- the bands indicators use, and the total), with each band's share of the population. One series from two SCB
-- tables: exact to 2024; from 2025 SCB's cell-key noise means bands are sums of noisy single years, and 2025 is
-- flagged as a series break. Bands are sums of single years; 'total' is SCB's published total.
CREATE OR REPLACE VIEW population_by_age AS
WITH single_years AS (
    SELECT p.*, a.age_from AS age
    FROM fct_population p JOIN dim_age_group a USING (age_group)
    WHERE a.band_set = 'year'
),
banded AS (
    SELECT s.municipality_code, s.year, s.sex, b.age_group AS age_band, b.band_set, b.age_from, b.age_to,
           sum(s.persons) AS persons, bool_or(s.ckm_noise) AS ckm_noise
    FROM single_years s
    JOIN dim_age_group b ON b.band_set IN ('life_stage', 'indicator')
        AND s.age >= b.age_from AND (b.age_to IS NULL OR s.age <= b.age_to)
    GROUP BY ALL
    UNION ALL
    SELECT municipality_code, year, sex, 'total', 'total', 0, NULL, persons, ckm_noise
    FROM fct_population WHERE age_group = 'total'
),
with_totals AS (
    SELECT b.*, t.persons AS population
    FROM banded b
    JOIN fct_population t ON t.municipality_code = b.municipality_code AND t.year = b.year AND t.sex = b.sex
        AND t.age_group = 'total'
)
SELECT
    w.municipality_code,
    m.municipality_name,
    m.county_name,
    w.year,
    w.sex,
    w.age_band,  -- dim_age_group code, e.g. '20-64', '80+', 'total'
    w.band_set,  -- life_stage (the six bands partition all ages) | indicator (bands indicators use) | total
    w.age_from,
    w.age_to,  -- NULL = open-ended
    w.persons,
    w.persons / nullif(w.population, 0) AS share_of_population,  -- 0-1
    w.ckm_noise,  -- true from 2025: values carry SCB's cell-key noise
    w.ckm_noise AND NOT coalesce(lag(w.ckm_noise) OVER (PARTITION BY w.municipality_code, w.sex, w.age_band
                                                         ORDER BY w.year), true) AS is_series_break,  -- first CKM year
    s.attribution
FROM with_totals w
JOIN dim_municipality m USING (municipality_code)
JOIN dim_source s ON s.source = 'scb';
