"""Feedback after a session date (public, by signed token) and the programme report."""

from __future__ import annotations

from aiohttp import web

from meetings_hub.actions import feedback, report, report_csv
from meetings_hub.actions.report import ReportFilters
from meetings_hub.api.routing import ApiRoutes, Call
from meetings_hub.errors import NotFound, ValidationFailed

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


def filters_of(call: Call) -> ReportFilters:
    return report.filters_from_query(call.request.query, report.today(call.hub))


def language(call: Call) -> str:
    return call.actor.person.language.value if call.actor.person else "pl"


@routes.route(
    "GET",
    "/report",
    summary="The programme report (coordinator: every network; lead: hers): ?from=&to="
    "&network_id=&active_after=&months= (docs/report.md)",
    response=report.ReportView,
    tag=TAG,
    errors=(400, 404, 422),
)
async def get_report(call: Call) -> report.ReportView:
    return await report.report(call.hub, call.actor, filters_of(call), language(call))


@routes.route(
    "GET",
    "/report/csv/{table}",
    summary="One table of the programme report as CSV, UTF-8 with BOM (tables: "
    + ", ".join(report_csv.TABLES)
    + "; ?delimiter=semicolon for Excel set to Polish; the report's filters)",
    response=str,
    tag=TAG,
    errors=(400, 404, 422),
    media_type="text/csv",
)
async def get_report_csv(call: Call) -> web.StreamResponse:
    table = call.request.match_info["table"]
    if table not in report_csv.TABLES:
        raise NotFound("Report table not found.", code="unknown_report_table")
    delimiter = {"comma": ",", "semicolon": ";", "": ","}.get(
        call.request.query.get("delimiter", "")
    )
    if delimiter is None:
        raise ValidationFailed(
            "delimiter must be comma or semicolon.", details={"delimiter": "comma or semicolon"}
        )
    lang = language(call)
    view = await report.report(call.hub, call.actor, filters_of(call), lang)
    body = report_csv.csv_of(call.hub, lang, view, table, delimiter=delimiter)
    name = f"raport-{table}-{view.date_from}-{view.date_to}.csv"
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
