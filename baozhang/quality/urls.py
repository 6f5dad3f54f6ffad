from django.urls import path

from baozhang.quality import frozen_views, submissions_views, views

app_name = "quality"

urlpatterns = [
    path("report/", views.report_page, name="report"),
    path("report/records/", views.records_page, name="records"),
    path("report/frozen/", frozen_views.frozen_list, name="frozen_list"),
    path("report/frozen/<int:pk>/", frozen_views.frozen_detail, name="frozen"),
    path("report/frozen/<int:pk>/approve/", frozen_views.frozen_approve, name="frozen_approve"),
    path("report/frozen/<int:pk>/amend/", frozen_views.frozen_amend, name="frozen_amend"),
    path("report/frozen/<int:pk>/file/", frozen_views.frozen_file, name="frozen_file"),
    path(
        "report/frozen/<int:pk>/file.<str:fmt>",
        submissions_views.frozen_download,
        name="frozen_download",
    ),
    path("submissions/", submissions_views.submissions_page, name="submissions"),
    path("submissions/new/<int:pk>/", submissions_views.record_page, name="submission_new"),
]
