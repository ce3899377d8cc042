from django.apps import AppConfig


class DisciplineConfig(AppConfig):
    name = "discipline"
    verbose_name = "Kỷ luật, kiểm tra, giám sát"
