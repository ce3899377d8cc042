from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Báo cáo và chỉ tiêu"

    def ready(self):
        # The punctuality tallies follow every report, period and membership spell written (reports.tallies).
        from . import documents, tallies

        tallies.connect()
        documents.register_template_checks()
