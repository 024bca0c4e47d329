"""meetings_hub: online meetings, chat rooms, calendars and a savings log for library networks."""

__version__ = "0.1.0"
