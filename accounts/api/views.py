"""Issuing and revoking one's own API token, from a signed-in session (with two factors where the role needs them)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import token_expires_at
from accounts.services import two_factor_satisfied
from audit.choices import AuditAction
from audit.services import record


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as the header 'Authorization: Token <token>'.")
    expires = serializers.DateTimeField()


class TokenView(APIView):
    """POST: a new API token for the signed-in user (the previous one stops working); DELETE: revoke it.

    Only a browser session may ask, never a token (a token renewing itself would never expire), and for
    Administrators, Reviewers and superusers only a session that passed the second factor."""

    authentication_classes = [SessionAuthentication]

    def _check_second_factor(self, request: Request) -> None:
        if not two_factor_satisfied(request.user):
            raise PermissionDenied(_("Two-factor verification is required for your role."))

    @extend_schema(request=None, responses={201: TokenSerializer})
    def post(self, request: Request) -> Response:
        self._check_second_factor(request)
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            token = Token.objects.create(user=request.user)
            record(
                action=AuditAction.API_TOKEN_ISSUED,
                request=request,
                target=f"user: {request.user.get_username()}",
                details={"expires": token_expires_at(token.created).isoformat()},
            )
        body: dict[str, Any] = {"token": token.key, "expires": token_expires_at(token.created)}
        return Response(TokenSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        deleted, _count = Token.objects.filter(user=request.user).delete()
        if deleted:
            record(action=AuditAction.API_TOKEN_REVOKED, request=request, target=f"user: {request.user.get_username()}")
        return Response(status=status.HTTP_204_NO_CONTENT)
