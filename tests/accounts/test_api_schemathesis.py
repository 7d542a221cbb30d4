"""schemathesis against the OpenAPI schema, as every role: no server errors, responses match the schema."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from tests.support.roles import build_world

ROLES = ["police", "operator", "reviewer", "administrator"]
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, response_headers_conformance]


def api_schema() -> object:
    """The schema the API serves at /api/schema/, generated in-process; requests go to the WSGI app."""
    raw = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    return schema


@pytest.fixture
def keep_test_connection() -> object:
    """The WSGI handler closes the database connection after each request; the test's transaction
    must survive it (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db: None, keep_test_connection: None) -> dict[str, str]:
    world = build_world()
    return {role: Token.objects.create(user=world.users[role]).key for role in ROLES}


schema = api_schema()


@schema.parametrize()
@settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_conforms_to_its_schema_for_every_role(case, tokens):
    for role in ROLES:
        # What the issue asks: never a server error, and every response as the schema describes it.
        # (403/404 outside a role's scope are right but not listed per operation; anonymous refusal
        # and scope are the permission matrix's tests.)
        case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"}, checks=CHECKS)


@pytest.mark.django_db
def test_a_huge_page_limit_is_capped_not_a_server_error(tokens):
    from django.test import Client

    response = Client().get("/api/cameras/?limit=9223372036854775808", HTTP_AUTHORIZATION=f"Token {tokens['reviewer']}")
    assert response.status_code == 200 and len(response.json()["results"]) == 2
