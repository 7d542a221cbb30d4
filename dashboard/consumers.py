"""The status stream of the dashboard: login checked on connect, visibility on every event."""

import asyncio
import time
import weakref
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.services import browses_cameras, requires_two_factor
from cameras.events import STATUS_GROUP, status_payload
from cameras.models import Camera

from . import process_watch
from .texts import render_status, scope_language, system_alarms

# Who may see which camera is re-read from `visible_to` at most this often per user and process:
# every event is checked, against a decision never older than this. One query per event per connection
# (200 open dashboards: 200 queries per status change, serialised on Channels' database thread) made
# the push take seconds.
VISIBILITY_TTL_S = 2.0
_visibility: dict[int, tuple[float, frozenset[int]]] = {}
# One lock per event loop (an asyncio.Lock belongs to the loop it first waits on; tests run several).
_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()


class StatusConsumer(AsyncJsonWebsocketConsumer):
    """Sends every visible camera's status on connect, then each change as it happens."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not await self._may_watch(user):
            # The HTTP pages send such a user to enrol or verify, or say that their role has no access
            # (Police); a socket can only refuse.
            await self.close(code=4403)
            return
        self.user_id = user.pk
        # Every text this connection sends is rendered in its reader's language, whoever caused the event.
        self.language = scope_language(self.scope)
        await self.channel_layer.group_add(STATUS_GROUP, self.channel_name)
        await self.accept()
        statuses = await self._all_statuses()
        self.processes = await asyncio.to_thread(process_watch.watch.shown)
        await self.send_json({"type": "snapshot", "statuses": statuses, "system": await self._system_alarms()})
        # A dead worker sends no event: each connection looks at the heartbeats itself.
        self.process_task = asyncio.create_task(self._watch_processes())

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "process_task"):
            self.process_task.cancel()
        if hasattr(self, "user_id"):
            await self.channel_layer.group_discard(STATUS_GROUP, self.channel_name)

    async def _watch_processes(self) -> None:
        """Sends the banner again when the set of process conditions changes (dashboard/process_watch.py)."""
        while True:
            await asyncio.sleep(process_watch.check_interval_seconds())
            processes = await asyncio.to_thread(process_watch.watch.shown)
            if processes == self.processes:
                continue
            previous, self.processes = self.processes, processes
            try:
                alarms = await self._system_alarms()
            except DatabaseError:
                # The database is away for a moment: the next look tries again, the watch goes on.
                self.processes = previous
                continue
            await self.send_json({"type": "system", "alarms": alarms})

    async def status_changed(self, event: dict[str, Any]) -> None:
        visible = await self._visible_ids()
        # One status ("status") is what a worker of the previous release sends during an upgrade.
        for status in event.get("statuses") or [event["status"]]:
            if status["camera_id"] in visible:
                await self.send_json({"type": "status", "status": render_status(status, self.language)})

    async def system_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "system", "alarms": await self._system_alarms()})

    async def incident_changed(self, event: dict[str, Any]) -> None:
        # incidents/notify.py: the incidents of cameras this user may see, as they open, recover and end.
        visible = await self._visible_ids()
        for incident in event.get("incidents") or []:
            if incident["camera_id"] in visible:
                await self.send_json({"type": "incident", "incident": incident})

    async def _visible_ids(self) -> frozenset[int]:
        lock = _locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with lock:
            expires, ids = _visibility.get(self.user_id, (0.0, frozenset()))
            if time.monotonic() >= expires:
                ids = await self._query_visible_ids()
                _visibility[self.user_id] = (time.monotonic() + VISIBILITY_TTL_S, ids)
            return ids

    @database_sync_to_async
    def _may_watch(self, user: Any) -> bool:
        second_factor_done = bool((self.scope.get("session") or {}).get(DEVICE_ID_SESSION_KEY))
        return browses_cameras(user) and (second_factor_done or not requires_two_factor(user))

    @database_sync_to_async
    def _query_visible_ids(self) -> frozenset[int]:
        # The user is read again: a deactivated account stops receiving events.
        user = get_user_model().objects.filter(pk=self.user_id).first()
        if user is None:
            return frozenset()
        return frozenset(Camera.objects.visible_to(user).in_service().values_list("pk", flat=True))

    @database_sync_to_async
    def _all_statuses(self) -> list[dict[str, Any]]:
        user = get_user_model().objects.get(pk=self.user_id)
        cameras = Camera.objects.visible_to(user).in_service().with_status()
        return [render_status(status_payload(camera), self.language) for camera in cameras]

    @database_sync_to_async
    def _system_alarms(self) -> list[dict[str, Any]]:
        # Read for this user on every change: they are few, and change seldom.
        user = get_user_model().objects.filter(pk=self.user_id, is_active=True).first()
        return system_alarms(user, self.language, self.processes) if user is not None else []
