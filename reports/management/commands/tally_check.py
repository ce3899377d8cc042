"""The kept figures against the raw records: recompute every tally, and every figure the cache serves, and print
each difference (exit code 1 when there is any); ``--fix`` rewrites the tallies from the raw records (after a
restore or a bulk load) and drops the cached figures that differ. The checks: ``reports.tallies.CHECKS``."""

from django.core.management.base import BaseCommand, CommandError

from reports import tallies


class Command(BaseCommand):
    help = (
        "Tính lại mọi số liệu tổng hợp và số liệu trong bộ nhớ đệm từ dữ liệu gốc, in các chỗ khác nhau "
        "(mã thoát 1 nếu có); --fix ghi lại số liệu tổng hợp từ dữ liệu gốc và xóa bộ nhớ đệm nếu khác."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Ghi lại số liệu tổng hợp từ dữ liệu gốc, xóa số liệu đệm sai"
        )

    def handle(self, *args, fix=False, **options):
        remaining = 0
        for what, differences, rebuild in tallies.CHECKS:
            found = differences()
            for line in found:
                self.stdout.write(f"  {line}")
            if found and fix:
                rebuild()
                left = differences()
                self.stdout.write(f"{what}: đã sửa {len(found) - len(left)} chỗ khác nhau.")
                found = left
            remaining += len(found)
            self.stdout.write(f"{what}: {len(found)} chỗ khác nhau.")
        if remaining:
            raise CommandError(f"Số liệu tổng hợp khác dữ liệu gốc ở {remaining} chỗ.")
