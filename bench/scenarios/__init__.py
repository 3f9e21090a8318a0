"""The four scenarios of BENCHMARKS.md, each a function returning plain data for the report."""
