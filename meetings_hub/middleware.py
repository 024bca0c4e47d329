"""Request middlewares: the one error shape, who is asking, CSRF, security headers."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web

from meetings_hub import auth
from meetings_hub.actions import session
from meetings_hub.domain import Actor
from meetings_hub.errors import AppError, error_body
from meetings_hub.keys import actor_key, csrf_token_key, hub_key

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "mh_session"
CSRF_COOKIE = "mh_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Engine.IO's long-polling POSTs carry their own session id and are authenticated on connect.
CSRF_EXEMPT_PREFIXES = ("/socket.io/",)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
}


def wants_json(request: web.Request) -> bool:
    path = request.path
    return (
        path.startswith(("/api/", "/healthz", "/feeds/", "/files/"))
        or "application/json" in request.headers.get("Accept", "")
        or request.method not in SAFE_METHODS
    )


def json_error(status: int, code: str, message: str, details: object = None) -> web.Response:
    return web.json_response(error_body(status, code, message, details), status=status)


async def _html_error(request: web.Request, status: int, message: str) -> web.StreamResponse:
    try:
        response = aiohttp_jinja2.render_template(
            "error.html", request, {"status": status, "message": message}
        )
    except Exception:
        log.exception("error page failed to render")
        return web.Response(status=status, text=message)
    response.set_status(status)
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except AppError as exc:
        if wants_json(request):
            response = web.json_response(exc.to_json(), status=exc.status)
            if exc.status == 429:
                response.headers["Retry-After"] = "60"
            return response
        return await _html_error(request, exc.status, exc.message)
    except web.HTTPRedirection:
        raise
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _STATUS_CODES.get(exc.status, "http_error")
        message = exc.reason if exc.status != 413 else "The request body is too large."
        if wants_json(request):
            return json_error(exc.status, code, message)
        return await _html_error(request, exc.status, message)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_json(request):
            return json_error(500, "internal", "Something went wrong on our side; it was logged.")
        return await _html_error(request, 500, "Something went wrong on our side; it was logged.")


@web.middleware
async def actor_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    hub = request.app[hub_key]
    actor, csrf = await session.load_actor(hub, request.cookies.get(SESSION_COOKIE))
    request[actor_key] = actor
    anon_csrf = request.cookies.get(CSRF_COOKIE)
    new_anon = None
    if csrf is None and not anon_csrf:
        new_anon = anon_csrf = auth.new_token()
    request[csrf_token_key] = csrf or anon_csrf
    response = await handler(request)
    if new_anon and not response.prepared:
        response.set_cookie(
            CSRF_COOKIE,
            new_anon,
            httponly=True,
            samesite="Lax",
            path="/",
            secure=hub.settings.secure_cookies,
        )
    return response


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """State-changing requests carry the CSRF token header and, if any, a same-site Origin."""
    if request.method in SAFE_METHODS or request.path.startswith(CSRF_EXEMPT_PREFIXES):
        return await handler(request)
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        return json_error(403, "csrf_failed", "Cross-site request refused.")
    sent = request.headers.get(CSRF_HEADER, "")
    expected = request[csrf_token_key] or ""
    # Before sign-in, the token is the double-submit cookie; after, it is the session's own.
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        return json_error(
            403,
            "csrf_failed",
            "The security token is missing or out of date. Reload the page and try again.",
        )
    return await handler(request)


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/static/") and response.status < 400:
        headers["Cache-Control"] = _static_cache(request)
    elif response.content_type == "text/html":
        # Pages carry the CSRF token and the signed-in person's data: never from a shared cache.
        headers.setdefault("Cache-Control", "no-store")
    if response.content_type == "text/html":
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
            "script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'; "
            "base-uri 'none'; form-action 'self'",
        )
    return response


def _static_cache(request: web.Request) -> str:
    """Versioned URLs (?v=<hash>, made by the templates) change with the file: cache for a year.

    JS modules import each other without a version (./api.js), so js/ and any unversioned file
    are revalidated on every load (a cheap 304), and an update never leaves old modules behind.
    """
    if "v" in request.query and not request.path.startswith("/static/js/"):
        return "public, max-age=31536000, immutable"
    return "no-cache"


def actor_of(request: web.Request) -> Actor:
    return request[actor_key]


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    hub = request.app[hub_key]
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Lax",
        path="/",
        secure=hub.settings.secure_cookies,
        max_age=hub.settings.session_days * 86400,
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/")
