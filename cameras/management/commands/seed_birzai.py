"""manage.py seed_birzai: the real elderships and 24 cameras pointed at the simulated RTSP cameras.

With --field-kinds also one camera per other kind of simulated camera (`simulate_cameras --field-kinds`),
named after its kind, in the Biržų miesto eldership.
"""

from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from cameras import choices
from cameras.models import Camera
from eldership.models import Eldership
from eldership.seed_data import ELDERSHIPS, OFFSETS, PLACES
from simulator.kinds import FIELD_KINDS, KINDS

FIELD_ELDERSHIP = "birzu-miesto"  # the town: no regular demo camera there, so the odd ones stand apart


# What a camera at such a place is for (stored in English; the camera register shows it translated).
PLACE_PURPOSES = [
    ("stot", choices.PURPOSE_TRANSPORT, choices.BASIS_PUBLIC_INTEREST),
    ("sankryž", choices.PURPOSE_TRAFFIC, choices.BASIS_PUBLIC_INTEREST),
    ("kultūros namai", choices.PURPOSE_PROPERTY, choices.BASIS_PUBLIC_PROPERTY),
    ("šventori", choices.PURPOSE_HERITAGE, choices.BASIS_PUBLIC_PROPERTY),
    ("piliakalni", choices.PURPOSE_HERITAGE, choices.BASIS_PUBLIC_PROPERTY),
    ("park", choices.PURPOSE_RECREATION, choices.BASIS_PUBLIC_INTEREST),
]


def purpose_of(place: str) -> dict[str, str]:
    for word, purpose, basis in PLACE_PURPOSES:
        if word in place.lower():
            return {"purpose": purpose, "legal_basis": basis}
    return {"purpose": choices.PURPOSE_PUBLIC_ORDER, "legal_basis": choices.BASIS_PUBLIC_INTEREST}


class Command(BaseCommand):
    help = "Create or update the Biržai elderships and the 24 demo cameras (safe to run again)."

    def add_arguments(self, parser: object) -> None:
        parser.add_argument(
            "--base-port",
            type=int,
            default=settings.SIMULATOR_BASE_PORT,
            help="Camera n is rtsp://127.0.0.1:<base-port + n>/live (the simulate_cameras scheme).",
        )
        parser.add_argument(
            "--field-kinds",
            action="store_true",
            help="Also one camera per other simulated kind (h265, mjpeg, ...), numbered after the 24, as "
            "`simulate_cameras --field-kinds` serves them; without it such cameras are disabled.",
        )
        parser.add_argument(
            "--cameras",
            type=int,
            default=24,
            choices=range(1, 25),
            metavar="N",
            help="Only the first N of the 24 cameras (a small demo, the demo's own test); default 24.",
        )

    @transaction.atomic
    def handle(self, *args: object, base_port: int, field_kinds: bool, cameras: int, **options: object) -> None:
        elderships = {}
        for code, name, lat, lon in ELDERSHIPS:
            elderships[code], _ = Eldership.objects.update_or_create(
                code=code, defaults={"name": name, "centre_latitude": lat, "centre_longitude": lon}
            )
        number = 0
        for code, places in PLACES.items():
            eldership = elderships[code]
            for place, (dlat, dlon) in zip(places, OFFSETS, strict=False):
                if number == cameras:
                    break
                number += 1
                Camera.objects.update_or_create(
                    name=f"{eldership.name} – {place}",
                    defaults={
                        "eldership": eldership,
                        "place": f"{place}, {eldership.name} seniūnija",
                        "latitude": Decimal(eldership.centre_latitude) + Decimal(dlat) / 10000,
                        "longitude": Decimal(eldership.centre_longitude) + Decimal(dlon) / 10000,
                        "rtsp_url": f"rtsp://127.0.0.1:{base_port + number}/live",
                        **purpose_of(place),
                    },
                )
        self.stdout.write(f"Seeded {len(elderships)} elderships and {number} cameras.")
        if field_kinds:
            town = elderships[FIELD_ELDERSHIP]
            for i, kind in enumerate(FIELD_KINDS):
                Camera.objects.update_or_create(
                    name=kind,
                    defaults={
                        "eldership": town,
                        "place": f"Simulated camera: {KINDS[kind]}",
                        # A small ring around the town centre.
                        "latitude": Decimal(town.centre_latitude) + Decimal(15 * (i % 4) - 22) / 10000,
                        "longitude": Decimal(town.centre_longitude) + Decimal(20 * (i // 4) - 30) / 10000,
                        "rtsp_url": f"rtsp://127.0.0.1:{base_port + number + 1 + i}/live",
                        "enabled": True,
                    },
                )
            self.stdout.write(f"Seeded {len(FIELD_KINDS)} cameras of other kinds: {', '.join(FIELD_KINDS)}.")
        else:
            # Seeded by an earlier --field-kinds run: nothing serves them now, so do not record them.
            off = Camera.objects.filter(name__in=FIELD_KINDS, enabled=True).update(enabled=False)
            if off:
                self.stdout.write(f"Disabled {off} cameras of other kinds (run with --field-kinds to keep them).")
