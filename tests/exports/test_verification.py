"""A tampered package fails verification naming the file: one byte of video changed, the manifest edited,
a file removed, a file added; the command and the public page say "intact" or name what differs."""

import io
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from exports import services
from exports.choices import ExportKind
from exports.verification import verify_package
from tests.support import footage

from .conftest import T0


@pytest.fixture
def package(built, camera, operator, tmp_path) -> tuple[Path, str]:
    footage.record_footage(camera, footage.H264, start=T0, segments=2)
    export = built(kind=ExportKind.EVIDENCE, items=[(camera, T0, T0 + timedelta(seconds=8))], created_by=operator)
    path = tmp_path / "package.zip"
    shutil.copy(services.package_path(export), path)
    video = export.items.get().file_name
    return path, video


def rewritten(source: Path, target: Path, change) -> Path:
    """A copy of the package with its members passed through change(name, data) -> data | None (dropped)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
    return target


def flip_one_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def test_an_intact_package_has_no_problems(package):
    path, _ = package
    assert verify_package(path) == []


def test_one_byte_of_video_changed_names_the_video(package, tmp_path):
    path, video = package
    bad = rewritten(path, tmp_path / "bad.zip", lambda n, d: flip_one_byte(d) if n == video else d)
    problems = verify_package(bad)
    assert problems and all(p.startswith(f"{video}:") for p in problems), problems
    assert f"{video}: SHA-256 differs from SHA256SUMS" in problems


def test_an_edited_manifest_names_the_manifest(package, tmp_path):
    path, _ = package
    bad = rewritten(
        path,
        tmp_path / "bad.zip",
        lambda n, d: (
            d.replace(b"01-1", b"01-2").replace(b'"kind": "evidence"', b'"kind": "evidencE"')
            if n == "manifest.json"
            else d
        ),
    )
    problems = verify_package(bad)
    assert problems and all(p.startswith("manifest.json:") for p in problems), problems
    assert any("signature" in p for p in problems)


def test_a_removed_file_is_named(package, tmp_path):
    path, video = package
    for removed in (video, "summary.lt.pdf", "custody.json"):
        bad = rewritten(path, tmp_path / "bad.zip", lambda n, d, removed=removed: None if n == removed else d)
        problems = verify_package(bad)
        assert problems and all(p.startswith(f"{removed}:") for p in problems), problems


def test_an_added_file_is_named(package, tmp_path):
    path, _ = package
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("video/extra.mp4", b"not evidence")
    assert verify_package(path) == ["video/extra.mp4: not part of the package (not listed in SHA256SUMS)"]


def test_a_package_signed_with_another_key_is_refused(package, tmp_path, settings):
    from birzai_vms import keys

    path, _ = package
    settings.INTEGRITY_KEY_PATH = tmp_path / "other-key.pem"
    keys._private_key.cache_clear()
    problems = verify_package(path)
    assert any(p.startswith("manifest.json:") and "signature" in p for p in problems)
    assert any(p.startswith("public_key.pem:") for p in problems)


def test_the_command_says_intact_or_names_each_problem(package, tmp_path, capsys):
    path, video = package
    call_command("verify_package", str(path))
    assert "intact" in capsys.readouterr().out
    bad = rewritten(path, tmp_path / "bad.zip", lambda n, d: flip_one_byte(d) if n == video else d)
    with pytest.raises(CommandError, match="not intact"):
        call_command("verify_package", str(bad))
    assert f"{video}: SHA-256 differs" in capsys.readouterr().err


def test_the_command_exit_code_from_a_shell(package, tmp_path):
    import subprocess
    import sys

    from django.conf import settings as django_settings

    path, video = package
    env = {
        "INTEGRITY_KEY_PATH": str(django_settings.INTEGRITY_KEY_PATH),
        "PATH": "/usr/bin:/bin",
        **{k: v for k, v in __import__("os").environ.items() if k in {"VMS_MODE", "DATABASE_URL", "REDIS_URL"}},
    }

    def verify(package_path):
        return subprocess.run(
            [sys.executable, "manage.py", "verify_package", str(package_path)],
            env=env,
            capture_output=True,
            text=True,
            cwd=django_settings.BASE_DIR,
            timeout=120,
        )

    ok = verify(path)
    assert ok.returncode == 0 and "intact" in ok.stdout, ok.stderr
    failed = verify(rewritten(path, tmp_path / "bad.zip", lambda n, d: flip_one_byte(d) if n == video else d))
    assert failed.returncode != 0 and video in failed.stderr


def test_the_public_page_checks_an_upload_without_a_login(package, tmp_path):
    path, video = package
    client = Client(enforce_csrf_checks=True)
    page = client.get("/evidence/verify/")
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    intact = client.post("/evidence/verify/", {"package": path.open("rb"), "csrfmiddlewaretoken": token})
    assert intact.status_code == 200 and b"Intact" in intact.content
    bad = rewritten(path, tmp_path / "bad.zip", lambda n, d: flip_one_byte(d) if n == video else d)
    tampered = client.post("/evidence/verify/", {"package": bad.open("rb"), "csrfmiddlewaretoken": token})
    assert tampered.status_code == 200 and b"Not intact" in tampered.content
    assert f"{video}: SHA-256 differs".encode() in tampered.content
    junk = client.post(
        "/evidence/verify/", {"package": io.BytesIO(b"%PDF-1.4 not a zip"), "csrfmiddlewaretoken": token}
    )
    assert junk.status_code == 200 and b"not a zip package" in junk.content
    empty = client.post("/evidence/verify/", {"csrfmiddlewaretoken": token})
    assert empty.status_code == 400
    assert Client(enforce_csrf_checks=True).post("/evidence/verify/", {"package": path.open("rb")}).status_code == 403


def test_the_public_page_refuses_a_file_over_the_limit(package, settings):
    path, _ = package
    settings.VERIFY_UPLOAD_MAX_BYTES = 1024
    response = Client().post("/evidence/verify/", {"package": path.open("rb")})
    assert response.status_code == 413 and b"larger than" in response.content


def test_the_public_key_and_its_fingerprint_are_published(package, tmp_path):
    import hashlib
    import subprocess

    path, _ = package
    client = Client()
    pem = client.get("/evidence/public-key.pem")
    assert pem.status_code == 200
    with zipfile.ZipFile(path) as archive:
        assert archive.read("public_key.pem") == pem.content
    (tmp_path / "key.pem").write_bytes(pem.content)
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(tmp_path / "key.pem"), "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    page = client.get("/evidence/key/")
    assert page.status_code == 200 and hashlib.sha256(der).hexdigest().encode() in page.content
