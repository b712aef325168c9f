"""The channel table now belongs to workflow (workflow 0010): posts point at it there; the table
itself is unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_search_document"),
        ("workflow", "0010_channel"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="channelpost",
                    name="channel",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="posts", to="workflow.channel", verbose_name="channel"),
                ),
                migrations.DeleteModel(name="Channel"),
            ],
        ),
    ]
