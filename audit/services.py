"""Writing to the audit log: the one helper every app calls, and the secret masking it applies."""

import re
from collections.abc import Mapping
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest

from .choices import AuditAction
from .models import GENESIS_HASH, AuditEntry

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
    camera: the Camera concerned, if any; target: a short text naming the object (e.g. "export 12");
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
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        entry = AuditEntry(
            seq=seq,
            action=action,
            user=user,
            username=getattr(user, "get_username", lambda: "")() if user is not None else "",
            camera=camera,
            camera_name=str(camera) if camera is not None else "",
            target=str(target)[:255],
            details=mask_secrets(dict(details or {})),
            ip_address=client_ip(request),
            prev_hash=prev_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry


def verify_chain() -> tuple[int, list[str]]:
    """Walk the whole log in order; return (entries checked, problems found)."""
    problems: list[str] = []
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if entry.seq != expected_seq:
            problems.append(f"entries {expected_seq}–{entry.seq - 1} are missing (removed?)")
        if entry.prev_hash != prev_hash:
            problems.append(f"entry {entry.seq} does not follow the previous entry (chain broken)")
        if entry.compute_hash() != entry.hash:
            problems.append(f"entry {entry.seq} was changed after it was written (hash mismatch)")
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    return count, problems
