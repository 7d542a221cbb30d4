"""Two factors before anything else for the roles that need them; the user's language from their login on."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .languages import remember_on_response
from .services import two_factor_satisfied


class TwoFactorRequiredMiddleware:
    """A logged-in Administrator or Reviewer whose session is not verified with a code reaches only the
    two-factor page and logout; everything else redirects there (the API answers 403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not two_factor_satisfied(user):
            allowed = (
                reverse("accounts:two_factor"),
                reverse("accounts:logout"),
                reverse("admin:logout"),
                "/" + settings.STATIC_URL.lstrip("/"),
                "/healthz",
            )
            if not request.path.startswith(allowed):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Two-factor verification is required for your role.")}, status=403)
                return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class LoginLanguageMiddleware:
    """The response to a login sets the language cookie to the user's own choice, if they made one
    (noted on the request by the user_logged_in receiver in accounts/signals.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if language := getattr(request, "login_language", ""):
            remember_on_response(response, language)
        return response
