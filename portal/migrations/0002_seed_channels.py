from django.db import migrations

# CONTRACT.md's channel codes with the names the register shows (rules.md, 公开途径).
CHANNELS = [
    ("portal", "门户网站信息公开专栏"),
    ("wechat", "官方微信公众号"),
    ("weibo", "官方微博"),
    ("douyin", "抖音"),
    ("toutiao", "今日头条号"),
    ("shipinhao", "视频号"),
    ("oa", "OA办公系统"),
    ("print", "校报校刊、手册"),
    ("noticeboard", "公告栏、宣传橱窗、电子显示屏"),
    ("meeting", "教代会、座谈会、新闻发布会"),
]


def seed(apps, schema_editor):
    Channel = apps.get_model("portal", "Channel")
    SiteVersion = apps.get_model("portal", "SiteVersion")
    for order, (code, name) in enumerate(CHANNELS, start=1):
        Channel.objects.get_or_create(code=code, defaults={"name": name, "order": order * 10})
    SiteVersion.objects.get_or_create(pk=1, defaults={"token": "0"})


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
