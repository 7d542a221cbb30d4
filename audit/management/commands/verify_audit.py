"""manage.py verify_audit: check that no audit entry was changed or removed."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.models import AuditEntry
from audit.services import sign_head, unsigned_tail_warning, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain against the signed heads; exits with an error if an entry was "
        "changed, rewritten with its hashes recomputed, or removed (also at the end). An intact log's head "
        "is then signed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--head",
            metavar="SEQ:HASH",
            help="A head printed by an earlier run: also check that it is still in the log (detects a cut-off end).",
        )

    def handle(self, *args: object, head: str | None = None, **options: object) -> None:
        count, problems = verify_chain()
        if head:
            seq, _, digest = head.partition(":")
            if not seq.isdigit() or len(digest) != 64:
                raise CommandError("--head must look like 123:<64 hex digits>, as printed by verify_audit.")
            if not AuditEntry.objects.filter(seq=int(seq), hash=digest.lower()).exists():
                problems.append(f"the earlier head {seq} is no longer in the log (entries removed at the end?)")
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            # Nothing is signed: a signature now would vouch for the tampered log.
            raise CommandError(f"The audit log is NOT intact: {len(problems)} problem(s) in {count} entries.")
        if warning := unsigned_tail_warning():
            self.stderr.write(f"warning: {warning}")
        signed = sign_head()
        head_text = f"{signed.seq}:{signed.hash}" if signed else "(empty)"
        if signed is not None:
            self.stdout.write(f"Head {signed.seq} signed on {signed.signed_at.isoformat()} with key {signed.key_id}.")
        self.stdout.write(f"The audit log is intact: {count} entries; head {head_text}")
