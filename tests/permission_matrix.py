"""Who may do what on every URL: the permission matrix that tests/test_permissions.py checks.

Every URL name of the project has one entry. An entry says how to build the URL for an object of
organisation A ("own") and of organisation B ("other") and which answer each role gets, for GET and POST:

- ``anon``   — not logged in: always sent to the login page (checked for every URL, not listed here);
- ``own``    — the secretary of A, on A's object (or on a page without an object);
- ``other``  — the secretary of A, on B's object: 404, and nothing changes in the database;
- ``leader`` — leadership: reads, never changes (every POST refused, nothing changes);
- ``staff``  — committee staff: everything;
- ``cell``   — the secretary of A's cell (bí thư chi bộ), on A's object: their cell's members and meetings
  only; every other page answers 403 (``access.CellSecretaryGate``), whatever the method;
- ``cell_other`` — the same cell secretary on B's object: 404 on the pages they may use.
- ``inspector`` — the Bloc's Inspection Commission (``kiem_tra``): records the discipline and inspection
  registers, reads everything else like leadership (its answer is leadership's unless a line says otherwise).

An expected answer is a set of status codes. ``OK`` means the page works (200, or 302 after a POST that did
something, or a download); refusals are exact (403, 404, 405). Adding a URL means adding its line here: the
test fails for a URL without one.
"""

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from core.documents import DEFAULT_TEMPLATE
from discipline import services as discipline_services
from discipline.models import DecidingBody, Violation
from members import services as member_services
from members.models import Candidate, MeetingCriterion
from members.tests import factories as member_factories
from organizations.models import BlocYear, Cell, DocumentTemplate, Officer, OfficerTitle, OrganizationYear
from organizations.tests.factories import (
    OrganizationFactory,
    cell_secretary_user,
    inspection_user,
    leader_user,
    secretary_user,
    staff_user,
)
from reports.models import PeriodicReport, ReportAttachment, ReportingPeriod, Resolution
from reports.periods import periods_create
from targets.models import Target

OK = frozenset({200, 302})
FORBIDDEN = frozenset({403})
NOT_FOUND = frozenset({404})
NOT_ALLOWED = frozenset({405})
LOGIN = frozenset({302})
ROLES = ("own", "other", "leader", "staff", "cell", "cell_other", "inspector")


@dataclass(frozen=True)
class Rule:
    """Expected answers for one URL: per role, for GET and for POST."""

    get: dict
    post: dict
    kwargs: object = None  # callable(world, side) -> URL kwargs; side is "own" or "other"
    data: dict = field(default_factory=dict)  # what the POST sends
    query: object = ""  # a query string the page needs: "code=admissions", or callable(world) -> str


