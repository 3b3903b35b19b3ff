"""Prefect flows: orchestration only (tasks, retries, events). Parsing lives in transforms/, SQL in warehouse/."""
