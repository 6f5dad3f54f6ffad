from __future__ import annotations

from django.urls import path

from baozhang.assets import views

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("new/", views.asset_create, name="create"),
    path("<int:pk>/", views.asset_detail, name="detail"),
    path("<int:pk>/edit/", views.asset_edit, name="edit"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("documents/<int:doc_id>/", views.document_file, name="document"),
]
