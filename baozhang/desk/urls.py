from django.urls import path

from baozhang.desk import attachment_views, callback_views, complaint_analysis, sms_views, views

app_name = "desk"

urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new/", views.ticket_create, name="ticket_create"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("views/save/", views.save_view, name="save_view"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/action/", views.ticket_action, name="ticket_action"),
    path(
        "tickets/<int:pk>/analysis/",
        complaint_analysis.complaint_analysis,
        name="complaint_analysis",
    ),
    path("attachments/<int:pk>/", attachment_views.download, name="attachment"),
    path("callbacks/", callback_views.callback_list, name="callbacks"),
    path("sms/", sms_views.sms_list, name="sms"),
    path("sms/<int:pk>/release/", sms_views.sms_release, name="sms_release"),
    path("callbacks/<int:pk>/", callback_views.callback_detail, name="callback"),
    path("survey/<str:token>/", callback_views.survey, name="survey"),
]
