"""Checking a package: every file against SHA256SUMS and the signed manifest, the signature against this
installation's key. Each problem is one sentence naming the file; none means the package is intact."""

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from django.utils.translation import gettext as _

from birzai_vms import keys

MANIFEST, SIGNATURE, SUMS, PUBLIC_KEY, CUSTODY = (
    "manifest.json",
    "manifest.sig",
    "SHA256SUMS",
    "public_key.pem",
    "custody.json",
)
REQUIRED = (MANIFEST, SIGNATURE, SUMS, PUBLIC_KEY, CUSTODY)
MAX_MEMBERS = 10_000
_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


def _sha256(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_package(path: Path | IO[bytes]) -> list[str]:
    """[] when the package is intact; otherwise one sentence per problem, each naming the file."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _verify(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return [_("The file is not a zip package (or it is damaged) and cannot be checked.")]


def _verify(archive: zipfile.ZipFile) -> list[str]:
    members = [i.filename for i in archive.infolist() if not i.is_dir()]
    if len(members) > MAX_MEMBERS:
        return [_("The package holds more files than any export does (%(count)d).") % {"count": len(members)}]
    present = set(members)
    problems = [_("%(file)s: missing from the package") % {"file": name} for name in REQUIRED if name not in present]
    actual: dict[str, str] = {}

    def sha(name: str) -> str:
        if name not in actual:
            actual[name] = _sha256(archive, name)
        return actual[name]

    listed: dict[str, str] = {}
    if SUMS in present:
        for line in archive.read(SUMS).decode("utf-8", "replace").splitlines():
            match = _SUM_LINE.match(line)
            if not match:
                problems.append(_("%(file)s: a line is not in the format sha256sum reads") % {"file": SUMS})
                continue
            listed[match.group(2)] = match.group(1)
        for name, expected in listed.items():
            if name not in present:
                if name not in REQUIRED:
                    problems.append(_("%(file)s: listed in SHA256SUMS but missing from the package") % {"file": name})
            elif sha(name) != expected:
                problems.append(_("%(file)s: SHA-256 differs from SHA256SUMS") % {"file": name})
        for name in members:
            if name != SUMS and name not in listed:
                problems.append(_("%(file)s: not part of the package (not listed in SHA256SUMS)") % {"file": name})

    if MANIFEST in present and SIGNATURE in present:
        manifest_bytes = archive.read(MANIFEST)
        signature = archive.read(SIGNATURE)
        try:
            keys.public_key().verify(signature, manifest_bytes)
        except (InvalidSignature, ValueError):
            problems.append(
                _(
                    "%(file)s: the signature in manifest.sig does not match it "
                    "(edited, or not signed by this installation)"
                )
                % {"file": MANIFEST}
            )
        try:
            signed_files = json.loads(manifest_bytes).get("files") or {}
        except (ValueError, AttributeError):
            signed_files = {}
            problems.append(_("%(file)s: not readable JSON") % {"file": MANIFEST})
        for name, expected in signed_files.items() if isinstance(signed_files, dict) else []:
            if name in present and sha(name) != expected:
                problems.append(_("%(file)s: SHA-256 differs from the signed manifest") % {"file": name})
            elif name not in present and name not in listed:
                problems.append(_("%(file)s: named in the signed manifest but missing") % {"file": name})
    if PUBLIC_KEY in present and not _is_installation_key(archive.read(PUBLIC_KEY)):
        problems.append(_("%(file)s: not this installation's public key") % {"file": PUBLIC_KEY})
    return list(dict.fromkeys(problems))


def _is_installation_key(pem: bytes) -> bool:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        return False
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    try:
        return key.public_bytes(*raw) == keys.public_key().public_bytes(*raw)
    except ValueError:
        return False
