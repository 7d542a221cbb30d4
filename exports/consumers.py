"""One export's progress over a websocket: only its creator and named viewers, checked on connect and on
every event (a viewer removed while watching stops receiving)."""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.services import requires_two_factor

from .models import Export
from .services import progress_group, progress_payload


class ExportProgressConsumer(AsyncJsonWebsocketConsumer):
    """Sends the export's state on connect, then every progress event until it is READY or FAILED."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.export_id = int(self.scope["url_route"]["kwargs"]["pk"])
        payload = await self._payload_if_allowed()
        if payload is None:
            # Another user's export and a missing one are refused alike: nothing is revealed.
            await self.close(code=4403)
            return
        self.group = progress_group(self.export_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(payload)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def export_progress(self, event: dict[str, Any]) -> None:
        if await self._payload_if_allowed() is None:
            await self.close(code=4403)
            return
        await self.send_json({key: event.get(key) for key in ("type", "state", "progress", "error")})

    @database_sync_to_async
    def _payload_if_allowed(self) -> dict[str, Any] | None:
        second_factor_done = bool((self.scope.get("session") or {}).get(DEVICE_ID_SESSION_KEY))
        if requires_two_factor(self.user) and not second_factor_done:
            return None
        export = Export.objects.filter(pk=self.export_id).first()
        if export is None:
            return None
        self.user.refresh_from_db()
        if not export.may_watch(self.user):
            return None
        return progress_payload(export)
