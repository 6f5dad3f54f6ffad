from __future__ import annotations

from django.urls import path

from baozhang.upkeep import views

app_name = "upkeep"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/generate/", views.plan_generate, name="plan_generate"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/record/", views.order_record, name="order_record"),
    path("orders/<int:pk>/accept/", views.order_accept, name="order_accept"),
    path("orders/<int:pk>/assign/", views.order_assign, name="order_assign"),
    path("photos/<int:photo_id>/", views.photo_file, name="photo"),
    path("completeness/", views.completeness, name="completeness"),
]
