-- The latest value per indicator, sex and municipality of the region, ranked among the municipalities with a value that
-- year (1 = best where the catalogue gives a direction, else 1 = highest), with county and region averages of the same
-- year (unweighted means over municipalities) and the change over five years.
CREATE OR REPLACE VIEW municipality_profile AS
WITH region_values AS (
    SELECT f.indicator_id, f.municipality_code, m.county_code, f.sex, p.year, f.period, f.value, f.source, i.direction
    FROM fct_indicator_value f
    JOIN dim_municipality m USING (municipality_code)
    JOIN dim_period p USING (period)
    JOIN dim_indicator i USING (indicator_id)
    WHERE m.in_region AND f.value IS NOT NULL AND isfinite(f.value)
),
compared AS (
    SELECT *,
        rank() OVER (PARTITION BY indicator_id, sex, year
                     ORDER BY CASE WHEN direction = 'higher_is_worse' THEN value ELSE -value END) AS rank_in_region,
        count(*) OVER (PARTITION BY indicator_id, sex, year) AS municipalities_ranked,
        avg(value) OVER (PARTITION BY indicator_id, sex, year, county_code) AS county_average,
        avg(value) OVER (PARTITION BY indicator_id, sex, year) AS region_average
    FROM region_values
),
latest AS (
    SELECT * FROM compared
    QUALIFY row_number() OVER (PARTITION BY indicator_id, municipality_code, sex ORDER BY year DESC) = 1
)
SELECT
    l.municipality_code,
    m.municipality_name,
    m.county_code,
    m.county_name,
    l.indicator_id,
    i.title AS indicator_title,
    i.topic,
    i.theme,
    i.unit,
    i.direction,
    l.sex,
    l.year,
    l.period,
    l.value,
    l.rank_in_region,
    l.municipalities_ranked,
    l.county_average,
    l.region_average,
    earlier.value AS value_5_years_earlier,
    l.value - earlier.value AS change_5_years,
    i.series_break_year,
    coalesce(i.series_break_year > l.year - 5 AND i.series_break_year <= l.year, false) AS change_crosses_series_break,
    s.attribution,  -- applies to value
    'Bearbetning: sydstat (underlag: ' || s.title || ')' AS derived_attribution  -- rank, averages and change
FROM latest l
JOIN dim_municipality m USING (municipality_code)
JOIN dim_indicator i USING (indicator_id)
JOIN dim_source s ON s.source = l.source
LEFT JOIN region_values earlier
       ON earlier.indicator_id = l.indicator_id AND earlier.municipality_code = l.municipality_code
      AND earlier.sex = l.sex AND earlier.year = l.year - 5;
