from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = "Chỉ tiêu và bảng điều khiển"

    def ready(self):
        from . import consistency, documents, evidence  # noqa: F401  (evidence: an officer's report duties)

        documents.register_template_checks()
        consistency.register()  # manage.py tally_check also compares the cached figures with the raw records
