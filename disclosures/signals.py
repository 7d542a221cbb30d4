"""The one signal the request workflow listens to: an export it started has finished."""

from typing import Any

from django.dispatch import receiver

from exports.signals import export_finished

from . import services


@receiver(export_finished, dispatch_uid="disclosures_export_finished")
def note_export_finished(sender: Any, export: Any, **kwargs: Any) -> None:
    services.export_finished(export_id=export.pk)
