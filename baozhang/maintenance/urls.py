from __future__ import annotations

from django.urls import path

from baozhang.maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("", views.window_list, name="list"),
    path("new/", views.window_create, name="create"),
    path("<int:pk>/", views.window_detail, name="detail"),
    path("<int:pk>/reschedule/", views.window_reschedule, name="reschedule"),
    path("<int:pk>/cancel/", views.window_cancel, name="cancel"),
]
