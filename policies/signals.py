"""What policies announces to the apps above it, which listen (they are never imported here).

`delegation_ended(sender=Delegation, delegation=…, actor=…)` is sent inside the transaction that
ends a delegation early, whoever ends it (its principal on their own page, or the office): workflow
listens and tells the principal and the deputy."""

from django.dispatch import Signal

delegation_ended = Signal()
