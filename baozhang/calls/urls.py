from django.urls import path

from baozhang.calls import views

app_name = "calls"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("log/", views.log_call, name="log"),
    path("<int:call_id>/", views.call_detail, name="detail"),
]
