from __future__ import annotations

from django.urls import path

from baozhang.calendars import views

app_name = "calendars"

# Keys may not be "new", "schedules" or "try" (see models.RESERVED_KEYS).
urlpatterns = [
    path("", views.calendar_list, name="list"),
    path("new/", views.calendar_create, name="create"),
    path("schedules/", views.schedule_list, name="schedules"),
    path("schedules/<int:pk>/", views.schedule_detail, name="schedule_detail"),
    path("schedules/<int:pk>/delete/", views.schedule_delete, name="schedule_delete"),
    path("<slug:key>/", views.calendar_detail, name="detail"),
    path("<slug:key>/edit/", views.calendar_edit, name="edit"),
    path("<slug:key>/dates/", views.date_add, name="date_add"),
    path("<slug:key>/dates/remove/", views.date_remove, name="date_remove"),
]
