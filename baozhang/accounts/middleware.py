from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation

from baozhang.api.errors import error_body


class UserLanguageMiddleware:
    """A signed-in person sees the language they chose, whatever the browser says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class RequireVerifiedMiddleware:
    """A session whose person has turned on two-factor sign-in counts only once the code
    was given (django-otp's is_verified), whichever login page made it (X4)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from baozhang.accounts.otp import has_confirmed_device

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and has_confirmed_device(user)
        ):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    error_body("unauthorised", translation.gettext("Two-factor sign-in required")),
                    status=401,
                )
            return redirect("accounts:login")
        return self.get_response(request)
