"""python manage.py load_demo [--reset] [--force]: the deterministic demo data set (contract in DESIGN.md)."""

import random
import time
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo import discipline as discipline_demo
from demo import dues as dues_demo
from demo import meetings as meeting_demo
from demo import members as member_demo
from demo import organizations as org_demo
from demo import reports as report_demo
from organizations import access
from organizations.models import Organization
from reports.models import DEFAULT_SCHEDULE, ReportingSchedule

SEED = 2021


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: 76 tổ chức, đảng viên, báo cáo, chỉ tiêu; tài khoản vanphong, lanhdao, bithu01…bithu76."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Xóa toàn bộ dữ liệu rồi nạp lại.")
        parser.add_argument("--force", action="store_true", help="Cho phép chạy khi DEBUG tắt.")

    def handle(self, *args, reset=False, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Không nạp dữ liệu mẫu khi DEBUG tắt (môi trường thật). Dùng --force nếu chắc chắn."
            )
        if Organization.objects.exists():
            if not reset:
                self.stdout.write("Dữ liệu mẫu đã có sẵn; không nạp lại (dùng --reset để nạp lại từ đầu).")
                self.print_accounts()
                return
            call_command("flush", interactive=False, verbosity=0)
        started = time.monotonic()
        self.load(random.Random(SEED))
        self.stdout.write(
            self.style.SUCCESS(f"Đã nạp dữ liệu mẫu trong {time.monotonic() - started:.1f} giây.")
        )
        self.print_accounts()

    @transaction.atomic
    def load(self, rng):
        # flush (for --reset) also empties what the data migrations made: make sure it is there.
        for name in access.ROLES:
            Group.objects.get_or_create(name=name)
        for kind, (due_days, remind) in DEFAULT_SCHEDULE.items():
            ReportingSchedule.objects.get_or_create(
                kind=kind, defaults={"due_days": due_days, "remind_days_before": remind}
            )
        today = timezone.localdate()
        steps = []
        clock = time.monotonic()

        def step(label):
            nonlocal clock
            now = time.monotonic()
            steps.append(f"{label} {now - clock:.1f}s")
            clock = now

        orgs = org_demo.build_organizations(rng)
        users = org_demo.build_users(orgs)
        step("tổ chức, tài khoản")
        world = member_demo.build_members(rng, orgs, staff=users["staff"], today=today)
        member_demo.link_secretary_accounts(users["secretaries"])
        step("đảng viên")
        roll = Counter(p.org.pk for p in world.persons if p.status in member_demo.ACTIVE)
        org_demo.build_years(rng, orgs, roll, today, staff=users["staff"])
        candidates = member_demo.build_candidates(rng, world, staff=users["staff"])
        rating_years = sorted({y for y in (2020, 2021, today.year - 1) if y < today.year})
        ratings = member_demo.build_ratings(rng, world, rating_years, staff=users["staff"])
        step("số liệu năm, quần chúng ưu tú, xếp loại")
        meeting_demo.build_criteria(sorted({2021, today.year}), staff=users["staff"])
        book = meeting_demo.build_meetings(orgs, today=today, staff=users["staff"])
        self.cell_secretaries = meeting_demo.build_cell_secretaries(orgs, users["staff"].password)
        step("sinh hoạt chi bộ")
        counts = report_demo.build_reports(
            rng,
            orgs,
            world,
            staff=users["staff"],
            secretaries=users["secretaries"],
            today=today,
            meetings=book,
        )
        step("báo cáo")
        dues = dues_demo.build_dues(rng, orgs, world, staff=users["staff"], today=today)
        step("đảng phí")
        discipline = discipline_demo.build_discipline(rng, world, inspector=users["inspector"], today=today)
        step("kỷ luật, kiểm tra")
        admitted = Counter(
            ev.decided_on.year for _p, ev in world.events() if ev.kind == member_demo.EventKind.ADMITTED
        )
        full = Counter(
            ev.decided_on.year for _p, ev in world.events() if ev.kind == member_demo.EventKind.FULL_MEMBER
        )
        years = range(2020, today.year + 1)
        self.stdout.write(
            f"{len(orgs)} tổ chức; {sum(roll.values())} đảng viên đang sinh hoạt "
            f"({len(world.persons)} hồ sơ); {candidates} quần chúng ưu tú đang bồi dưỡng; {ratings} lượt xếp loại "
            f"({', '.join(map(str, rating_years))}).\n"
            f"Kết nạp theo năm: {', '.join(f'{y}: {admitted[y]}' for y in years)}.\n"
            f"Công nhận chính thức: {', '.join(f'{y}: {full[y]}' for y in years)}.\n"
            f"{counts['periods']} kỳ báo cáo, {counts['reports']} báo cáo, {counts['resolutions']} nghị quyết, "
            f"{counts['targets']} chỉ tiêu. {meeting_demo.CellMeeting.objects.count()} buổi sinh hoạt chi bộ.\n"
            f"Đảng phí: {dues['lines']} dòng thu, {dues['remittances']} lần nộp lên Khối; không đóng 3 tháng: "
            f"{', '.join(dues['flagged'])}. Kỷ luật: {discipline['disciplines']} quyết định; "
            f"{discipline['programmes']} cuộc kiểm tra, {discipline['remedies']} yêu cầu khắc phục.\n"
            f"Thời gian: {'; '.join(steps)}."
        )

    def print_accounts(self):
        self.stdout.write(
            "Tài khoản mẫu (mật khẩu demo-khoi-2021):\n"
            "  vanphong            Văn phòng Đảng ủy Khối (toàn quyền)\n"
            "  lanhdao             Lãnh đạo Đảng ủy Khối (chỉ xem)\n"
            "  kiemtra             Ủy ban Kiểm tra Đảng ủy Khối (sổ kỷ luật, kiểm tra, giám sát)\n"
            "  bithu01 … bithu76   Bí thư tổ chức cơ sở đảng 01 … 76\n"
            "  bithu01.cb1 …       Bí thư chi bộ trực thuộc (chi bộ thứ 1, 2… theo tên) của các tổ chức "
            f"{', '.join(meeting_demo.CELL_SECRETARY_ORGS)}: "
            + ", ".join(
                get_user_model()
                .objects.filter(groups__name=access.CELL_SECRETARY)
                .order_by("username")
                .values_list("username", flat=True)
            )
        )