def rule(kind: str, kwargs=None, query="", *, cell: bool = False, **overrides) -> Rule:
    """The usual shapes of a rule:

    - ``read``: a page everyone may read within their scope; GET only.
    - ``read_all``: a page without an object that every role may read; GET only.
    - ``readers``: staff and leadership read it; a secretary gets 403; GET only.
    - ``work``: a page that changes an object of an organisation: staff and the organisation's secretary.
    - ``staff``: staff only (registry-wide changes).
    - ``post_work`` / ``post_staff``: like work / staff, but POST only (GET answers 405).
    - ``inspect``: a page of the discipline and inspection registers that records: the Inspection Commission
      only; every other role gets 403 before any object is looked up (a page the role may not use at all).

    The cell secretary gets 403 everywhere, unless `cell`: a page of their cell, where they get what the
    organisation's secretary gets ("cell" like "own", "cell_other" like "other").

    The Inspection Commission (``inspector``) gets leadership's answer unless ``get_inspector`` /
    ``post_inspector`` say otherwise.
    """
    scoped = kwargs is not None
    other_refusal = NOT_FOUND if scoped else None
    shapes = {
        "read": (
            {"own": OK, "other": other_refusal or OK, "leader": OK, "staff": OK},
            dict.fromkeys(ROLES, NOT_ALLOWED),
        ),
        "readers": (
            {"own": FORBIDDEN, "other": FORBIDDEN, "leader": OK, "staff": OK},
            dict.fromkeys(ROLES, NOT_ALLOWED),
        ),
        "work": (
            {"own": OK, "other": other_refusal or OK, "leader": FORBIDDEN, "staff": OK},
            {"own": OK, "other": other_refusal or OK, "leader": FORBIDDEN, "staff": OK},
        ),
        "staff": (
            {"own": FORBIDDEN, "other": FORBIDDEN, "leader": FORBIDDEN, "staff": OK},
            {"own": FORBIDDEN, "other": FORBIDDEN, "leader": FORBIDDEN, "staff": OK},
        ),
        "post_work": (
            dict.fromkeys(ROLES, NOT_ALLOWED),
            {"own": OK, "other": other_refusal or OK, "leader": FORBIDDEN, "staff": OK},
        ),
        "post_staff": (
            dict.fromkeys(ROLES, NOT_ALLOWED),
            {"own": FORBIDDEN, "other": FORBIDDEN, "leader": FORBIDDEN, "staff": OK},
        ),
        "inspect": (
            {
                "own": FORBIDDEN,
                "other": FORBIDDEN,
                "leader": FORBIDDEN,
                "staff": FORBIDDEN,
                "inspector": OK,
            },
            {
                "own": FORBIDDEN,
                "other": FORBIDDEN,
                "leader": FORBIDDEN,
                "staff": FORBIDDEN,
                "inspector": OK,
            },
        ),  # fmt: skip
    }
    get, post = shapes[kind]
    get, post = dict(get), dict(post)
    for answers in (get, post):
        answers["cell"] = answers["own"] if cell else FORBIDDEN
        answers["cell_other"] = answers["other"] if cell else FORBIDDEN
    for key, value in overrides.items():
        method, role = key.split("_", 1)
        if role in ("cell", "cell_other") and not cell:
            continue  # the gate answers 403 before the page's own refusals
        (get if method == "get" else post)[role] = frozenset(value)
    for method, answers in (("get", get), ("post", post)):
        if kind != "inspect" and f"{method}_inspector" not in overrides:
            answers["inspector"] = answers["leader"]
    return Rule(get=get, post=post, kwargs=kwargs, query=query)


def _pk(name):
    return lambda w, side: {"pk": getattr(w, side)[name].pk}


def _org(name):
    return lambda w, side: {name: getattr(w, side)["organization"].pk}


def _unit(w, side):
    return {"organization": getattr(w, side)["organization"].pk, "cell": getattr(w, side)["cell"].pk}


# --- the world every rule is checked in -------------------------------------------------------------------


