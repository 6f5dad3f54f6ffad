from django.urls import path

from baozhang.mailin import views

app_name = "mailin"

urlpatterns = [
    path("", views.quarantine, name="quarantine"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/raw", views.raw, name="raw"),
    path("<int:pk>/release", views.release, name="release"),
    path("<int:pk>/ignore", views.ignore, name="ignore"),
]
