from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0008_assignment'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='link',
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
