from __future__ import annotations

from django.urls import path

from baozhang.analysis import views

app_name = "analysis"

urlpatterns = [
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<int:pk>/", views.category_change, name="category"),
]
