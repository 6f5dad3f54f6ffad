from django.contrib import admin
from django.urls import include, path

from baozhang.api.urls import api

admin.site.site_header = "Baozhang 保障"
admin.site.site_title = "Baozhang 保障"

urlpatterns = [
    path("", include("baozhang.web.urls")),
    path("accounts/", include("baozhang.accounts.urls")),
    path("notify/", include("baozhang.notify.urls")),
    path("agreements/", include("baozhang.sla.urls")),
    path("calendars/", include("baozhang.calendars.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
