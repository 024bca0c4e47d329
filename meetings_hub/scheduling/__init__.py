"""Scheduling logic without I/O: recurrence rules, occurrence expansion, meeting data."""
