"""Timetable file formats: our CSV (read and written) and XHSTT (read)."""
