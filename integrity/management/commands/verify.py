"""manage.py verify --camera ID --date YYYY-MM-DD: re-hash a camera's day and name what was tampered with."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from birzai_vms import params
from cameras.models import Camera
from integrity.services import verify_day


class Command(BaseCommand):
    help = "Verify one camera's footage of one UTC day against its signed digest; exit status 1 if anything is wrong."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--camera", type=int, required=True, help="camera id")
        parser.add_argument("--date", required=True, help="UTC day, YYYY-MM-DD")

    def handle(self, *args: object, camera: int, date: str, **options: object) -> None:
        try:
            day = _parse_day(date)
        except ValueError as exc:
            first, last = params.EARLIEST_DAY, params.LATEST_DAY
            raise CommandError(f"--date must be a day as YYYY-MM-DD from {first} to {last}, not {date!r}") from exc
        if not Camera.objects.filter(pk=camera).exists():
            raise CommandError(f"There is no camera with id {camera}.")
        report = verify_day(camera_id=camera, day=day)
        basis = "signed daily digest" if report.sealed else "index (day not sealed yet)"
        self.stdout.write(
            f"camera {camera}, {day}: {report.checked} segments checked against the {basis}, "
            f"{report.lawfully_deleted} deleted lawfully (retention or storage, signed record)"
        )
        for label, names in (("ALTERED", report.altered), ("MISSING", report.missing), ("INSERTED", report.inserted)):
            for name in names:
                self.stdout.write(f"{label}: {name}")
        for problem in report.problems:
            self.stdout.write(f"PROBLEM: {problem}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("OK: nothing altered, missing or inserted"))
        else:
            self.stdout.write(self.style.ERROR("FAILED"))
            sys.exit(1)


def _parse_day(value: str) -> date:
    day = date.fromisoformat(value)
    if not params.day_within_bounds(day):
        # The day's end is computed from it: 9999-12-31 would overflow.
        raise ValueError(value)
    return day
