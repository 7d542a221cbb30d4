"""manage.py reconcile: walk disk and index both ways now (the periodic task does the same)."""

from django.core.management.base import BaseCommand, CommandParser

from integrity.reconcile import reconcile


class Command(BaseCommand):
    help = "Index orphan segment files, quarantine unreadable ones, flag rows whose file is gone."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--camera", type=int, action="append", help="only this camera (repeatable)")

    def handle(self, *args: object, camera: list[int] | None = None, **options: object) -> None:
        report = reconcile(camera_ids=camera)
        for label, paths in (
            ("indexed", report.indexed),
            ("quarantined", [p for p in report.quarantined if p not in set(report.unknown)]),
            ("missing", report.missing),
            ("deletion finished", report.finished_deletions),
            ("unknown camera, quarantined", report.unknown),
        ):
            for path in paths:
                self.stdout.write(f"{label}: {path}")
        self.stdout.write(report.summary())
