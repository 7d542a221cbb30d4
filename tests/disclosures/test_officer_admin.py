"""The user admin's add form takes the role and the police officer's details together: one save creates the
user, the Police role and the details (and the preferred language); the Police role without the details is
refused with a message, and nothing is saved."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import Profile
from accounts.roles import ADMINISTRATOR, OPERATOR, POLICE
from disclosures.models import PoliceProfile
from tests.support.admin import user_change_form
from tests.support.auth import PASSWORD, log_in_verified, make_user

pytestmark = pytest.mark.django_db

DETAILS = {
    "police_profile-0-organisation": "Panevėžio apskrities VPK",
    "police_profile-0-position": "Tyrėjas",
    "police_profile-0-service_number": "PK-0042",
    "police_profile-0-phone": "+370 600 00000",
}
REFUSED = "A user with the Police role needs the officer&#x27;s details"


@pytest.fixture
def admin_web(db):
    return log_in_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), make_user("administratorius", ADMINISTRATOR))


def add_form(role: str, **fields: str) -> dict:
    """What the admin's add form posts: the user, the role, the language and officer inlines."""
    return {
        "username": "naujas",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "first_name": "Jonas",
        "last_name": "Naujas",
        "email": "naujas@policija.lt",
        "groups": [Group.objects.get(name=role).pk],
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "0",
        "profile-0-language": "",
        "police_profile-TOTAL_FORMS": "1",
        "police_profile-INITIAL_FORMS": "0",
        **fields,
    }


def test_the_add_form_shows_the_role_the_language_and_the_officers_details(admin_web):
    page = admin_web.get("/admin/auth/user/add/").content.decode()
    assert 'name="groups"' in page and 'name="email"' in page
    assert 'name="profile-0-language"' in page
    assert 'name="police_profile-0-service_number"' in page


def test_one_save_creates_the_police_user_with_the_role_and_the_details(admin_web):
    response = admin_web.post("/admin/auth/user/add/", add_form(POLICE, **DETAILS, **{"profile-0-language": "lv"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    user = get_user_model().objects.get(username="naujas")
    assert list(user.groups.values_list("name", flat=True)) == [POLICE]
    assert user.email == "naujas@policija.lt" and user.check_password(PASSWORD)
    details = PoliceProfile.objects.get(user=user)
    assert (details.organisation, details.position, details.service_number) == (
        "Panevėžio apskrities VPK",
        "Tyrėjas",
        "PK-0042",
    )
    assert Profile.objects.get(user=user).language == "lv"


def test_the_police_role_without_the_details_is_refused_and_nothing_is_saved(admin_web):
    response = admin_web.post("/admin/auth/user/add/", add_form(POLICE))
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not get_user_model().objects.filter(username="naujas").exists()


def test_details_half_filled_are_refused_field_by_field(admin_web):
    response = admin_web.post(
        "/admin/auth/user/add/", add_form(POLICE, **{"police_profile-0-organisation": "Panevėžio apskrities VPK"})
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not get_user_model().objects.filter(username="naujas").exists()


def test_other_roles_need_no_officers_details(admin_web):
    response = admin_web.post("/admin/auth/user/add/", add_form(OPERATOR))
    assert response.status_code == 302, response.content.decode()[:3000]
    user = get_user_model().objects.get(username="naujas")
    assert not PoliceProfile.objects.filter(user=user).exists()
    assert not Profile.objects.filter(user=user).exists()  # left empty: the installation's language


def test_giving_an_existing_user_the_police_role_needs_the_details_too(admin_web):
    operator = make_user("operatorius", OPERATOR)
    form = user_change_form(operator, groups=[Group.objects.get(name=POLICE).pk], **{"police_profile-TOTAL_FORMS": "1"})
    response = admin_web.post(f"/admin/auth/user/{operator.pk}/change/", form)
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert list(operator.groups.values_list("name", flat=True)) == [OPERATOR]
    response = admin_web.post(f"/admin/auth/user/{operator.pk}/change/", {**form, **DETAILS})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PoliceProfile.objects.get(user=operator).service_number == "PK-0042"
