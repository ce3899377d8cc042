from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Chỉ tiêu và bảng điều khiển"
