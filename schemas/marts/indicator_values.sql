-- The flat analyst view: one row per value with every label an analyst needs, and the attribution to show with it.
CREATE OR REPLACE VIEW indicator_values AS
SELECT
    f.municipality_code,
    m.municipality_name,
    m.county_code,
    m.county_name,
    p.year,
    f.period,
    f.indicator_id,
    i.title AS indicator_title,
    i.topic,
    i.theme,
    i.unit,
    f.sex,
    f.value,
    f.source,
    s.attribution
FROM fct_indicator_value f
JOIN dim_municipality m USING (municipality_code)
JOIN dim_indicator i USING (indicator_id)
JOIN dim_period p USING (period)
JOIN dim_source s ON s.source = f.source;
