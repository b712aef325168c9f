"""An auditor's witness: fetch the latest checkpoint from the API, check its signature and its
consistency with the checkpoint kept from last time, then keep the new one. This is what catches a
rewrite by someone who controls the database (and even the signing key): the rewritten log cannot
prove it extends what the witness saw before.

The state file (JSON) holds the API address, the pinned verifier key (trusted on first use unless
given) and the last checkpoint note. After a key rotation the witness moves its pin to the new key
only along the published rotation statements (/api/audit/key/rotations/), each signed by the key
it replaces and by the new one; a key that merely appears on the server is refused. Uses only the standard library, `cryptography` and the pure
modules audit.merkle and audit.note."""

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from audit import merkle, note
from core.files import atomic_write


class WitnessError(Exception):
    """The log failed a check (or could not be checked); the message is one line."""


class Api:
    def __init__(self, base_url, token=None, timeout=30):
        self.base_url = base_url.rstrip("/") + "/"
        self.token = token
        self.timeout = timeout

    def get(self, path, params=None):
        url = urllib.parse.urljoin(self.base_url, path)
        if params:
            url += "?" + urllib.parse.urlencode(params)
        request = urllib.request.Request(url, headers={"Accept": "application/json, text/plain"})
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            raise WitnessError(f"{url}: HTTP {error.code}") from None
        except urllib.error.URLError as error:
            raise WitnessError(f"{url}: {error.reason}") from None

    def consistency(self, first, second):
        data = json.loads(self.get("api/audit/proof/consistency/", {"from": first, "to": second}))
        return [bytes.fromhex(h) for h in data["hashes"]]


def _open_checkpoint(text, verifier):
    try:
        origin, size, root = note.parse_checkpoint(note.open_note(text, verifier))
    except note.NoteError as error:
        raise WitnessError(f"checkpoint rejected: {error}") from None
    if origin != verifier.split("+", 1)[0]:
        raise WitnessError(f"checkpoint origin {origin!r} is not the key's name")
    return size, root


def _open_any(text, verifiers):
    """(size, root) of a checkpoint signed by any of `verifiers` (a kept checkpoint may predate a
    rotation)."""
    error = None
    for verifier in verifiers:
        try:
            return _open_checkpoint(text, verifier)
        except WitnessError as problem:
            error = problem
    raise error


def _trusted_keys(api, pinned, served_key):
    """The pinned key, then every key it handed over to by signed rotation statements; the served
    key must be one of them."""
    if served_key == pinned:
        return [pinned]
    try:
        statements = json.loads(api.get("api/audit/key/rotations/")).get("rotations", [])
    except (ValueError, AttributeError):
        raise WitnessError("the key rotations the server published are not readable") from None
    chain = note.successors(statements, pinned)
    if served_key not in chain:
        raise WitnessError(
            "the server's verifier key is not the pinned key, and no rotation signed by the pinned key leads to it"
        )
    return [pinned, *chain]


def check_consistent(api, older, newer):
    """older/newer are (size, root); raise WitnessError unless newer extends older."""
    (size1, root1), (size2, root2) = sorted([older, newer], key=lambda c: c[0])
    if size1 == size2:
        if root1 != root2:
            raise WitnessError(f"two different roots signed for size {size1}: the log has forked")
        return
    if size1 == 0:
        return  # every tree extends the empty one
    try:
        merkle.verify_consistency(size1, size2, root1, root2, api.consistency(size1, size2))
    except merkle.ProofError as error:
        raise WitnessError(f"the log at size {size2} does not extend the checkpoint at size {size1}: {error}") from None


def load_state(path):
    path = Path(path)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError:
        raise WitnessError(f"{path} is not a witness state file") from None


def save_state(path, state):
    atomic_write(path, json.dumps(state, indent=2, ensure_ascii=False))


def witness(api, state_path, *, key=None, peer_path=None):
    """One witness run. Returns (previous size or None, new size, root hex). Keeps the new
    checkpoint only if every check passed."""
    state = load_state(state_path)
    served_key = api.get("api/audit/key/").strip()
    pinned = key or (state or {}).get("key") or served_key
    trusted = _trusted_keys(api, pinned, served_key)
    checkpoint_text = api.get("api/audit/checkpoint/")
    size, root = _open_checkpoint(checkpoint_text, served_key)
    previous = None
    if state and state.get("checkpoint"):
        previous = _open_any(state["checkpoint"], trusted)
        if size < previous[0]:
            raise WitnessError(f"the log shrank from {previous[0]} to {size} events")
        check_consistent(api, previous, (size, root))
    if peer_path:
        peer = load_state(peer_path)
        if not peer or not peer.get("checkpoint"):
            raise WitnessError(f"{peer_path} holds no checkpoint")
        check_consistent(api, _open_any(peer["checkpoint"], trusted), (size, root))
    save_state(state_path, {"url": api.base_url, "key": served_key, "checkpoint": checkpoint_text})
    return (previous[0] if previous else None), size, root.hex()
