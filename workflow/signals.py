"""What the workflow announces to the apps above it, which listen (they are never imported here).

`item_decided(sender=DisclosureItem, item=…, transition=…, actor=…)` is sent inside the deciding
transaction after every transition of workflow.transitions.TABLE, once the item's new state is
saved; `transition.record` names the kind of signed record the decision calls for (records listens
and issues it after commit)."""

from django.dispatch import Signal

item_decided = Signal()
