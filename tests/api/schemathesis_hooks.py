"""schemathesis hooks for tests/api/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

A schema cannot say every rule: that a catalogue entry exists and is yours, that a date is not in
the future, that a channel is in the office's table, that a proof's sizes fit the log. For the
operations listed in RULES, schemathesis.toml lets positive_data_acceptance take a 400 — and this
check makes sure such a 400 names only the fields whose rule lives outside the schema. A schema-valid
request refused for anything else (a type, a bound, a pattern, an unknown field) still fails."""

import schemathesis

_ITEM = {"catalogue_entry", "produced_on", "channels", "interpretation", "body", "non_field_errors"}
_FOI_ACTION = {"on", "department", "outcome", "answer", "refusal_ground", "referred_to", "comment", "waiting_for",
               "note", "days", "reason", "non_field_errors"}

# operation → the fields a 400 for schema-valid input may name (keep in step with schemathesis.toml)
RULES = {
    "POST /api/disclosures/": _ITEM,
    "PATCH /api/disclosures/{id}/": _ITEM,
    "POST /api/disclosures/{id}/{action}/": _ITEM | {"comment", "ground", "publish_at"},
    "POST /api/disclosures/{id}/attachments/": {"file", "non_field_errors"},
    "POST /api/disclosures/{id}/reassign/": {"to", "non_field_errors"},
    "POST /api/channel-posts/": {"item", "channel", "posted_on", "url", "non_field_errors"},  # url: Django's validator
    "POST /api/foi/requests/": {"received_on", "department", "identity_checked", "non_field_errors"},
    "POST /api/foi/requests/{id}/{action}/": _FOI_ACTION,
    "POST /api/foi/complaints/": {"received_on", "non_field_errors"},
    "POST /api/foi/evaluations/": {"held_on", "satisfied", "non_field_errors"},
    "GET /api/foi/requests/": {"from", "to"},  # a query date outside 1900..2100
    "GET /api/channel-posts/": {"from", "to"},
    "GET /api/audit/proof/inclusion/": {"detail"},
    "GET /api/audit/proof/consistency/": {"detail"},
}


@schemathesis.check
def rule_only_rejections(ctx, response, case):
    """A schema-valid request answered 400 names only fields whose rule the schema cannot say."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    allowed = RULES.get(case.operation.label)
    if allowed is None:
        return None  # positive_data_acceptance itself refuses any 400 here
    try:
        named = set(response.json())
    except Exception:  # noqa: BLE001 - a body that is not JSON is no field's rule
        named = {"<not JSON>"}
    outside = named - allowed
    if outside:
        raise AssertionError(f"Schema-valid request refused for {sorted(outside)}: {response.text[:500]}")
    return None
