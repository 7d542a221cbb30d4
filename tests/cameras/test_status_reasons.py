"""Status reasons are codes, rendered in the reader's language; every sentence a recorder reports has one."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from cameras.reasons import REASONS, reason_code, reason_text
from tests.factories import CameraFactory

SESSION = Path(__file__).resolve().parents[2] / "recordings" / "capture" / "session.py"


def _reported_sentences() -> set[str]:
    """The English sentences session.py hands to SessionError (as gettext_noop msgids)."""
    tree = ast.parse(SESSION.read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "gettext_noop"
    }


def test_every_sentence_a_recorder_reports_has_a_code():
    sentences = _reported_sentences()
    assert sentences, "session.py reports no sentence?"
    assert {s for s in sentences if reason_code(s) == s} == set()


def test_a_reason_reads_in_each_language():
    code = reason_code("The camera stopped answering (timed out).")
    assert code == "timed_out"
    texts = {}
    for language in ("en", "lt", "lv"):
        with translation.override(language):
            texts[language] = reason_text(code)
    assert texts["en"] == REASONS["timed_out"]
    assert len(set(texts.values())) == 3


def test_a_text_stored_before_codes_is_still_translated():
    with translation.override("lv"):
        assert (
            reason_text("The camera refused the user name or password.") == "Kamera noraidīja lietotājvārdu vai paroli."
        )
        assert reason_text("something else") == "something else"
        assert reason_text("") == ""


@pytest.mark.django_db
def test_a_decommissioned_camera_says_so_in_the_readers_language():
    from cameras.models import CameraStatus

    camera = CameraFactory()
    camera.decommissioned_at = camera.created_at
    status = CameraStatus(camera=camera, state="recording", reason="")
    assert status.effective()[1] == "decommissioned"
    with translation.override("lt"):
        assert status.effective_state()[1] == str(translation.gettext("Decommissioned"))


@pytest.mark.django_db
def test_the_admin_shows_the_reason_in_the_admins_language(admin_client):
    from cameras.models import CameraStatus

    camera = CameraFactory()
    CameraStatus.objects.create(camera=camera, state="error", reason="auth_refused")
    page = admin_client.get(f"/admin/cameras/camera/{camera.pk}/change/", HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    assert "Kamera noraidīja lietotājvārdu vai paroli." in page
    assert "auth_refused" not in page
