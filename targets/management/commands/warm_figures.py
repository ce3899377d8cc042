"""Daily, just after midnight, and after each deployment: compute the day's figures once (the dashboard, its JSON
and the completeness matrix's counts of this year and last), so the first leader of the day does not wait for
them. The current year's figures are read as of today: at midnight every one of them is new. At the whole
Party's size that is about 45 s of work (docs/benchmarks.md, "cold cache"). Useful with a cache the app servers
share (``CACHE_URL`` Redis); the in-process default keeps them in this command's process only."""

import time

from django.core.management.base import BaseCommand

from core import datacache
from reports import timeliness
from reports.models import ReportKind
from targets import dashboard


class Command(BaseCommand):
    help = "Tính sẵn số liệu của ngày cho bảng điều khiển và ma trận báo cáo (chạy sau nửa đêm và sau khi triển khai)."

    def handle(self, *args, **options):
        on = dashboard.today()
        for year in (on.year, on.year - 1):
            started = time.monotonic()
            with datacache.one_version():
                dashboard.build_dashboard(year, on=on)
                dashboard.dashboard_json(year, on=on)
                for kind in ReportKind.values:
                    periods = [p for p in timeliness.periods_of_year(year) if p.kind == kind]
                    timeliness.cached_counts(periods, on)
            self.stdout.write(f"Năm {year}: {time.monotonic() - started:.1f} s")
