"""Extraction: HTTP clients and file readers, one module per upstream, on one shared HTTP layer (`sources.http`)."""
