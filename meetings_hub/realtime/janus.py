"""A small client of Janus's HTTP API (VideoRoom plugin), used by meetings_hub only.

Janus's API is bound to 127.0.0.1 and every request carries the API secret; browsers never see
either. Requests that Janus answers later (``join``, ``publish``, ``start`` ...) are answered on
the session's long poll: each session keeps one polling task, which resolves the waiting request
by its transaction and hands every other event (a publisher came or went) to ``on_event``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

PLUGIN = "janus.plugin.videoroom"
# How long one request may wait for its answer on the long poll.
ANSWER_SECONDS = 15.0

EventHandler = Callable[[int, dict[str, Any], dict[str, Any] | None], None]


class JanusError(Exception):
    """Janus or its plugin refused, or could not be reached."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusClient:
    def __init__(self, url: str, api_secret: str) -> None:
        self.url = url.rstrip("/")
        self.api_secret = api_secret
        self.http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()
            self.http = None

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.http is None:
            self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=ANSWER_SECONDS))
        body = {**body, "transaction": body.get("transaction") or secrets.token_hex(8)}
        if self.api_secret:
            body["apisecret"] = self.api_secret
        try:
            async with self.http.post(self.url + path, json=body) as response:
                answer: dict[str, Any] = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise JanusError(0, f"unreachable: {exc}") from None
        if answer.get("janus") == "error":
            error = answer.get("error", {})
            raise JanusError(int(error.get("code", 0)), str(error.get("reason", "")))
        return answer

    async def session(self, on_event: EventHandler) -> JanusSession:
        answer = await self.post("", {"janus": "create"})
        session = JanusSession(self, int(answer["data"]["id"]), on_event)
        session.start()
        return session

    async def plugin_request(self, session_id: int, handle_id: int, body: dict[str, Any]) -> Any:
        """A request the plugin answers at once (create, destroy, exists ...)."""
        answer = await self.post(f"/{session_id}/{handle_id}", {"janus": "message", "body": body})
        return plugin_data(answer)


def plugin_data(message: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = message.get("plugindata", {}).get("data", {})
    if "error_code" in data:
        raise JanusError(int(data["error_code"]), str(data.get("error", "")))
    return data


class JanusSession:
    def __init__(self, client: JanusClient, session_id: int, on_event: EventHandler) -> None:
        self.client = client
        self.id = session_id
        self.on_event = on_event
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.poller: asyncio.Task[None] | None = None
        self.closed = False

    def start(self) -> None:
        self.poller = asyncio.get_running_loop().create_task(self._poll(), name="janus-poll")

    async def attach(self) -> int:
        answer = await self.client.post(f"/{self.id}", {"janus": "attach", "plugin": PLUGIN})
        return int(answer["data"]["id"])

    async def detach(self, handle_id: int) -> None:
        with contextlib.suppress(JanusError):
            await self.client.post(f"/{self.id}/{handle_id}", {"janus": "detach"})

    async def request(
        self, handle_id: int, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """A plugin request answered on the long poll: its data and its JSEP, if any."""
        transaction = secrets.token_hex(8)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[transaction] = future
        message: dict[str, Any] = {"janus": "message", "body": body, "transaction": transaction}
        if jsep is not None:
            message["jsep"] = jsep
        try:
            answer = await self.client.post(f"/{self.id}/{handle_id}", message)
            if answer.get("janus") == "success":  # answered at once after all
                return plugin_data(answer), answer.get("jsep")
            event = await asyncio.wait_for(future, ANSWER_SECONDS)
        except TimeoutError:
            raise JanusError(0, "no answer") from None
        finally:
            self.waiting.pop(transaction, None)
        return plugin_data(event), event.get("jsep")

    async def _poll(self) -> None:
        path = f"{self.client.url}/{self.id}?maxev=10"
        if self.client.api_secret:
            path += f"&apisecret={self.client.api_secret}"
        while not self.closed:
            try:
                assert self.client.http is not None
                async with self.client.http.get(
                    path, timeout=aiohttp.ClientTimeout(total=40)
                ) as response:
                    events = await response.json(content_type=None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.closed:
                    return
                # The type only: the poll's URL carries the API secret, and errors may quote it.
                log.warning("janus session %s: polling failed (%s)", self.id, type(exc).__name__)
                self._fail_all()
                self.on_event(0, {"janus": "gone"}, None)
                return
            for event in events if isinstance(events, list) else [events]:
                self._dispatch(event)

    def _dispatch(self, event: dict[str, Any]) -> None:
        kind = event.get("janus")
        if kind == "keepalive" or kind == "ack":
            return
        if kind == "error" and event.get("error", {}).get("code") == 458:  # session gone
            self._fail_all()
            self.on_event(0, {"janus": "gone"}, None)
            self.closed = True
            return
        future = self.waiting.get(str(event.get("transaction", "")))
        if kind == "event" and future is not None and not future.done():
            future.set_result(event)
            return
        self.on_event(int(event.get("sender", 0)), event, event.get("jsep"))

    def _fail_all(self) -> None:
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(JanusError(0, "Janus went away"))

    async def destroy(self) -> None:
        self.closed = True
        with contextlib.suppress(JanusError):
            await self.client.post(f"/{self.id}", {"janus": "destroy"})
        if self.poller is not None:
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.poller
