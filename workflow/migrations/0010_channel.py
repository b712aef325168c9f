"""The channel table moves from portal to workflow (publication, records and reports all read it,
and workflow is the lowest of them). The table keeps its name: only Django's state moves, and the
content type is renamed so the office's channel permissions stay granted."""

from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="workflow", model="channel").exists():
        ContentType.objects.filter(app_label="portal", model="channel").update(app_label="workflow")


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0009_notification_link"),
        ("portal", "0003_channel_online_and_report_channels"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Channel",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=32, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                        ("active", models.BooleanField(default=True, help_text="Inactive channels keep their records but are not offered for new ones.", verbose_name="active")),
                        ("online", models.BooleanField(default=True, help_text="A website or new-media account: counted in the annual report's total of online publications.", verbose_name="online")),
                    ],
                    options={
                        "verbose_name": "channel",
                        "verbose_name_plural": "channels",
                        "db_table": "portal_channel",
                        "ordering": ["order", "code"],
                    },
                ),
            ],
        ),
        migrations.RunPython(rename_content_type, migrations.RunPython.noop),
    ]
