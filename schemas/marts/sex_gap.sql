-- Women (K) beside men (M) per indicator, municipality and period, with the gap and the ratio: the ground of
-- discrimination (kön) the municipal sources break down by. Only periods where both sexes have a value.
CREATE OR REPLACE VIEW sex_gap AS
SELECT
    k.municipality_code,
    m.municipality_name,
    m.county_name,
    m.in_region,
    k.indicator_id,
    i.title AS indicator_title,
    i.topic,
    i.theme,
    i.unit,
    i.direction,
    p.year,
    k.period,
    k.value AS value_women,
    w.value AS value_men,
    k.value - w.value AS gap_women_minus_men,  -- in the indicator's unit (percentage points for percent)
    k.value / nullif(w.value, 0) AS ratio_women_to_men,
    s.attribution  -- applies to the two values; gap and ratio are sydstat's own calculations
FROM fct_indicator_value k
JOIN fct_indicator_value w
  ON w.indicator_id = k.indicator_id AND w.municipality_code = k.municipality_code AND w.period = k.period
 AND w.sex = 'M'
JOIN dim_municipality m ON m.municipality_code = k.municipality_code
JOIN dim_indicator i ON i.indicator_id = k.indicator_id
JOIN dim_period p ON p.period = k.period
JOIN dim_source s ON s.source = k.source
WHERE k.sex = 'K' AND k.value IS NOT NULL AND w.value IS NOT NULL;
