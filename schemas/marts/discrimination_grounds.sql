-- The seven grounds of discrimination (Diskrimineringslagen 2008:567, SOURCES.md §5) and, for each, which breakdowns the
-- warehouse holds, counted from the loaded data — and, stated plainly, where no open municipal statistics exist.
-- Background and birth region describe where people or their parents were born: they are the closest open
-- statistics come to etnisk tillhörighet, not a measure of it. Nothing is estimated or filled in.
CREATE OR REPLACE VIEW discrimination_grounds AS
WITH grounds(ground_order, ground) AS (
    VALUES (1, 'kön'), (2, 'könsöverskridande identitet eller uttryck'), (3, 'etnisk tillhörighet'),
           (4, 'religion eller annan trosuppfattning'), (5, 'funktionsnedsättning'), (6, 'sexuell läggning'),
           (7, 'ålder')
),
by_sex AS (
    SELECT count(DISTINCT indicator_id) AS indicators FROM fct_indicator_value WHERE sex IN ('K', 'M')
),
by_age AS (
    SELECT (SELECT count(DISTINCT age_group) FROM fct_population) AS municipal_age_groups,
           (SELECT count(DISTINCT age_group) FROM fct_area_population) AS area_age_groups
),
by_origin AS (
    SELECT string_agg(DISTINCT classification, ', ' ORDER BY classification) AS classifications,
           count(*) AS area_rows
    FROM fct_area_population WHERE classification IN ('background', 'birth_region')
)
SELECT
    g.ground_order,                                        -- 1-7, the order of the law
    g.ground,                                              -- the ground of discrimination
    CASE g.ground
        WHEN 'kön' THEN by_sex.indicators > 0
        WHEN 'ålder' THEN by_age.municipal_age_groups + by_age.area_age_groups > 0
        WHEN 'etnisk tillhörighet' THEN by_origin.area_rows > 0
        ELSE false END AS covered,                         -- does the warehouse hold a breakdown for it?
    CASE g.ground
        WHEN 'kön' THEN by_sex.indicators || ' indicators for women and men (fct_indicator_value sex K/M, sex_gap)'
        WHEN 'ålder' THEN by_age.municipal_age_groups || ' age bands per municipality (fct_population, '
             || 'population_by_age), ' || by_age.area_age_groups || ' per area (fct_area_population)'
        WHEN 'etnisk tillhörighet' THEN 'a proxy only: ' || coalesce(by_origin.classifications, 'none loaded')
             || ' per DeSO (fct_area_population, segregation_indices) — where people were born, not ethnicity'
        END AS breakdowns,                                 -- what the warehouse has, counted from the data
    CASE WHEN g.ground IN ('könsöverskridande identitet eller uttryck', 'religion eller annan trosuppfattning',
                           'funktionsnedsättning', 'sexuell läggning')
        THEN 'None of the sources sydstat loads (Kolada, SCB, Folkhälsodata) breaks its municipal figures down '
             || 'by this ground; sydstat does not estimate it.'
        END AS gap_note                                    -- said plainly where open statistics are missing
FROM grounds g, by_sex, by_age, by_origin
ORDER BY g.ground_order;
