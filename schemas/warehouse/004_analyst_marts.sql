-- 004: what the analyst marts need from the catalogue: series-break years, one headline indicator per topic, and the
-- public-health policy's eight target areas (målområden, 2018) the scorecard groups indicators by.

ALTER TABLE dim_indicator ADD COLUMN series_break_year INTEGER;  -- first year of a new definition (trends flag it)
ALTER TABLE dim_indicator ADD COLUMN is_headline BOOLEAN DEFAULT false;  -- the topic's key figure in overviews

CREATE TABLE dim_target_area (
    target_area INTEGER PRIMARY KEY CHECK (target_area BETWEEN 1 AND 8),  -- målområde number
    name_sv     VARCHAR NOT NULL                                           -- the policy's Swedish name
);
INSERT INTO dim_target_area VALUES
    (1, 'Det tidiga livets villkor'),
    (2, 'Kunskaper, kompetenser och utbildning'),
    (3, 'Arbete, arbetsförhållanden och arbetsmiljö'),
    (4, 'Inkomster och försörjningsmöjligheter'),
    (5, 'Boende och närmiljö'),
    (6, 'Levnadsvanor'),
    (7, 'Kontroll, inflytande och delaktighet'),
    (8, 'En jämlik och hälsofrämjande hälso- och sjukvård');
