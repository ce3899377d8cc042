from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Chỉ tiêu và bảng điều khiển"

    def ready(self):
        from . import evidence  # noqa: F401  (registers an officer's report duties beside their rating)
