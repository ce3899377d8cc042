from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Chỉ tiêu và bảng điều khiển"

    def ready(self):
        from . import documents, evidence  # noqa: F401  (evidence: an officer's report duties beside their rating)

        documents.register_template_checks()
