"""The demo, not the product: replay servers that play Kolada, SCB and Folkhälsodata with a synthetic sample, and
the sample generator. Imported only by the CLI's `demo` and `replay` commands, the benchmark and tests."""
