"""Shared reporting pieces: tabular exports (CSV, XLSX) and accessible SVG charts."""
