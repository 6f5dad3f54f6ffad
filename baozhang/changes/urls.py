from __future__ import annotations

from django.urls import path

from baozhang.changes import views

app_name = "changes"

urlpatterns = [
    path("", views.change_list, name="list"),
    path("new/", views.change_create, name="create"),
    path("unauthorised/new/", views.unauthorised_create, name="unauthorised_create"),
    path("<int:pk>/", views.change_detail, name="detail"),
    path("<int:pk>/edit/", views.change_edit, name="edit"),
    path("<int:pk>/action/", views.change_action, name="action"),
    path("low-usage/", views.low_usage_list, name="low_usage"),
    path("low-usage/<int:service_id>/", views.low_usage_edit, name="low_usage_edit"),
    path("emergency-plans/", views.plan_list, name="plans"),
    path("emergency-plans/new/", views.plan_create, name="plan_create"),
    path("emergency-plans/<int:pk>/", views.plan_detail, name="plan"),
    path("emergency-plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("emergency-plans/<int:pk>/drills/", views.plan_drill, name="plan_drill"),
]
