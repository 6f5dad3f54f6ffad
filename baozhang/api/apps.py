from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "baozhang.api"
    label = "api"
    verbose_name = "API"
