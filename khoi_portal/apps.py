from django.apps import AppConfig


class KhoiPortalConfig(AppConfig):
    name = "khoi_portal"
    verbose_name = "Cổng thông tin Đảng ủy Khối"

    def ready(self):
        from . import security  # noqa: F401  (connects the login and lockout loggers)