def build_world():
    """Organisations A ("own") and B ("other"), each with a cell, officers, members, a candidate, a yearly
    record, a submitted report with an attachment; the three roles; a target and a resolution."""
    today = dt.date.today()
    year = today.year
    periods_create(year=year)
    periods_create(year=year - 1)
    period = ReportingPeriod.objects.filter(year=year - 1, kind="month").order_by("number").first()
    staff = staff_user("vp_matrix")
    leader = leader_user("ld_matrix")
    inspector = inspection_user("kt_matrix")
    sides = {}
    for side, code in (("own", "A1"), ("other", "B1")):
        org = OrganizationFactory(code=code, name=f"Đảng bộ {code}", joined_on=dt.date(2000, 1, 1))
        cell = Cell.objects.create(organization=org, name=f"Chi bộ 1 ({code})")
        secretary = secretary_user(org, username=f"bithu_{code.lower()}")
        officer = Officer.objects.get(user=secretary)
        clerk = get_user_model().objects.create_user(username=f"vanthu_{code.lower()}", password="x")
        officer_clerk = Officer.objects.create(user=clerk, organization=org, title=OfficerTitle.VAN_PHONG)
        member = member_factories.member(
            org, ceremony_on=dt.date(year - 2, 3, 10), name=f"Đảng viên {code}", cell=cell
        )
        cell_secretary = cell_secretary_user(cell, username=f"bithu_{code.lower()}.cb1")
        meeting = member_services.meeting_save(
            meeting=None,
            organization=org,
            cell=cell,
            data={"held_on": dt.date(year - 1, 3, 5), "kind": "thuong_ky", "topics": "Nhiệm vụ tháng 3"},
            attendance={},
            complete=False,
            by=staff,
        )
        candidate = member_factories.candidate(org, name=f"Quần chúng {code}")
        org_year = OrganizationYear.objects.create(organization=org, year=year - 1, party_rating="HTTNV")
        report = PeriodicReport.objects.create(organization=org, period=period)
        attachment = ReportAttachment.objects.create(
            report=report,
            file=ContentFile(b"%PDF-1.4 matrix", name=f"matrix-{code}.pdf"),
            original_name="bien-ban.pdf",
            content_type="application/pdf",
            size=15,
            uploaded_by=secretary,
        )
        disciplined = member_factories.member(
            org, ceremony_on=dt.date(year - 3, 3, 10), name=f"Đảng viên kỷ luật {code}", cell=cell
        )
        discipline = discipline_services.discipline_record(
            subject="member",
            member=disciplined,
            organization=org,
            form="khien_trach",
            deciding_body=DecidingBody.CHI_BO,
            decision_no=f"01-QĐ/{code}",
            decided_on=dt.date(year - 1, 6, 1),
            effective_on=dt.date(year - 1, 6, 1),
            violation=Violation.SINH_HOAT,
            summary="Không đóng đảng phí nhiều tháng.",
            by=inspector,
        )
        appeal = discipline_services.appeal_lodge(
            discipline=discipline,
            lodged_on=dt.date(year - 1, 6, 10),
            summary="Xin xem xét lại.",
            by=inspector,
        )
        programme = discipline_services.programme_save(
            programme=None,
            year=year - 1,
            kind="kiem_tra",
            title=f"Kiểm tra thu nộp đảng phí {code}",
            in_plan=True,
            decision_no="",
            starts_on=dt.date(year - 1, 3, 1),
            ends_on=dt.date(year - 1, 3, 31),
            organizations=[org],
            by=inspector,
        )
        remedy = discipline_services.remedy_add(
            programme=programme,
            organization=org,
            requirement="Thu đủ đảng phí.",
            deadline=dt.date(year - 1, 5, 1),
            by=inspector,
        )
        sides[side] = {
            "discipline": discipline,
            "appeal": appeal,
            "programme": programme,
            "remedy": remedy,
            "organization": org,
            "cell": cell,
            "secretary": secretary,
            "officer": officer,
            "officer_clerk": officer_clerk,
            "member": member,
            "candidate": candidate,
            "org_year": org_year,
            "report": report,
            "attachment": attachment,
            "cell_secretary": cell_secretary,
            "meeting": meeting,
        }
    resolution = Resolution.objects.create(year=year, title="Nghị quyết thử", short_title="NQ thử")
    target = Target.objects.create(year=year, indicator="admissions", comparator="gte", value=120)
    document_template = DocumentTemplate(original_name="mau-tinh.docx", size=1, uploaded_by=staff)
    document_template.file.save("matrix.docx", ContentFile(DEFAULT_TEMPLATE.read_bytes()), save=False)
    document_template.save()
    BlocYear.objects.create(year=year - 1, rating="HTXSNV")
    member_services.meeting_criteria_from_guidance(year=year, by=staff)
    criterion = MeetingCriterion.objects.filter(year=year).first()
    return SimpleNamespace(
        own=sides["own"],
        other=sides["other"],
        staff=staff,
        leader=leader,
        inspector=inspector,
        secretary=sides["own"]["secretary"],
        cell_secretary=sides["own"]["cell_secretary"],
        criterion=criterion,
        period=period,
        year=year,
        resolution=resolution,
        target=target,
        document_template=document_template,
        candidate_model=Candidate,
    )


