from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0010_channel"),
    ]

    operations = [
        migrations.AddField(
            model_name="disclosureitem",
            name="pending_notice",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
