-- Per municipality and public-health target area (målområde 1-8): each indicator's value in its reference year (the
-- latest year with values for at least three quarters as many municipalities as its best-covered year, so a year that
-- is only partly published does not become the reference; sex T), its z-score among
-- the region's municipalities, and a direction-aware score (positive = better than the region's mean; NULL for
-- indicators without a direction). target_area_score averages the scores of the area's indicators.
CREATE OR REPLACE VIEW theme_scorecard AS
WITH region_values AS (
    SELECT f.indicator_id, f.municipality_code, p.year, f.value, f.source
    FROM fct_indicator_value f
    JOIN dim_municipality m USING (municipality_code)
    JOIN dim_period p USING (period)
    WHERE m.in_region AND f.sex = 'T' AND p.period_type = 'year' AND f.value IS NOT NULL AND isfinite(f.value)
),
reference_year AS (
    SELECT indicator_id, max(year) AS year
    FROM (SELECT indicator_id, year, count(*) AS n FROM region_values GROUP BY indicator_id, year
          QUALIFY n >= 0.75 * max(n) OVER (PARTITION BY indicator_id))
    GROUP BY indicator_id
),
scored AS (
    SELECT v.*, i.direction, i.target_area,
        (v.value - avg(v.value) OVER w) / nullif(stddev_pop(v.value) OVER w, 0) AS z_score
    FROM region_values v
    JOIN reference_year USING (indicator_id, year)
    JOIN dim_indicator i USING (indicator_id)
    WHERE i.target_area IS NOT NULL
    WINDOW w AS (PARTITION BY v.indicator_id)
),
directed AS (
    SELECT *, CASE direction WHEN 'higher_is_better' THEN z_score WHEN 'higher_is_worse' THEN -z_score END AS score
    FROM scored
)
SELECT
    d.municipality_code,
    m.municipality_name,
    m.county_name,
    d.target_area,
    t.name_sv AS target_area_name,
    d.indicator_id,
    i.title AS indicator_title,
    i.theme,
    i.unit,
    d.direction,
    d.year,
    d.value,
    d.z_score,  -- (value − region mean) ÷ region standard deviation, that indicator and year
    d.score,  -- z_score turned so that positive is better; NULL when the direction is neutral
    avg(d.score) OVER (PARTITION BY d.municipality_code, d.target_area) AS target_area_score,
    count(d.score) OVER (PARTITION BY d.municipality_code, d.target_area) AS target_area_scored_indicators,
    s.attribution,  -- applies to value
    'Bearbetning: sydstat (underlag: ' || s.title || ')' AS derived_attribution  -- z-score and scores
FROM directed d
JOIN dim_municipality m USING (municipality_code)
JOIN dim_indicator i USING (indicator_id)
JOIN dim_target_area t ON t.target_area = d.target_area
JOIN dim_source s ON s.source = d.source;
