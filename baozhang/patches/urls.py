from __future__ import annotations

from django.urls import path

from baozhang.patches import views

app_name = "patches"

urlpatterns = [
    path("", views.advisory_list, name="advisories"),
    path("new/", views.advisory_create, name="advisory_create"),
    path("import/", views.advisory_import, name="advisory_import"),
    path("inventory/import/", views.inventory_import, name="inventory_import"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("<int:pk>/", views.advisory_detail, name="advisory"),
    path("statuses/<int:pk>/", views.status_update, name="status"),
    path("<int:pk>/statuses/", views.status_bulk_update, name="status_bulk"),
]
