"""Demo discipline and inspection: every expulsion of the member simulation recorded as a khai trừ decision
linked to its exit event; a handful of reprimands and warnings of members rated "Không hoàn thành nhiệm vụ" in
2020 and 2021 (so the ratings agree with HD 21-HD/BTCTW §II.B), one appealed and upheld; one cell reprimanded
this year (not yet rated); and one inspection programme on the dues, concluded, with its remedies (one overdue,
one done, one not yet due)."""

from __future__ import annotations

import datetime as dt
import random

from discipline.models import (
    Appeal,
    AppealOutcome,
    DecidingBody,
    Discipline,
    InspectionProgramme,
    ProgrammeKind,
    ProgrammeStatus,
    Remedy,
    Subject,
    Violation,
)
from members.models import EventKind, MemberEvent, MemberRating
from organizations.models import Cell, Organization, Rating

from .members import MemberWorld

VIOLATIONS = [Violation.SINH_HOAT, Violation.NGUYEN_TAC, Violation.KINH_TE, Violation.PHAP_LUAT]
SUMMARIES = {
    Violation.SINH_HOAT: "Nhiều lần không tham gia sinh hoạt chi bộ, chậm đóng đảng phí không có lý do chính đáng.",
    Violation.NGUYEN_TAC: "Vi phạm nguyên tắc tập trung dân chủ trong thực hiện nhiệm vụ được giao.",
    Violation.KINH_TE: "Thiếu trách nhiệm trong quản lý tài chính, để xảy ra thất thoát.",
    Violation.PHAP_LUAT: "Vi phạm quy định về an toàn giao thông, bị xử phạt hành chính.",
}


def build_discipline(rng: random.Random, world: MemberWorld, *, inspector, today: dt.date) -> dict:
    persons = {p.member.pk: p for p in world.persons}
    rows = []
    # Expulsions: the simulation's exit events get their decision in the register.
    for event in MemberEvent.objects.filter(kind=EventKind.EXPELLED).select_related("member").order_by("pk"):
        rows.append(
            Discipline(
                subject=Subject.MEMBER, member=event.member, organization_id=event.organization_id,
                form="khai_tru", deciding_body=DecidingBody.BTV_DANG_UY_KHOI, decision_no=event.decision_no or "",
                decided_on=event.decided_on or event.effective_on, effective_on=event.effective_on,
                violation=Violation.PHAP_LUAT, summary=event.note or "Vi phạm tư cách đảng viên.",
                exit_event=event, recorded_by=inspector,
            )
        )  # fmt: skip
    # Reprimands and warnings of members rated KHTNV (HD 21 §II.B: disciplined in the year → KHTNV).
    number = 10
    for year, how_many in ((2020, 2), (2021, 3)):
        failing = list(
            MemberRating.objects.filter(year=year, grade=Rating.KHTNV)
            .order_by("member_id")
            .values_list("member_id", "organization_id")
        )
        chosen = 0
        for member_id, org_id in rng.sample(failing, len(failing)):
            p = persons[member_id]
            day = dt.date(year, rng.randint(4, 10), rng.randint(1, 28))
            org, _status = p.org_and_status_on(day)
            if org is None or org.pk != org_id:
                continue
            violation = rng.choice(VIOLATIONS)
            number += rng.randint(2, 6)
            rows.append(
                Discipline(
                    subject=Subject.MEMBER, member=p.member, organization_id=org_id,
                    form=rng.choice(["khien_trach", "khien_trach", "canh_cao"]),
                    deciding_body=DecidingBody.DANG_UY_CO_SO, decision_no=f"{number}-QĐ/ĐU", decided_on=day,
                    effective_on=day, violation=violation, summary=SUMMARIES[violation], recorded_by=inspector,
                )
            )  # fmt: skip
            chosen += 1
            if chosen == how_many:
                break
    # A cell reprimanded this year (its đảng bộ is rated only at the year's end).
    cell = Cell.objects.filter(organization__code="03").order_by("name").first()
    if cell is not None:
        day = today - dt.timedelta(days=40) if (today - dt.timedelta(days=40)).year == today.year else today
        rows.append(
            Discipline(
                subject=Subject.CELL, organization=cell.organization, cell=cell, form="khien_trach",
                deciding_body=DecidingBody.UBKT_DANG_UY_KHOI, decision_no=f"{today.year % 100}-QĐ/UBKTĐUK",
                decided_on=day, effective_on=day, violation=Violation.SINH_HOAT,
                summary="Chi bộ không duy trì sinh hoạt định kỳ trong nhiều tháng; thu nộp đảng phí không đầy đủ.",
                recorded_by=inspector,
            )
        )  # fmt: skip
    Discipline.objects.bulk_create(rows)
    appealed = next((d for d in rows if d.subject == Subject.MEMBER and d.form == "canh_cao"), None)
    if appealed is not None:
        Appeal.objects.create(
            discipline=appealed, lodged_on=appealed.decided_on + dt.timedelta(days=12),
            summary="Đề nghị xem xét lại hình thức kỷ luật.", outcome=AppealOutcome.UPHELD,
            outcome_decision_no="05-QĐ/UBKTĐUK", settled_on=appealed.decided_on + dt.timedelta(days=50),
            recorded_by=inspector,
        )  # fmt: skip
    # One inspection programme (this year's once its conclusion is past, else last year's): the dues of four
    # organisations, concluded, with remedies.
    year = today.year if today >= dt.date(today.year, 7, 1) else today.year - 1
    start = dt.date(year, 3, 2)
    programme = InspectionProgramme.objects.create(
        year=year, kind=ProgrammeKind.TAI_CHINH_DANG, in_plan=True, decision_no="12-QĐ/UBKTĐUK",
        title=f"Kiểm tra việc thu, nộp, quản lý và sử dụng đảng phí năm {year - 1}",
        starts_on=start, ends_on=start + dt.timedelta(days=45), status=ProgrammeStatus.CONCLUDED,
        concluded_on=start + dt.timedelta(days=60),
        conclusion="Các tổ chức cơ bản thực hiện đúng Quyết định 342-QĐ/TW; một số tổ chức nộp đảng phí lên "
        "Đảng ủy Khối chưa đúng hạn, sổ thu đảng phí ghi chưa đầy đủ.",
        recorded_by=inspector,
    )  # fmt: skip
    inspected = list(Organization.objects.filter(code__in=["07", "23", "41", "58"]).order_by("code"))
    programme.organizations.set(inspected)
    concluded = programme.concluded_on
    remedies = [
        (inspected[0], "Nộp đủ đảng phí còn thiếu của quý II lên Đảng ủy Khối.", concluded + dt.timedelta(days=30),
         concluded + dt.timedelta(days=20)),
        (inspected[1], "Bổ sung sổ thu đảng phí theo mẫu; thu đủ đảng phí của đảng viên còn nợ.",
         concluded + dt.timedelta(days=60), None),
        (inspected[3], "Xây dựng quy chế quản lý, sử dụng phần đảng phí được trích giữ lại.",
         max(today + dt.timedelta(days=30), concluded + dt.timedelta(days=90)), None),
    ]  # fmt: skip
    Remedy.objects.bulk_create(
        [
            Remedy(programme=programme, organization=org, requirement=text, deadline=deadline, done_on=done,
                   done_note="Đã khắc phục, có báo cáo." if done else "", recorded_by=inspector)
            for org, text, deadline, done in remedies
        ]
    )  # fmt: skip
    return {"disciplines": len(rows), "programmes": 1, "remedies": len(remedies)}
