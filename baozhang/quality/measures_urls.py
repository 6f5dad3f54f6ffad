from django.urls import path

from baozhang.quality import measures_views

app_name = "measures"

urlpatterns = [
    path("", measures_views.dashboard, name="dashboard"),
]
