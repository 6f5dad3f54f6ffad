"""A person whose token, roles and organisation are restored before each fuzzed call, so
that a case that revoked the caller's token, deactivated their organisation or took their
roles does not lock the rest of the run out. Used by test_api_fuzz.py and by the
schemathesis command-line hooks (bench/fuzz_hooks.py)."""

from __future__ import annotations

from baozhang.accounts import services as accounts
from baozhang.accounts.models import ApiToken, Organisation, User


class Identity:
    """A person whose token, roles and organisation are restored before each case."""

    def __init__(self, user: User) -> None:
        self.pk = user.pk
        self.roles = sorted(r for r in user.groups.values_list("name", flat=True))
        self.org_pk = user.organisation_id
        self.secret = ""
        self.calls = 0

    def headers(self) -> dict[str, str]:
        self.calls += 1
        user = User.objects.get(pk=self.pk)
        org = Organisation.objects.get(pk=self.org_pk)
        if not org.is_active:
            accounts.update_organisation(None, org, is_active=True)
        if not user.is_active:
            User.objects.filter(pk=user.pk).update(is_active=True)
        if sorted(user.groups.values_list("name", flat=True)) != self.roles:
            accounts.set_roles(None, user, self.roles)
        if (
            not self.secret
            or not ApiToken.objects.filter(
                prefix=self.secret[:10], revoked_at__isnull=True
            ).exists()
        ):
            self.secret = accounts.create_token(None, user, name="fuzz")[1]
        return {"Authorization": f"Bearer {self.secret}"}
