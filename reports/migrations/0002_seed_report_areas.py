from django.db import migrations

# The reference report's key areas (rules.md) and the MOE catalogue categories and entries each covers.
AREAS = [
    ("招生就业", "2", "31,32,33"),
    ("财务", "3", ""),
    ("人事", "4", ""),
    ("学生", "6", ""),
    ("教学", "", "27,28,29,30,34,35"),
    ("科研", "7,8", "4"),
]


def seed(apps, schema_editor):
    Area = apps.get_model("reports", "ReportArea")
    if Area.objects.exists():
        return
    for order, (name, categories, entries) in enumerate(AREAS, start=1):
        Area.objects.create(name=name, order=order * 10, category_numbers=categories, entry_codes=entries)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_report_areas_narratives_figures")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
