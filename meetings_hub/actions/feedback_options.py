"""The choices of the feedback form, as stored codes (texts: web/i18n/feedback.json)."""

from __future__ import annotations

OUTCOMES: tuple[str, ...] = (
    "knowledge",
    "experience_exchange",
    "communication_tools",
    "library_promotion",
    "authorities_image",
    "community_integration",
    "librarians_integration",
    "further_cooperation",
)
ADVANTAGES: tuple[str, ...] = (
    "saved_time",
    "saved_money",
    "fast_information",
    "materials_during_talk",
    "modern_form",
)
DIFFICULTIES: tuple[str, ...] = ("connection", "sound_picture", "unfamiliar_tool", "none", "other")
PLAN_KINDS: tuple[str, ...] = (
    "cultural_trip",
    "workshops",
    "competition",
    "library_night",
    "childrens_theatre",
    "picnic",
    "author_meeting",
    "training",
    "other",
)
# What each plan kind becomes when a lead schedules it (the scheduling form's kinds).
PLAN_MEETING_KIND: dict[str, str] = {"training": "training"}
MAX_PLANS = len(PLAN_KINDS)
MAX_PLAN_TEXT = 200
MAX_COMMENT = 2000
