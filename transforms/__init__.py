"""Pure transforms: raw payloads → tidy DataFrames in conformed columns. No I/O, no Prefect, no SQL."""
