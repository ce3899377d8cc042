"""The Inspection Commission's role (Ủy ban Kiểm tra Đảng ủy Khối). Permissions are decided in
organizations/access.py, not by group perms."""

from django.db import migrations


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="kiem_tra")


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0006_officer_cell_and_cell_secretary"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
