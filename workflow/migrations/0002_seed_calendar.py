"""Seed the working-day calendar from the chinesecalendar package (2004–2026), so that it exists in
every database without running seed_demo. Idempotent; never overrides the office's days."""

from django.db import migrations


def seed(apps, schema_editor):
    from workflow.workdays import package_days

    CalendarDay = apps.get_model("workflow", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(date=day, is_workday=workday, note=note, source="package")
            for day, workday, note in package_days()
            if day not in existing
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
