"""Daily: make this year's reporting periods (and next year's, from December), remind secretaries of due and
overdue reports, send staff the digest of missing ones."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.periods import periods_create
from reports.reminders import send_reminders


class Command(BaseCommand):
    help = "Gửi email nhắc nộp báo cáo định kỳ (chạy hằng ngày; chạy lại không gửi trùng)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ngày chạy, dạng YYYY-MM-DD (mặc định: hôm nay)")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date phải có dạng YYYY-MM-DD") from None
        for year in (today.year, today.year + 1) if today.month == 12 else (today.year,):
            periods_create(year=year)
        result = send_reminders(today)
        self.stdout.write(
            f"{today:%d/%m/%Y}: đã gửi {len(result.sent)}, bỏ qua (đã gửi trước) {len(result.skipped)}, "
            f"lỗi {len(result.failed)}"
        )
        if result.failed:
            raise CommandError(f"{len(result.failed)} email không gửi được; chạy lại sẽ thử lại.")
