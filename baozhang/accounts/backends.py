from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class ActiveOrganisationBackend(ModelBackend):
    """Django's password backend, plus: a person of a deactivated organisation cannot sign
    in, and an open session of theirs ends at the next request."""

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        org = getattr(user, "organisation", None)
        return org is None or org.is_active
