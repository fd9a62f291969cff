from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "rapport.framework"
    label = "framework"
    verbose_name = "Rapport framework"
