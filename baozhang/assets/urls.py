from __future__ import annotations

from django.urls import path

from baozhang.assets import project_views, views

app_name = "assets"

urlpatterns = [
    path("", views.asset_list, name="list"),
    path("new/", views.asset_create, name="create"),
    path("<int:pk>/", views.asset_detail, name="detail"),
    path("<int:pk>/edit/", views.asset_edit, name="edit"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("documents/<int:doc_id>/", views.document_file, name="document"),
    path("projects/", project_views.project_list, name="projects"),
    path("projects/new/", project_views.project_create, name="project_create"),
    path("projects/<int:pk>/", project_views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", project_views.project_edit, name="project_edit"),
    path("projects/<int:pk>/tests/", project_views.test_add, name="project_test_add"),
    path("projects/<int:pk>/items/", project_views.item_add, name="project_item_add"),
    path(
        "projects/items/<int:item_id>/check/", project_views.item_check, name="project_item_check"
    ),
    path("projects/<int:pk>/accept/", project_views.project_accept, name="project_accept"),
]
