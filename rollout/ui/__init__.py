"""The only part of the package that imports streamlit: shared widgets, cached reads, chart glue."""
