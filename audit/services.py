"""Writing to the audit log: the one helper every app calls, the secret masking it applies, signing and verifying."""

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from birzai_vms import keys

from .choices import AuditAction
from .models import GENESIS_HASH, AuditEntry, SignedHead

MASK = "***"
# Keys whose values are never written to the log, whatever app passes them.
SECRET_KEY_PATTERN = re.compile(r"password|passwd|secret|token|credential|rtsp_username|private|(^|_)key$", re.I)
# Any constant: the PostgreSQL advisory lock that serialises appends so the chain never forks.
_CHAIN_LOCK_ID = 0x41554449  # "AUDI"


def mask_secrets(value: Any, *, secret: bool = False) -> Any:
    """A copy of value in which every scalar under a secret-looking key is replaced by ***
    (also inside containers: {"rtsp_password": {"before": .., "after": ..}} keeps its shape)."""
    if isinstance(value, Mapping):
        return {
            str(k): mask_secrets(v, secret=secret or bool(SECRET_KEY_PATTERN.search(str(k)))) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_secrets(v, secret=secret) for v in value]
    if secret and value not in (None, ""):
        return MASK
    return value


def client_ip(request: HttpRequest | None) -> str | None:
    """Where the request came from (REMOTE_ADDR; the TLS proxy in front must set it right)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: AuditAction | str,
    user: Any = None,
    request: HttpRequest | None = None,
    camera: Any = None,
    target: str = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log and return it.

    action: an AuditAction (e.g. AuditAction.PLAYBACK); user: who did it (default: request.user when
    authenticated; None for the system, e.g. retention); request: gives the IP address (and the user);
    camera: the camera concerned, if any (only its pk and name are kept); target: a short text naming
    the object (e.g. "export 12");
    details: JSON-serialisable facts (time ranges as ISO strings, counts, before/after); keys that look
    secret (password, token, credential, ...) are masked as "***" before writing. Never log video content.

    Runs in its own transaction.atomic (nested in the caller's, if any): if the caller's transaction
    rolls back, the entry goes with it, as the act it describes did not happen either.
    """
    action = AuditAction(action)
    if user is None and request is not None and getattr(request.user, "is_authenticated", False):
        user = request.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        entry = AuditEntry(
            seq=seq,
            action=action,
            user=user,
            username=getattr(user, "get_username", lambda: "")() if user is not None else "",
            # Only its id and name: the log imports no camera code (any object with a pk and a name will do).
            camera_id=camera.pk if camera is not None else None,
            camera_name=str(camera) if camera is not None else "",
            target=str(target)[:255],
            details=mask_secrets(dict(details or {})),
            ip_address=client_ip(request),
            prev_hash=prev_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry


def _lock_chain() -> None:
    """Serialise appends (and head signing) so the chain never forks; held until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def sign_head() -> SignedHead | None:
    """Sign the log's current head with the installation's key (none while the log is empty; the same
    head is signed once). Run by beat every AUDIT_HEAD_SIGN_INTERVAL_SECONDS and by verify_audit."""
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        if last is None:
            return None
        newest = SignedHead.objects.order_by("-seq", "-signed_at").first()
        if newest is not None and (newest.seq, newest.hash) == last:
            return newest
        head = SignedHead(seq=last[0], hash=last[1], key_id=keys.key_id())
        head.signature = keys.sign(head.message())
        head.save(force_insert=True)
    return head


def verify_chain() -> tuple[int, list[str]]:
    """Walk the whole log in order and compare it with the signed heads; return (entries checked,
    problems found). The heads catch what the chain alone cannot: an entry rewritten with every later
    hash recomputed, and entries cut off at the end."""
    problems: list[str] = []
    heads = list(SignedHead.objects.order_by("seq", "signed_at"))
    current_key = keys.key_id() if heads else ""
    signed: dict[int, list[SignedHead]] = {}
    for head in heads:
        if head.key_id != current_key or not keys.signature_is_valid(head.message(), head.signature):
            problems.append(
                f"the signed head of entry {head.seq} (signed {head.signed_at.isoformat()}) has no valid signature "
                f"of this installation's key: forged, or signed with another key ({head.key_id})"
            )
            continue
        signed.setdefault(head.seq, []).append(head)
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if entry.seq != expected_seq:
            problems.append(f"entries {expected_seq}–{entry.seq - 1} are missing (removed?)")
        if entry.prev_hash != prev_hash:
            problems.append(f"entry {entry.seq} does not follow the previous entry (chain broken)")
        if entry.compute_hash() != entry.hash:
            problems.append(f"entry {entry.seq} was changed after it was written (hash mismatch)")
        for head in signed.pop(entry.seq, []):
            if head.hash != entry.hash:
                problems.append(
                    f"entry {entry.seq} is not the one signed on {head.signed_at.isoformat()}: "
                    f"the log was rewritten up to it (hashes recomputed)"
                )
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    for seq, gone in sorted(signed.items()):
        problems.append(
            f"entry {seq}, signed on {gone[0].signed_at.isoformat()}, is no longer in the log "
            f"(entries removed{' at the end' if seq >= expected_seq else ''})"
        )
    return count, problems


def unsigned_tail_warning(now: datetime | None = None) -> str:
    """A warning when the newest signed head is older than two signing intervals although entries
    followed it: the signing task is not running, or the newest signed heads were removed (which would
    leave a rewrite of the entries after the remaining heads unseen)."""
    newest = SignedHead.objects.order_by("-seq", "-signed_at").first()
    if newest is None:
        return ""
    later = AuditEntry.objects.filter(seq__gt=newest.seq).order_by("seq").values_list("seq", "at").first()
    deadline = (now or timezone.now()) - 2 * timedelta(seconds=settings.AUDIT_HEAD_SIGN_INTERVAL_SECONDS)
    if later is None or newest.signed_at >= deadline or later[1] >= deadline:
        return ""
    return (
        f"entries after {newest.seq} were never signed although the last head was signed on "
        f"{newest.signed_at.isoformat()}: is the sign_audit_head task running, or were signed heads removed?"
    )
