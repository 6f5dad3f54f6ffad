from django.urls import path

from baozhang.sla import views

app_name = "sla"

urlpatterns = [
    path("", views.agreement_list, name="agreements"),
    path("new/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/", views.agreement_detail, name="agreement"),
    path("<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/action/", views.agreement_action, name="agreement_action"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
]
