"""Default reporting schedule: days after the period ends by which each report kind is due."""

from django.db import migrations

DEFAULTS = [("month", 5, 3), ("quarter", 10, 5), ("half_year", 15, 5), ("year", 20, 7)]


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("reports", "ReportingSchedule")
    for kind, due_days, remind in DEFAULTS:
        Schedule.objects.get_or_create(kind=kind, defaults={"due_days": due_days, "remind_days_before": remind})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(create_schedule, migrations.RunPython.noop)]
