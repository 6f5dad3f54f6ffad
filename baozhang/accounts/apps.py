from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "baozhang.accounts"
    label = "accounts"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from baozhang.accounts import signals  # noqa: F401  (connects sign-in recording)
        from baozhang.accounts.permissions import Capability, can, is_operator_staff
        from baozhang.events.selectors import Readers, set_readers

        # Who reads which events is a matter of roles, which the event log does not know.
        set_readers(
            Readers(
                read_audit=lambda user: can(user, Capability.VIEW_AUDIT),
                operator_staff=is_operator_staff,
            )
        )
