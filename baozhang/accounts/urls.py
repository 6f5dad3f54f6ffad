from django.urls import path

from baozhang.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.otp_view, name="otp"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language_view, name="language"),
    path("security/", views.security_view, name="security"),
    path("password/", views.password_view, name="password"),
    path("tokens/<int:pk>/revoke/", views.revoke_token_view, name="revoke_token"),
]
