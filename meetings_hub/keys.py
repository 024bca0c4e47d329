"""Typed application keys: everything the aiohttp app holds, declared in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    import socketio

    from meetings_hub.actions.chat import GroupCommitter
    from meetings_hub.actions.files import FileRuntime
    from meetings_hub.actions.savings_freeze import SavingsFreezer
    from meetings_hub.hub import Hub
    from meetings_hub.mail.sender import MailSender

hub_key: web.AppKey[Hub] = web.AppKey("hub")
mail_sender_key: web.AppKey[MailSender] = web.AppKey("mail_sender")
sio_key: web.AppKey[socketio.AsyncServer] = web.AppKey("sio")
files_key: web.AppKey[FileRuntime] = web.AppKey("files")
savings_freezer_key: web.AppKey[SavingsFreezer] = web.AppKey("savings_freezer")
# The chat's group committer: every message (socket, REST, file cards) is stored through it.
chat_committer_key: web.AppKey[GroupCommitter] = web.AppKey("chat_committer")

if TYPE_CHECKING:
    from meetings_hub.domain import Actor

# Per-request values set by the middlewares.
actor_key: web.RequestKey[Actor] = web.RequestKey("actor")
csrf_token_key: web.RequestKey[str] = web.RequestKey("csrf_token")
