from django.urls import path

from baozhang.quality import views

app_name = "quality"

urlpatterns = [
    path("report/", views.report_page, name="report"),
]
