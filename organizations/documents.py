"""Who issues an official document and how its header and signature read: the Bloc committee or one
organisation (Hướng dẫn 36-HD/VPTW 2018, part II, items 2 and 7).

- The Bloc committee: "ĐẢNG BỘ TỈNH QUẢNG TRỊ" / "ĐẢNG ỦY KHỐI …", numbers "…-BC/ĐUK", signed
  "T/M BAN THƯỜNG VỤ".
- A đảng bộ cơ sở: "ĐẢNG BỘ KHỐI …" / "ĐẢNG ỦY <unit>", numbers "…-BC/ĐU", signed "T/M ĐẢNG ỦY".
- A chi bộ cơ sở: "ĐẢNG BỘ KHỐI …" / "CHI BỘ <unit>", numbers "…-BC/CB", signed "T/M CHI BỘ".
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

from core.documents import Letterhead, Signature

from .models import Kind, Officer, OfficerTitle, Organization, OutgoingDocument, SignerTitle

BLOC_SYMBOL = "ĐUK"
BLOC_ON_BEHALF = "T/M BAN THƯỜNG VỤ"


def issuer_symbol(organization: Organization | None) -> str:
    if organization is None:
        return BLOC_SYMBOL
    return "ĐU" if organization.kind == Kind.DANG_BO_CO_SO else "CB"


def on_behalf(organization: Organization | None) -> str:
    if organization is None:
        return BLOC_ON_BEHALF
    return "T/M ĐẢNG ỦY" if organization.kind == Kind.DANG_BO_CO_SO else "T/M CHI BỘ"


def party_body_name(organization: Organization) -> str:
    """ "Đảng ủy Sở Tài chính", "Chi bộ Sở Tư pháp": the organisation's committee, from its unit's name (a name
    already written "Đảng bộ …" or "Chi bộ …" keeps its unit)."""
    unit = re.sub(r"^(đảng bộ|đảng ủy|chi bộ)\s+", "", organization.name.strip(), flags=re.IGNORECASE)
    prefix = "Đảng ủy" if organization.kind == Kind.DANG_BO_CO_SO else "Chi bộ"
    return f"{prefix} {unit}"


def bloc_party_name() -> str:
    """ "Đảng bộ Khối Các cơ quan và Doanh nghiệp tỉnh": the Bloc's party organisation, above the TCCSĐ."""
    return re.sub(r"^đảng ủy", "Đảng bộ", settings.PORTAL_BLOC_NAME.strip(), flags=re.IGNORECASE)


def letterhead(
    organization: Organization | None, *, doc_type: str, entry: OutgoingDocument | None, year: int
) -> Letterhead:
    """The header of a document issued by `organization` (None: the Bloc committee); a draft without `entry`."""
    if organization is None:
        superior, issuer = f"Đảng bộ tỉnh {settings.PORTAL_PROVINCE}", settings.PORTAL_BLOC_NAME
    else:
        superior, issuer = bloc_party_name(), party_body_name(organization)
    return Letterhead(
        superior=superior,
        issuer=issuer,
        doc_type=entry.doc_type if entry else doc_type,
        symbol=entry.symbol if entry else issuer_symbol(organization),
        place=settings.PORTAL_PLACE,
        number=entry.number if entry else None,
        issued_on=entry.issued_on if entry else None,
        year=entry.year if entry else year,
    )


def default_signer(organization: Organization | None) -> tuple[str, str]:
    """(name, title) for a draft: the organisation's secretary on record; for the Bloc, the last signer."""
    if organization is not None:
        officer = (
            Officer.objects.filter(organization=organization, is_active=True, title=OfficerTitle.BI_THU)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if officer is not None:
            return officer.user.get_full_name() or officer.user.get_username(), SignerTitle.BI_THU
    last = OutgoingDocument.objects.filter(organization=organization).order_by("-issued_on", "-pk").first()
    if last is not None:
        return last.signer_name, last.signer_title
    return "", SignerTitle.BI_THU


def signature(organization: Organization | None, entry: OutgoingDocument | None) -> Signature:
    if entry is not None:
        name, title = entry.signer_name, entry.signer_title
    else:
        name, title = default_signer(organization)
    return Signature(on_behalf=on_behalf(organization), title=str(title).upper(), name=name)


def default_recipients(organization: Organization | None, kind: str) -> list[str]:
    """The usual "Nơi nhận" of each document (staff change it when they issue the number)."""
    if organization is not None:
        keeper = "Lưu Văn phòng cấp ủy" if organization.kind == Kind.DANG_BO_CO_SO else "Lưu Chi bộ"
        return ["Đảng ủy Khối (để báo cáo)", keeper]
    if kind == "dashboard":
        return [
            "Thường trực Đảng ủy Khối",
            "Các đồng chí Ủy viên Ban Thường vụ Đảng ủy Khối",
            "Lưu Văn phòng Đảng ủy Khối",
        ]
    return [
        "Thường trực Tỉnh ủy (để báo cáo)",
        "Ban Tổ chức Tỉnh ủy (để báo cáo)",
        "Các đồng chí Ủy viên Ban Chấp hành Đảng bộ Khối",
        "Các tổ chức cơ sở đảng trực thuộc",
        "Lưu Văn phòng Đảng ủy Khối",
    ]


def recipients_for(organization: Organization | None, kind: str, entry: OutgoingDocument | None) -> list[str]:
    return entry.recipient_list if entry is not None else default_recipients(organization, kind)


def issue_year(issued_on: dt.date) -> int:
    """Numbers run per calendar year of issue."""
    return issued_on.year


#: Documents an uploaded Word template must also render, besides ``core.documents.sample_document``: functions
#: ``() -> OfficialDocument | None`` registered by the apps that build the portal's documents (``@template_check``
#: in their ``ready``; this layer may not import them). Each builds a real document from the database — on the
#: demo, the demo's own — or None when there is nothing to build yet.
TEMPLATE_CHECKS: list = []


def template_check(function):
    TEMPLATE_CHECKS.append(function)
    return function
