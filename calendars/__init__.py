"""Pure iCalendar package: build feeds and invitations, read uploaded files.

See docs/calendars-format.md for what the files contain and why.
"""
