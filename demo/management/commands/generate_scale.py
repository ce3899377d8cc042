from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo import scale


class Command(BaseCommand):
    help = (
        "Sinh dữ liệu quy mô lớn, xác định (cùng seed → cùng dữ liệu) để đo hiệu năng: --factor 1, 10, 100 "
        "(1 ≈ Đảng bộ Khối: 76 tổ chức, ~5.000 đảng viên; 100: 7.600 tổ chức, ~500.000 đảng viên)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--factor", type=float, default=1.0, help="1 ≈ Đảng bộ Khối (76 tổ chức, ~5.000 đảng viên)"
        )
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="xóa bộ dữ liệu sinh tự động đang có (tổ chức mã S…, bí thư scale_bithu_…) trước khi sinh",
        )
        parser.add_argument(
            "--chunks",
            type=int,
            default=None,
            help=f"chỉ sinh chừng này phần ({scale.CHUNK} tổ chức một phần) rồi dừng; chạy lại để tiếp tục",
        )

    def handle(self, *args, factor, seed, reset, chunks=None, **options):
        if factor <= 0 or factor > 1000:
            raise CommandError("--factor phải lớn hơn 0 và không quá 1000.")
        if reset:
            self.stdout.write("Xóa bộ dữ liệu sinh tự động cũ…")
            scale.reset(log=self.stdout.write)
        existing = scale.existing_factor()
        wanted = max(1, round(scale.ORGS_PER_FACTOR * factor))
        if existing and (existing != wanted or not scale.unfinished()):
            raise CommandError(
                f"Đã có {existing} tổ chức sinh tự động (mã S…): dùng --reset hoặc một cơ sở dữ liệu trống."
            )
        if existing:
            self.stdout.write(f"Tiếp tục sinh dữ liệu hệ số {factor:g} (seed {seed}) từ chỗ đã dừng…")
        else:
            self.stdout.write(f"Sinh dữ liệu hệ số {factor:g} (seed {seed})…")
        summary = scale.generate(factor, seed=seed, log=self.stdout.write, chunks=chunks)
        left = scale.unfinished()
        if left:
            self.stdout.write(f"Còn {left} tổ chức chưa sinh: chạy lại lệnh (không --reset).")
            return
        if connection.vendor == "postgresql":
            # Fresh statistics (without them the planner misjudges tables that just grew a hundredfold) and the
            # visibility map (index-only scans, e.g. the staff menu's count of reports waiting), as autovacuum
            # leaves a database in production. VACUUM cannot run in a transaction (a test's): ANALYZE alone there.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong trong {summary.seconds:.1f} s: {summary.organizations} tổ chức, {summary.members} đảng viên, "
                f"{summary.events} sự kiện, {summary.reports} báo cáo, {summary.study_lines} dòng học tập, "
                f"{summary.secretaries} bí thư."
            )
        )
