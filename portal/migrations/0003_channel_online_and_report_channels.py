from django.db import migrations, models

# The reference annual report's own channels (rules.md), beside CONTRACT.md's list of 0002.
REPORT_CHANNELS = [
    ("news", "学校网站新闻", 12),
    ("notice", "通知公告", 14),
    ("dept_site", "部门网站", 16),
    ("media", "校外媒体报道", 95),
]
# Not a website or new-media account: not in the report's total of online publications.
OFFLINE = ("oa", "print", "noticeboard", "meeting")


def seed(apps, schema_editor):
    Channel = apps.get_model("portal", "Channel")
    for code, name, order in REPORT_CHANNELS:
        Channel.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    Channel.objects.filter(code__in=OFFLINE).update(online=False)


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_seed_channels")]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="online",
            field=models.BooleanField(
                default=True,
                help_text="A website or new-media account: counted in the annual report's total of online publications.",
                verbose_name="online",
            ),
        ),
        migrations.AddIndex(
            model_name="channelpost",
            index=models.Index(fields=["posted_at"], name="portal_chan_posted__56420e_idx"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
