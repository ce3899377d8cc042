from django.apps import AppConfig


class KhoiPortalConfig(AppConfig):
    name = "khoi_portal"
    verbose_name = "Cổng thông tin Đảng ủy Khối"
