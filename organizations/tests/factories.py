import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from organizations import access
from organizations.models import BlocMembership, Cell, Kind, Officer, Organization, OrganizationYear, UnitType


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("mat-khau-thu-nghiem")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            group, _ = Group.objects.get_or_create(name=extracted)
            self.groups.add(group)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"{n + 1:03d}")
    name = factory.Sequence(lambda n: f"Đảng bộ Sở số {n + 1}")
    kind = Kind.DANG_BO_CO_SO
    unit_type = UnitType.CO_QUAN_HANH_CHINH
    joined_on = dt.date(2000, 1, 1)

    @factory.post_generation
    def spell(obj, create, extracted, **kwargs):
        """One membership spell from ``joined_on`` / ``left_on``, as the registry's services make it."""
        if create:
            BlocMembership.objects.create(organization=obj, joined_on=obj.joined_on, left_on=obj.left_on)


class CellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cell

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Chi bộ số {n + 1}")


class OrganizationYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationYear

    organization = factory.SubFactory(OrganizationFactory)
    year = 2021


def staff_user(username="vp"):
    return UserFactory(username=username, role=access.STAFF)


def leader_user(username="ld"):
    return UserFactory(username=username, role=access.LEADERSHIP)


def inspection_user(username="kt"):
    return UserFactory(username=username, role=access.INSPECTION)


def secretary_user(organization, username=None):
    user = UserFactory(username=username or f"bt{organization.code}", role=access.SECRETARY)
    Officer.objects.create(user=user, organization=organization, title="bi_thu")
    return user


def cell_secretary_user(cell, username=None):
    """A cell secretary (bí thư chi bộ) of `cell`, linked by an officer record with the cell."""
    user = UserFactory(
        username=username or f"bt{cell.organization.code}.cb{cell.pk}", role=access.CELL_SECRETARY
    )
    Officer.objects.create(user=user, organization=cell.organization, cell=cell, title="bi_thu_chi_bo")
    return user