# --- the matrix ------------------------------------------------------------------------------------------

MATRIX: dict[str, Rule] = {
    # Accounts and the role home
    "home": rule("read", cell=True),
    "baseline": rule("read", cell=True),
    # A logged-in user who opens or posts the login page is sent on to their home page.
    "login": rule("read", cell=True, **{f"post_{r}": OK for r in ROLES}),
    "logout": rule("post_work", cell=True, **{"post_leader": OK}),
    "password_change": rule("work", cell=True, **{"get_leader": OK, "post_leader": OK}),
    "password_change_done": rule("read", cell=True),
    "lockout_list": rule("readers", get_leader=FORBIDDEN),
    "lockout_reset": rule("post_staff"),
    # Organisations
    "organizations:organization_list": rule("read"),
    "reports:organization_obligations": rule("read", _pk("organization")),
    "organizations:organization_detail": rule("read", _pk("organization")),
    "organizations:organization_create": rule("staff"),
    "organizations:organization_edit": rule("work", _pk("organization")),
    "organizations:organization_leave": rule("staff", _pk("organization")),
    "organizations:organization_return": rule("staff", _pk("organization")),
    "organizations:congress_record": rule("staff", _pk("organization")),
    "organizations:organization_import": rule("staff"),
    "organizations:cell_create": rule("staff", _pk("organization")),
    "organizations:cell_edit": rule(
        "staff", lambda w, s: {"pk": w.__dict__[s]["organization"].pk, "cell_pk": w.__dict__[s]["cell"].pk}
    ),
    "organizations:officer_add": rule("staff", _pk("organization")),
    # POST only; the role check comes first, so others get 403 even for a GET.
    "organizations:officer_end": rule(
        "staff",
        lambda w, s: {
            "pk": w.__dict__[s]["organization"].pk,
            "officer_pk": w.__dict__[s]["officer_clerk"].pk,
        },
        get_staff=NOT_ALLOWED,
    ),
    "organizations:year_create": rule("staff", _pk("organization")),
    "organizations:year_edit": rule(
        "staff", lambda w, s: {"pk": w.__dict__[s]["organization"].pk, "year": w.__dict__[s]["org_year"].year}
    ),
    "organizations:bloc_year_list": rule("read"),
    "organizations:bloc_year_create": rule("staff"),
    "organizations:bloc_year_edit": rule("staff", lambda w, s: {"year": w.year - 1}),
    # The register of outgoing documents: staff and leadership read it (GET only).
    "organizations:outgoing_list": rule("readers"),
    # The Word template of the official documents: staff only; POST without a file shows the form's error.
    "organizations:document_template": rule("staff"),
    "organizations:document_template_download": rule("staff", **{f"post_{r}": NOT_ALLOWED for r in ROLES}),
    "organizations:document_template_withdraw": rule(
        "staff", lambda w, s: {"pk": w.document_template.pk}, get_staff=NOT_ALLOWED
    ),
    # Members
    "members:member_list": rule("read", cell=True),
    "members:member_detail": rule("read", _pk("member"), cell=True),
    "members:member_create": rule("work"),
    "members:member_edit": rule("work", _pk("member")),
    "members:member_rating": rule("work", _pk("member")),
    "members:member_action": rule("work", lambda w, s: {"pk": w.__dict__[s]["member"].pk, "action": "full"}),
    # The committee's one extension of its deadline on full membership: staff and the member's TCCSĐ secretary.
    "members:member_extension": rule("work", _pk("member")),
    "members:member_import": rule("staff"),
    "members:overdue_list": rule("read"),
    # Everyone reads the round list in their scope; staff and a secretary record a dossier status (POST).
    "members:badge_round_list": rule(
        "read", post_own=OK, post_other=OK, post_leader=FORBIDDEN, post_staff=OK
    ),
    "members:day_off_list": rule("staff"),
    "members:rating_bulk": rule("work", lambda w, s: {"organization": w.__dict__[s]["organization"].pk}),
    # Cell meetings: the cell's secretary, the organisation's secretary (all its cells), staff; leadership reads.
    "members:meeting_list": rule("read", _org("organization"), cell=True),
    "members:meeting_unit": rule("read", _unit, cell=True),
    "members:meeting_create": rule("work", _unit, cell=True),
    "members:meeting_detail": rule("read", _pk("meeting"), cell=True),
    "members:meeting_edit": rule("work", _pk("meeting"), cell=True),
    "members:meeting_grid": rule("readers"),
    "members:meeting_criteria": rule("staff"),
    "members:meeting_criterion_edit": rule("staff", lambda w, s: {"pk": w.criterion.pk}),
    "members:candidate_list": rule("read"),
    "members:candidate_detail": rule("read", _pk("candidate")),
    "members:candidate_create": rule("work"),
    "members:candidate_edit": rule("work", _pk("candidate")),
    "members:candidate_admit": rule("work", _pk("candidate")),
    # Reports
    "reports:report_list": rule("read"),
    "reports:report_detail": rule("read", _pk("report")),
    # The secretary's entry point for a period: opens (creating if needed) their organisation's report. The
    # period belongs to no organisation, so "other" is the secretary's own report; staff have no organisation
    # of their own to open a report for (404); leadership may not file (403). GET only.
    # The period's page for the user's own organisation (staff name one with ?organization=): GET shows it,
    # POST starts the report ("Bắt đầu nhập báo cáo").
    "reports:report_open": rule(
        "work",
        lambda w, s: {"period_id": w.period.pk},
        get_other=OK,
        get_staff={404},
        post_other=OK,
        post_staff={404},
    ),
    "reports:report_edit": rule("work", _pk("report")),
    # An empty autosave is a bad request (400); the point here is who may send one.
    "reports:report_autosave": rule("post_work", _pk("report"), post_own={400}, post_staff={400}),
    # The step before "Nộp báo cáo": what will be sent (GET), and the submission (POST; the world's draft is
    # incomplete, so it is refused with the reasons and sent back to the page: 302).
    "reports:report_confirm": rule("work", _pk("report")),
    "reports:report_compare": rule("read", _pk("report")),
    # Staff's review queue (GET only) and the bulk accept of the reports ticked in it (POST only).
    "reports:review_queue": rule("staff", **{f"post_{r}": NOT_ALLOWED for r in ROLES}),
    "reports:review_accept_selected": rule("post_staff"),
    # The report as an official document (PDF, DOCX): whoever may read it; numbered by its organisation.
    "reports:report_document": rule("read", _pk("report"), query="format=pdf"),
    "reports:report_issue": rule("work", _pk("report")),
    "reports:report_return": rule("staff", _pk("report")),
    "reports:report_accept": rule("post_staff", _pk("report")),
    "reports:attachment_upload": rule("post_work", _pk("report")),
    "reports:attachment_download": rule("read", _pk("attachment")),
    "reports:attachment_remove": rule("post_work", _pk("attachment")),
    # Keeps the session of someone filling a report alive: 204, for those who may file (not leadership).
    "reports:keepalive": rule("work", get_own={204}, post_own={204}, get_staff={204}, post_staff={204}),
    "reports:matrix": rule("readers"),
    "reports:periods_make": rule("post_staff"),
    "reports:period_status": rule("readers", query=lambda w: f"period={w.period.pk}"),
    # "Gửi nhắc" from the period's page (staff; without a period it sends nothing and goes to the matrix) and
    # the log of every reminder sent (staff and leadership read it).
    "reports:reminder_send": rule("post_staff"),
    "reports:reminder_log": rule("readers"),
    "reports:period_summary": rule("readers", query=lambda w: f"period={w.period.pk}"),
    "reports:period_summary_issue": rule("staff", query=lambda w: f"period={w.period.pk}"),
    "reports:resolution_list": rule("readers"),
    "reports:resolution_create": rule("staff"),
    "reports:resolution_update": rule("staff", lambda w, s: {"pk": w.resolution.pk}),
    "reports:resolution_copy": rule("post_staff"),
    "reports:schedule_list": rule("staff"),
    "targets:target_list": rule("readers"),
    "targets:target_create": rule("staff"),
    "targets:target_update": rule("staff", lambda w, s: {"pk": w.target.pk}),
    "targets:target_copy": rule("post_staff"),
    # Dashboard
    "dashboard:dashboard": rule("readers"),
    "dashboard:data_json": rule("readers"),
    "dashboard:year_close": rule("post_staff"),
    "dashboard:export_xlsx": rule("readers"),
    "dashboard:brief": rule("readers", query="format=pdf"),
    "dashboard:brief_issue": rule("staff"),
    "dashboard:indicator_records": rule("readers", query="code=admissions"),
    "dashboard:organization": rule("read", _pk("organization")),
    # The rating evidence pack of an organisation's year (PDF/DOCX with ?format=): whoever sees the organisation.
    "targets:rating_evidence": rule(
        "read", lambda w, s: {"pk": w.__dict__[s]["organization"].pk, "year": w.year - 1}
    ),
    # The evidence beside a member's rating, printed (PDF by default, ?format=docx): whoever sees the member.
    "targets:member_rating_evidence": rule(
        "read", lambda w, s: {"pk": w.__dict__[s]["member"].pk, "year": w.year - 1}, query="format=docx"
    ),
    # Party dues: everyone reads their scope; staff and the organisation's secretary record (leadership and the
    # Inspection Commission read the month's sheet and the remittances); the yearly report is for the readers.
    "members:dues_overview": rule("read"),
    "members:dues_report": rule("readers", query=lambda w: f"year={w.year - 1}&format=xlsx"),
    "members:dues_settings": rule("staff"),
    "members:dues_policy": rule("staff"),
    "members:dues_month": rule(
        "work",
        lambda w, s: {"organization": w.__dict__[s]["organization"].pk},
        get_leader=OK,
        get_inspector=OK,
    ),
    # One cell's sheet: also that cell's secretary (the chi bộ collects); another cell's answers 404.
    "members:dues_cell": rule("work", _unit, cell=True, get_leader=OK, get_inspector=OK),
    "members:dues_remittances": rule(
        "work",
        lambda w, s: {"organization": w.__dict__[s]["organization"].pk},
        get_leader=OK,
        get_inspector=OK,
    ),
    "members:member_dues": rule("work", _pk("member")),
    # A month's dues from a spreadsheet: staff and the organisation's secretary (another organisation's 404).
    "members:dues_import": rule("work", _org("organization")),
    # Discipline and inspection: the Inspection Commission records (everyone else 403 on those pages); staff and
    # leadership read; a secretary reads their own organisation's entries (another organisation's answers 404).
    "discipline:discipline_list": rule("read"),
    "discipline:discipline_create": rule("inspect"),
    "discipline:discipline_detail": rule("read", _pk("discipline")),
    "discipline:appeal_create": rule("inspect", _pk("discipline")),
    "discipline:appeal_settle": rule("inspect", _pk("appeal")),
    "discipline:programme_list": rule("read"),
    "discipline:programme_create": rule("inspect"),
    "discipline:programme_detail": rule("read", _pk("programme")),
    "discipline:programme_edit": rule("inspect", _pk("programme")),
    "discipline:programme_conclude": rule("inspect", _pk("programme")),
    "discipline:remedy_create": rule("inspect", _pk("programme")),
    "discipline:remedy_done": rule("inspect", _pk("remedy")),
}
