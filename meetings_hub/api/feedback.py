"""Feedback after a session date: the one-click form's data and its answer (public, by token)."""

from __future__ import annotations

from meetings_hub.actions import feedback
from meetings_hub.api.routing import ApiRoutes, Call

routes = ApiRoutes()
TAG = "feedback"


@routes.route(
    "GET",
    "/feedback/{token}",
    summary="The feedback form of an emailed (or room card) link: the date and my answer",
    response=feedback.FeedbackFormView,
    tag=TAG,
    public=True,
)
async def get_feedback(call: Call) -> feedback.FeedbackFormView:
    return await feedback.form(call.hub, call.request.match_info["token"])


@routes.route(
    "PUT",
    "/feedback/{token}",
    summary="Give or change my feedback on one date (open 7 days after it)",
    body=feedback.FeedbackInput,
    response=feedback.FeedbackFormView,
    tag=TAG,
    public=True,
)
async def put_feedback(call: Call) -> feedback.FeedbackFormView:
    return await feedback.submit(call.hub, call.request.match_info["token"], call.body)
