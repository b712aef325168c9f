"""/api/audit/ as an auditor's script uses it: events, checkpoint, key, proofs — and who may not."""

import base64
import json

import pytest
from rest_framework.authtoken.models import Token

from audit import merkle, note, services


@pytest.fixture
def api(client, user):
    def _as(username):
        token, _ = Token.objects.get_or_create(user=user(username))
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
        return client

    return _as


def _events(client, after=0, limit=1000):
    response = client.get("/api/audit/events/", {"after": after, "limit": limit})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("username", ["auditor", "office"])
def test_auditor_and_office_get_events_whose_hash_is_the_leaf_hash_of_the_exact_text(api, username):
    client = api(username)
    events = _events(client)
    assert events and [e["seq"] for e in events] == list(range(1, len(events) + 1))
    for previous, event in zip(events, events[1:]):
        assert merkle.leaf_hash(event["event"].encode("utf-8")).hex() == event["hash"]
        assert event["prev_hash"] == previous["hash"]
        assert json.loads(event["event"])["seq"] == event["seq"]
    later = _events(client, after=events[-3]["seq"], limit=2)
    assert [e["seq"] for e in later] == [events[-2]["seq"], events[-1]["seq"]]


@pytest.mark.parametrize("username", ["cwc_liaison", "cwc_head", "dzb_reviewer", "leader"])
@pytest.mark.parametrize(
    "path", ["events/", "checkpoint/", "key/", "proof/inclusion/?seq=1", "proof/consistency/?from=1&to=2"]
)
def test_everyone_else_gets_403(api, username, path):
    assert api(username).get("/api/audit/" + path).status_code == 403


def test_without_credentials_the_api_asks_for_them(client, demo):
    assert client.get("/api/audit/events/").status_code == 401


def test_a_script_verifies_checkpoint_signature_and_proofs_with_the_published_key(api):
    client = api("auditor")
    key = client.get("/api/audit/key/")
    assert key["Content-Type"].startswith("text/plain")
    name, key_hash, data = key.content.decode().strip().split("+", 2)
    raw = base64.b64decode(data)
    assert raw[0] == 1 and len(raw) == 33 and len(key_hash) == 8

    text = client.get("/api/audit/checkpoint/").content.decode()
    body = note.open_note(text, key.content.decode().strip())
    origin, size, root = note.parse_checkpoint(body)
    assert origin == name and size == services.tree_size()
    lines = text.split("\n")
    assert lines[3] == "" and lines[4].startswith("\u2014 " + name + " ")

    events = _events(client)
    for seq in (1, size // 2, size):
        proof = client.get("/api/audit/proof/inclusion/", {"seq": seq, "size": size}).json()
        assert set(proof) == {"leaf_index", "tree_size", "hashes"} and proof["leaf_index"] == seq - 1
        merkle.verify_inclusion(
            proof["leaf_index"], proof["tree_size"], bytes.fromhex(events[seq - 1]["hash"]),
            [bytes.fromhex(h) for h in proof["hashes"]], root,
        )

    old_size, old_root = size, root
    services.record("test.more", actor=None, data={"n": 1})
    text = client.get("/api/audit/checkpoint/").content.decode()
    _, new_size, new_root = note.parse_checkpoint(note.open_note(text, key.content.decode().strip()))
    assert new_size == old_size + 1
    proof = client.get("/api/audit/proof/consistency/", {"from": old_size, "to": new_size}).json()
    assert set(proof) == {"hashes"}
    merkle.verify_consistency(old_size, new_size, old_root, new_root, [bytes.fromhex(h) for h in proof["hashes"]])


@pytest.mark.parametrize(
    "query",
    ["seq=0", "seq=abc", "seq=999999", "seq=1&size=999999", ""],
)
def test_impossible_inclusion_proofs_are_400(api, query):
    assert api("auditor").get("/api/audit/proof/inclusion/?" + query).status_code == 400


@pytest.mark.parametrize("query", ["from=0&to=1", "from=3&to=2", "to=2", "from=1&to=999999"])
def test_impossible_consistency_proofs_are_400(api, query):
    assert api("auditor").get("/api/audit/proof/consistency/?" + query).status_code == 400


def test_the_endpoints_are_in_the_openapi_schema(api):
    schema = api("auditor").get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("events/", "checkpoint/", "key/", "proof/inclusion/", "proof/consistency/"):
        assert f"/api/audit/{path}" in schema
