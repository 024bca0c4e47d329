"""A small route table that knows each endpoint's request and response types.

Handlers stay thin; this module decodes and validates the body with msgspec, renders the result
with msgspec, and generates the OpenAPI 3.1 document from the same types — never hand-written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
from aiohttp import web

from meetings_hub.actions.validate import MAX_INT, parse_int
from meetings_hub.domain import Actor
from meetings_hub.errors import BadRequest, TooLarge, UnsupportedMediaType, ValidationFailed
from meetings_hub.hub import Hub
from meetings_hub.keys import actor_key, hub_key


@dataclass
class Call:
    request: web.Request
    hub: Hub
    actor: Actor
    body: Any = None

    def int_param(self, name: str) -> int:
        """An id from the path: a whole number from 1 to 2**63 - 1, else 400."""
        raw = self.request.match_info[name]
        value = parse_int(raw, low=1)
        if value is None:
            raise BadRequest(f"{name} must be a whole number in range.", details={name: raw[:40]})
        return value

    def query_int(self, name: str, *, low: int = 0, high: int = MAX_INT) -> int | None:
        """An optional whole number from the query string (None when absent), else 400."""
        raw = self.request.query.get(name)
        if raw is None or raw == "":
            return None
        value = parse_int(raw, low=low, high=high)
        if value is None:
            raise BadRequest(
                f"{name} must be a whole number from {low} to {high}.", details={name: raw[:40]}
            )
        return value


ApiHandler = Callable[[Call], Awaitable[Any]]


@dataclass
class Endpoint:
    method: str
    path: str
    handler: ApiHandler
    summary: str
    body: type | None = None
    response: Any = None
    status: int = 200
    tag: str = "general"
    public: bool = False
    errors: tuple[int, ...] = ()
    # What a 2xx answer is; not JSON only for exports (e.g. text/csv), which the handler
    # answers itself with a web.Response.
    media_type: str = "application/json"


@dataclass
class ApiRoutes:
    prefix: str = "/api/v1"
    endpoints: list[Endpoint] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        body: type | None = None,
        response: Any = None,
        status: int = 200,
        tag: str = "general",
        public: bool = False,
        errors: tuple[int, ...] = (),
        media_type: str = "application/json",
    ) -> Callable[[ApiHandler], ApiHandler]:
        def register(handler: ApiHandler) -> ApiHandler:
            self.endpoints.append(
                Endpoint(
                    method,
                    self.prefix + path,
                    handler,
                    summary,
                    body,
                    response,
                    status,
                    tag,
                    public,
                    errors,
                    media_type,
                )
            )
            return handler

        return register

    def install(self, app: web.Application) -> None:
        for endpoint in self.endpoints:
            app.router.add_route(endpoint.method, endpoint.path, _wrap(endpoint))


def decode_body(raw: bytes, kind: type) -> Any:
    if not raw.strip():
        raise BadRequest("The request body is empty; send a JSON object.", code="empty_body")
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as exc:
        raise ValidationFailed(str(exc), details=_field_of(str(exc))) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(
            f"The request body is not valid JSON: {exc}", code="malformed_json"
        ) from None


def _field_of(message: str) -> dict[str, str]:
    # msgspec says e.g. "Expected `str`, got `int` - at `$.name`"; forms want {"name": ...}.
    if " - at `$." in message:
        text, _, where = message.rpartition(" - at `$.")
        return {where.rstrip("`").split(".")[0].split("[")[0]: text}
    if message.startswith("Object missing required field `"):
        name = message.split("`")[1]
        return {name: "This field is required."}
    if message.startswith("Object contains unknown field `"):
        name = message.split("`")[1]
        return {name: "Unknown field."}
    return {}


def render(result: Any, status: int) -> web.Response:
    if result is None:
        return web.Response(status=204 if status == 200 else status)
    return web.Response(
        body=msgspec.json.encode(result), status=status, content_type="application/json"
    )


def _wrap(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        hub = request.app[hub_key]
        call = Call(request=request, hub=hub, actor=request[actor_key])
        if endpoint.body is not None:
            if request.content_length and request.content_length > hub.settings.max_json_bytes:
                raise TooLarge(f"The request body is over {hub.settings.max_json_bytes} bytes.")
            if request.content_type not in ("application/json", ""):
                raise UnsupportedMediaType("Send the body as application/json.")
            call.body = decode_body(await request.read(), endpoint.body)
        result = await endpoint.handler(call)
        if isinstance(result, web.StreamResponse):
            return result
        return render(result, endpoint.status)

    return handle
