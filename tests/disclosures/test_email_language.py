"""Request emails in each reader's preferred language (accounts.Profile), through the real SMTP server:
a Latvian-preferring reviewer reads Latvian while another reviewer keeps the installation's Lithuanian,
and the requester reads the decision in theirs."""

import pytest

from accounts.languages import set_preferred_language
from accounts.roles import REVIEWER
from tests.support.auth import make_user

from .support import submit

pytestmark = pytest.mark.django_db


def test_a_latvian_reviewer_gets_the_new_request_in_latvian_and_a_lithuanian_one_in_lithuanian(
    world, police_api, mailbox, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "lt"  # the product's (tests read English by default: tests/conftest.py)
    set_preferred_language(world.users["reviewer"], "lv")
    make_user("antras", REVIEWER)  # no choice of their own: the installation's language (lt)
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(world, police_api)

    latvian = mailbox.wait_for(lambda m: "perziuretojas@example.org" in str(m["To"]), what="the Latvian email")
    assert latvian["Subject"].strip() == f"Ierakstu pieprasījums #{request.pk} gaida jūsu izskatīšanu"
    assert "antras@example.org" not in str(latvian["To"])
    lithuanian = mailbox.wait_for(lambda m: "antras@example.org" in str(m["To"]), what="the Lithuanian email")
    assert lithuanian["Subject"].strip() == f"Įrašų prašymas #{request.pk} laukia jūsų peržiūros"


def test_the_requester_reads_the_decision_in_their_language(
    world, police_api, reviewer_api, mailbox, django_capture_on_commit_callbacks
):
    set_preferred_language(world.users["police"], "en")
    request = submit(world, police_api)
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_api.post(
            f"/api/requests/{request.pk}/review/", {"decision": "reject", "reason": "Nepakanka pagrindo"}, format="json"
        )
    assert response.status_code == 200
    message = mailbox.wait_for(lambda m: "tyrejas@example.org" in str(m["To"]), what="the decision email")
    assert message["Subject"].strip() == f"Footage request #{request.pk}: Rejected"
    assert "Your request (case 01-1-04567-26) was decided" in mailbox.body(message)
