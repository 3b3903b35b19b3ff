"""sydstat: the open data warehouse for social sustainability in Sydsverige (Skåne + Blekinge)."""

__version__ = "0.1.0"
