from __future__ import annotations

from django.urls import path

from baozhang.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.monitor_list, name="monitors"),
    path("monitors/new/", views.monitor_create, name="monitor_create"),
    path("monitors/<int:pk>/", views.monitor_detail, name="monitor"),
    path("monitors/<int:pk>/edit/", views.monitor_edit, name="monitor_edit"),
    path("monitors/<int:pk>/action/", views.monitor_action, name="monitor_action"),
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/delete/", views.service_delete, name="service_delete"),
    path("regions/", views.region_list, name="regions"),
]
