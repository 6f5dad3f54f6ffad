from __future__ import annotations

from django.urls import path

from baozhang.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("statistics/", views.statistics, name="statistics"),
    path("from-ticket/<int:ticket_id>/", views.from_ticket, name="from_ticket"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/edit/", views.incident_edit, name="edit"),
    path("<int:pk>/action/", views.incident_action, name="action"),
]
