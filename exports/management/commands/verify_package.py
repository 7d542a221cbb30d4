"""manage.py verify_package FILE: "intact" (exit 0), or each problem naming the file (exit 1)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exports.verification import verify_package


class Command(BaseCommand):
    help = "Check an evidence package: every file against SHA256SUMS and the signed manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        problems = verify_package(file)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{file}: not intact ({len(problems)} problem(s))")
        self.stdout.write(f"{file}: intact")
