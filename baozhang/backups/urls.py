from __future__ import annotations

from django.urls import path

from baozhang.backups import views

app_name = "backups"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.job_create, name="create"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/edit/", views.job_edit, name="edit"),
    path("<int:pk>/rehearsals/", views.rehearsal_add, name="rehearsal_add"),
]
