from django.urls import path

from baozhang.staffing import views

app_name = "staffing"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("shifts/add/", views.shift_add, name="shift_add"),
    path("shifts/<int:pk>/delete/", views.shift_delete, name="shift_delete"),
    path("copy-week/", views.copy_week, name="copy_week"),
    path("promise/", views.promise, name="promise"),
    path("seats/", views.seats, name="seats"),
    path("seats/<int:pk>/toggle/", views.seat_toggle, name="seat_toggle"),
]
