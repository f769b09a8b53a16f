"""The published co-teaching: its weekly calendar events and the pairs' joint planning time."""
