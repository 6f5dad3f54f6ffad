from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, reverse

from baozhang.api_site import api
from baozhang.quality import paths as quality_paths

admin.site.site_header = "Baozhang 保障"
admin.site.site_title = "Baozhang 保障"
# One sign-in page for everything, so lockout and two-factor sign-in cannot be side-stepped
# through the admin's own login form.
admin.site.login = lambda request, extra_context=None: redirect_to_login(  # type: ignore[method-assign]
    request.GET.get("next") or reverse("admin:index"), reverse("accounts:login")
)

urlpatterns = [
    path("", include("baozhang.web.urls")),
    path("accounts/", include("baozhang.accounts.urls")),
    path("notify/", include("baozhang.notify.urls")),
    path("calls/", include("baozhang.calls.urls")),
    path("desk/measures/", include("baozhang.quality.measures_urls")),
    path(quality_paths.EQUIPMENT_FIGURES, include("baozhang.quality.equipment_urls")),
    path("quality/", include("baozhang.quality.urls")),
    path("desk/", include("baozhang.desk.urls")),
    path("mail/", include("baozhang.mailin.urls")),
    path("staffing/", include("baozhang.staffing.urls")),
    path("agreements/", include("baozhang.sla.urls")),
    path("calendars/", include("baozhang.calendars.urls")),
    path("monitoring/", include("baozhang.monitoring.urls")),
    path("incidents/", include("baozhang.incidents.urls")),
    path("maintenance/", include("baozhang.maintenance.urls")),
    path("analysis/", include("baozhang.analysis.urls")),
    path("assets/", include("baozhang.assets.urls")),
    path("upkeep/", include("baozhang.upkeep.urls")),
    path("backups/", include("baozhang.backups.urls")),
    path("patches/", include("baozhang.patches.urls")),
    path("changes/", include("baozhang.changes.urls")),
    path("status/", include("baozhang.status.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# The database away answers 503 (a bilingual page, or JSON under /api/), never a 500.
handler500 = "baozhang.web.unavailable.server_error"
