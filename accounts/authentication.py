"""API tokens that expire: DRF's TokenAuthentication, refusing a token older than API_TOKEN_TTL_HOURS."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def token_expires_at(created: datetime) -> datetime:
    return created + timedelta(hours=settings.API_TOKEN_TTL_HOURS)


class ExpiringTokenAuthentication(TokenAuthentication):
    """A token works for API_TOKEN_TTL_HOURS after it was issued; then 401 and a new one from /api/token/.
    A leaked token of a two-factor role is thereby worth a day, not for ever."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= token_expires_at(token.created):
            token.delete()  # useless from now on; keeping it would only keep a secret around
            raise AuthenticationFailed(
                _("The API token has expired (tokens last %(hours)d hours); sign in and get a new one at /api/token/.")
                % {"hours": settings.API_TOKEN_TTL_HOURS}
            )
        return user, token
