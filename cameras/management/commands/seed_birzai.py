"""manage.py seed_birzai: the real elderships and 24 cameras pointed at the simulated RTSP cameras."""

from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from cameras.models import Camera
from eldership.models import Eldership
from eldership.seed_data import ELDERSHIPS, OFFSETS, PLACES


class Command(BaseCommand):
    help = "Create or update the Biržai elderships and the 24 demo cameras (safe to run again)."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument(
            "--base-port",
            type=int,
            default=settings.SIMULATOR_BASE_PORT,
            help="Camera n is rtsp://127.0.0.1:<base-port + n>/live (the simulate_cameras scheme).",
        )

    @transaction.atomic
    def handle(self, *args: object, base_port: int, **options: object) -> None:
        elderships = {}
        for code, name, lat, lon in ELDERSHIPS:
            elderships[code], _ = Eldership.objects.update_or_create(
                code=code, defaults={"name": name, "centre_latitude": lat, "centre_longitude": lon}
            )
        number = 0
        for code, places in PLACES.items():
            eldership = elderships[code]
            for place, (dlat, dlon) in zip(places, OFFSETS, strict=False):
                number += 1
                Camera.objects.update_or_create(
                    name=f"{eldership.name} – {place}",
                    defaults={
                        "eldership": eldership,
                        "place": f"{place}, {eldership.name} seniūnija",
                        "latitude": Decimal(eldership.centre_latitude) + Decimal(dlat) / 10000,
                        "longitude": Decimal(eldership.centre_longitude) + Decimal(dlon) / 10000,
                        "rtsp_url": f"rtsp://127.0.0.1:{base_port + number}/live",
                    },
                )
        self.stdout.write(f"Seeded {len(elderships)} elderships and {number} cameras.")
