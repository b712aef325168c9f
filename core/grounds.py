"""Grounds for not disclosing (不予公开, 《高等学校信息公开办法》第四条): a refused disclosure item and a
refused application (依申请公开) record one of these."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RefusalGround(models.TextChoices):
    STATE_SECRET = "state_secret", _("State secret")
    TRADE_SECRET = "trade_secret", _("Trade secret")
    PRIVACY = "privacy", _("Personal privacy")
    LAW_EXCLUDED = "law_excluded", _("Excluded by law, regulation or school rules")
    SECURITY_STABILITY = "security_stability", _("Endangers security and stability")
