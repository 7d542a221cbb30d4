"""API tokens: issued to one's own session (after the second factor for the roles that need it), expiring."""

from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from audit.choices import AuditAction
from audit.models import AuditEntry
from tests.support.auth import log_in_verified

pytestmark = pytest.mark.django_db


def test_a_reviewer_gets_a_token_only_after_the_second_factor(world):
    reviewer = world.users["reviewer"]
    unverified = Client()
    unverified.force_login(reviewer)
    refused = unverified.post("/api/token/")
    assert refused.status_code == 403 and "Two-factor" in refused.json()["detail"]
    assert not Token.objects.filter(user=reviewer).exists()

    response = log_in_verified(Client(), reviewer).post("/api/token/")
    assert response.status_code == 201
    key = response.json()["token"]
    assert Client().get("/api/cameras/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    entry = AuditEntry.objects.filter(action=AuditAction.API_TOKEN_ISSUED).get()
    assert entry.username == "perziuretojas" and key not in str(entry.details)


def test_a_superuser_needs_the_second_factor_too(admin_user):
    unverified = Client()
    unverified.force_login(admin_user)
    assert unverified.post("/api/token/").status_code == 403
    assert log_in_verified(Client(), admin_user).post("/api/token/").status_code == 201


def test_an_operator_gets_a_token_without_a_second_factor_and_a_new_one_replaces_it(world):
    operator = Client()
    operator.force_login(world.users["operator"])
    first = operator.post("/api/token/").json()["token"]
    second = operator.post("/api/token/").json()["token"]
    assert first != second
    assert Client().get("/api/cameras/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert Client().get("/api/cameras/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 200
    assert operator.delete("/api/token/").status_code == 204
    assert Client().get("/api/cameras/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 401


def test_a_token_cannot_get_itself_a_new_token(world):
    key = log_in_verified(Client(), world.users["reviewer"]).post("/api/token/").json()["token"]
    assert Client().post("/api/token/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (401, 403)
    assert Token.objects.get(user=world.users["reviewer"]).key == key


def test_a_token_expires_after_its_lifetime(world, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    response = log_in_verified(Client(), world.users["reviewer"]).post("/api/token/").json()
    token = Token.objects.get(key=response["token"])
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    Token.objects.filter(pk=token.pk).update(created=token.created - timedelta(hours=23, minutes=59))
    assert Client().get("/api/cameras/", **auth).status_code == 200
    Token.objects.filter(pk=token.pk).update(created=token.created - timedelta(hours=24, seconds=1))
    expired = Client().get("/api/cameras/", **auth)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"] and "/api/token/" in expired.json()["detail"]


def test_tokens_are_not_made_or_shown_in_the_admin(admin_client, world):
    token = Token.objects.create(user=world.users["operator"])
    assert admin_client.get("/admin/authtoken/tokenproxy/add/").status_code == 403
    page = admin_client.get("/admin/authtoken/tokenproxy/").content.decode()
    assert "operatorius" in page and token.key not in page
