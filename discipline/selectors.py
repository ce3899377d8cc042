"""Reads of the discipline and inspection registers; every list and detail starts from these (scoped once,
in ``organizations.access.discipline_scope``)."""

import datetime as dt

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from organizations.access import discipline_scope

from .models import Discipline, InspectionProgramme, Remedy


def disciplines_for_user(user) -> QuerySet[Discipline]:
    return discipline_scope(
        Discipline.objects.select_related("member", "organization", "cell"), user, "organization"
    )


def discipline_get_for_user(user, pk) -> Discipline:
    return get_object_or_404(disciplines_for_user(user), pk=pk)


def programmes_for_user(user) -> QuerySet[InspectionProgramme]:
    return discipline_scope(InspectionProgramme.objects.all(), user, "organizations")


def programme_get_for_user(user, pk) -> InspectionProgramme:
    return get_object_or_404(programmes_for_user(user), pk=pk)


def remedies_for_user(user) -> QuerySet[Remedy]:
    return discipline_scope(Remedy.objects.select_related("organization", "programme"), user, "organization")


def overdue_remedies(user, today: dt.date) -> QuerySet[Remedy]:
    return remedies_for_user(user).overdue_on(today).order_by("deadline", "organization__code")
