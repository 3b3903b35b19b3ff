"""The bottom layer: settings, the catalogue reader, the region and its municipality seed, the record types every layer
shares. It imports nothing else of the project (the import contract in pyproject.toml checks it)."""
