"""Request middlewares: the one error shape, who is asking, CSRF, security headers."""

from __future__ import annotations

import dataclasses
import functools
import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web

from meetings_hub import auth
from meetings_hub.actions import session
from meetings_hub.domain import Actor
from meetings_hub.errors import AppError, error_body
from meetings_hub.keys import actor_key, csrf_token_key, hub_key
from meetings_hub.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE = "mh_session"
CSRF_COOKIE = "mh_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Engine.IO sends no CSRF token (its handshake, websocket upgrade and long-polling POSTs are
# authenticated by the session cookie on connect): an allowed Origin is its only guard.
CSRF_EXEMPT_PREFIXES = ("/socket.io/",)
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
# A Host header fit to repeat in a header (the CSP): letters, digits, dots, dashes, a port, IPv6.
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")

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


def client_address(request: web.BaseRequest, settings: Settings) -> str:
    """The client's address: the proxy's last X-Forwarded-For entry if trusted, else the
    peer. The login limit counts it and the audit log records it (through ``Actor.client``)."""
    if settings.behind_proxy:
        # The rightmost entry is the one our own proxy appended; the rest the client can forge.
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:100]
    return request.remote or "unknown"


@web.middleware
async def actor_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    hub = request.app[hub_key]
    actor, csrf = await session.load_actor(hub, request.cookies.get(SESSION_COOKIE))
    request[actor_key] = dataclasses.replace(actor, client=client_address(request, hub.settings))
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


def origin_parts(origin: str) -> tuple[str, str] | None:
    """(scheme, host[:port]) of an http(s) origin, lower case, without its scheme's default
    port; None for anything else (``null``, other schemes, user info, a path)."""
    try:
        parts = urlsplit(origin.strip())
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return None
    netloc = parts.netloc.lower()
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in netloc:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    return parts.scheme, netloc.removesuffix(_DEFAULT_PORTS[parts.scheme])


@functools.lru_cache(maxsize=8)
def configured_origins(site_url: str, allowed_origins: str) -> frozenset[tuple[str, str]]:
    """The site's own origin (from ``site_url``) and the configured extra ones."""
    # site_url may name a path; an extra origin is an origin only.
    site = urlsplit(site_url.strip())._replace(path="", query="", fragment="").geturl()
    found = set()
    for raw in [site, *allowed_origins.split(",")]:
        if raw.strip():
            parts = origin_parts(raw)
            if parts is None:
                raise ValueError(f"not an http(s) origin: {raw.strip()!r}")
            found.add(parts)
    return frozenset(found)


def origin_allowed(request: web.Request, origin: str) -> bool:
    """Is ``origin`` this site: the host the request came to, ``site_url`` or a configured
    extra origin? Another port of the same host is another origin (and, for cookies, the same
    site: SameSite=Lax does not keep the session cookie from it)."""
    parts = origin_parts(origin)
    if parts is None:
        return False
    scheme, netloc = parts
    # The request's own host, whatever the scheme: behind a TLS proxy the app sees http.
    host = request.host.lower()
    if netloc in (host, host.removesuffix(_DEFAULT_PORTS.get(scheme, ""))):
        return True
    settings = request.app[hub_key].settings
    return parts in configured_origins(settings.site_url, settings.allowed_origins)


def _refuse_cross_site() -> web.Response:
    return json_error(403, "csrf_failed", "Cross-site request refused.")


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """State-changing requests carry the CSRF token header and, if any, a same-site Origin.

    Socket.io's requests (every method: a websocket upgrade is a GET) need an allowed Origin
    whenever one is sent; browsers send it on every websocket and cross-origin request.
    """
    origin = request.headers.get("Origin")
    if request.path.startswith(CSRF_EXEMPT_PREFIXES):
        if origin is not None and not origin_allowed(request, origin):
            return _refuse_cross_site()
        return await handler(request)
    if request.method in SAFE_METHODS:
        return await handler(request)
    # "null" (a sandboxed frame, some redirects) proves nothing either way: the token decides.
    if origin and origin != "null" and not origin_allowed(request, origin):
        return _refuse_cross_site()
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
        headers.setdefault("Content-Security-Policy", _page_csp(request))
    return response


def _page_csp(request: web.Request) -> str:
    # Websockets to this site only ('self' covers ws: only in CSP level 3 browsers): the host
    # the page came from and, behind a proxy that passes another Host, site_url's.
    site_host = urlsplit(request.app[hub_key].settings.site_url).netloc
    hosts = dict.fromkeys(h for h in (request.host, site_host) if _PLAIN_HOST.fullmatch(h))
    sockets = "".join(f" ws://{h} wss://{h}" for h in hosts)
    return (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
        f"script-src 'self'; connect-src 'self'{sockets}; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


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
