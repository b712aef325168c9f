"""The HTTP half of docker/smoke: drives the running containers as a school's users would.

Standard library only (it runs with the host's python3, outside the containers). Every request goes
to 127.0.0.1 and carries X-Forwarded-Proto: https, as the TLS proxy in front would send it.

    python3 docker/smoke_check.py STEP [ARGS]   (docker/smoke calls it; one JSON line out per step)

Tokens come from the environment: SMOKE_TOKEN_<username> for each persona the steps use.
"""

import http.client
import json
import os
import re
import ssl
import sys
import time
import urllib.parse

PORTS = [int(p) for p in os.environ.get("SMOKE_WEB_PORTS", "8116 8117").split()]
# The TLS proxy (docker/nginx.conf) in front of both, and the certificate it presents.
PROXY_PORT = int(os.environ.get("SMOKE_PROXY_PORT", "0"))
PROXY_CA = os.environ.get("SMOKE_PROXY_CA")
PASSWORD = os.environ.get("SMOKE_PASSWORD", "gongkai-demo")
LOGIN_LIMIT = int(os.environ.get("SMOKE_LOGIN_LIMIT", "5"))


class Failed(Exception):
    pass


def request(port, method, path, *, token=None, body=None, form=None, cookies=None, headers=None):
    """One request to 127.0.0.1:port (HTTPS on the proxy's port); returns (status, headers dict
    (lower-case), body bytes)."""
    sent = {"Host": f"127.0.0.1:{port}", "Accept-Language": "zh-hans"}
    if port != PROXY_PORT:
        sent["X-Forwarded-Proto"] = "https"  # what the proxy adds
    if token:
        sent["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
        # Django checks the origin of HTTPS form posts.
        sent["Origin"] = f"https://127.0.0.1:{port}"
        sent["Referer"] = f"https://127.0.0.1:{port}{path}"
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    sent.update(headers or {})
    if port == PROXY_PORT:
        context = ssl.create_default_context(cafile=PROXY_CA)
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        content = response.read()
        received = {}
        for name, value in response.getheaders():
            received.setdefault(name.lower(), []).append(value)
        return response.status, received, content
    finally:
        connection.close()


def set_cookies(headers):
    jar = {}
    for line in headers.get("set-cookie", []):
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def api(port, method, path, token, body=None, expect=(200,)):
    status, _, content = request(port, method, path, token=token, body=body)
    if status not in expect:
        raise Failed(f"{method} {path} on :{port} answered {status}: {content[:300]!r}")
    return json.loads(content) if content else None


def token(username):
    value = os.environ.get(f"SMOKE_TOKEN_{username}")
    if not value:
        raise Failed(f"no token for {username} (SMOKE_TOKEN_{username})")
    return value


def wait_for(what, probe, seconds):
    """Call probe() until it returns something true; bounded."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (OSError, http.client.HTTPException) as error:
            last = error
        else:
            if last:
                return last
        time.sleep(0.5)
    raise Failed(f"{what}: not within {seconds} s (last: {last!r})")


# --- steps -------------------------------------------------------------------------------------


def step_ready(seconds="180"):
    """/healthz (alive) then /readyz (database and broker answer) on every web port."""
    live, ready = os.environ.get("SMOKE_HEALTH_PATHS", "/healthz /readyz").split()
    for port in PORTS + [PROXY_PORT] * bool(PROXY_PORT):
        wait_for(f"{live} on :{port}", lambda: request(port, "GET", live)[0] == 200, float(seconds))
        status, _, content = request(port, "GET", ready)
        if status != 200:
            raise Failed(f"{ready} on :{port} answered {status}: {content[:200]!r}")
    return {"ready": PORTS, "proxy": PROXY_PORT}


def drive_to_office_review(create_port, title):
    """Create an item as the cwc liaison and take it to the office, alternating the web processes."""
    entries = api(create_port, "GET", "/api/catalogue/", token("cwc_liaison"))
    entry = next(e for e in entries if e["code"] == "19")  # 收支预算 (财务资产处)
    other = PORTS[1] if create_port == PORTS[0] else PORTS[0]
    created = api(
        create_port,
        "POST",
        "/api/disclosures/",
        token("cwc_liaison"),
        {"catalogue_entry": entry["id"], "title": title, "body": "<p>预算总表见附件。</p>",
         "produced_on": time.strftime("%Y-%m-%d"), "channels": ["portal"]},
        expect=(201,),
    )
    item = created["id"]
    steps = [(other, "cwc_liaison", "submit", "head_review"), (create_port, "cwc_head", "approve", "confidentiality_review"),
             (other, "cwc_reviewer", "clear", "office_review")]
    for port, who, action, state in steps:
        answer = api(port, "POST", f"/api/disclosures/{item}/{action}/", token(who), {"comment": "smoke"})
        if answer["state"] != state:
            raise Failed(f"{action} by {who}: state {answer['state']}, expected {state}")
    return item


def publish(port, item):
    answer = api(port, "POST", f"/api/disclosures/{item}/publish/", token("office"), {"channels": ["portal"]})
    return answer["state"]


def wait_published(port, item, seconds):
    def probe():
        detail = api(port, "GET", f"/api/disclosures/{item}/", token("office"))
        if detail["state"] != "published":
            return None
        status, _, pdf = request(port, "GET", f"/api/disclosures/{item}/record/", token=token("office"))
        return pdf if status == 200 and pdf.startswith(b"%PDF") else None

    return wait_for(f"item {item} published with its record", probe, seconds)


def step_publish(out_pdf, seconds="180"):
    """One item from draft to published (created on the first web, published on the first, read on
    the second). The public pages of the second process were cached before and show it after."""
    first, second = PORTS[0], PORTS[-1]
    title = f"2026年收支预算总表（部署验证 {int(time.time())}）"
    home_before = request(second, "GET", "/")[2].decode()
    if title in home_before:
        raise Failed("the title is on the public site before publication")
    item = drive_to_office_review(first, title)
    started = time.monotonic()
    state = publish(first, item)
    pdf = wait_published(second, item, float(seconds))
    issued_s = round(time.monotonic() - started, 1)
    with open(out_pdf, "wb") as handle:
        handle.write(pdf)

    def public_everywhere():
        for port in PORTS + [PROXY_PORT] * bool(PROXY_PORT):
            if title not in request(port, "GET", f"/items/{item}/")[2].decode():
                return False
            if title not in request(port, "GET", "/")[2].decode():
                return False
        return True

    wait_for("the publication on every web process's public site", public_everywhere, 10)
    return {"item": item, "state_after_publish": state, "record_s": issued_s, "record_bytes": len(pdf)}


def step_publish_while_worker_stopped(seconds="20"):
    """With the worker stopped: the item takes the publish decision and waits in `publishing`."""
    item = drive_to_office_review(PORTS[-1], f"2026年收支决算总表（部署验证 {int(time.time())}）")
    state = publish(PORTS[-1], item)
    time.sleep(float(seconds))
    detail = api(PORTS[0], "GET", f"/api/disclosures/{item}/", token("office"))
    status = request(PORTS[0], "GET", f"/api/disclosures/{item}/record/", token=token("office"))[0]
    if detail["state"] == "published" and status == 200:
        raise Failed("published with a record while no worker ran: who issued it?")
    return {"item": item, "state_after_publish": state, "state_while_stopped": detail["state"], "record_status": status}


def step_wait_record(item, out_pdf, seconds="180"):
    started = time.monotonic()
    pdf = wait_published(PORTS[0], int(item), float(seconds))
    with open(out_pdf, "wb") as handle:
        handle.write(pdf)
    return {"item": int(item), "record_s": round(time.monotonic() - started, 1)}


def login(port, username, password, client=None):
    """The staff login form; returns (status, session cookie or None). `client`: the address the
    TLS proxy would put into X-Forwarded-For (the web processes trust 127.0.0.1 as their proxy)."""
    forwarded = {"X-Forwarded-For": client} if client else {}
    status, headers, content = request(port, "GET", "/accounts/login/", headers=forwarded)
    jar = set_cookies(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    if status != 200 or not match or "csrftoken" not in jar:
        raise Failed(f"login page on :{port}: {status}, no CSRF token")
    form = {"csrfmiddlewaretoken": match.group(1).decode(), "username": username, "password": password}
    status, headers, _ = request(
        port, "POST", "/accounts/login/", form=form, cookies={"csrftoken": jar["csrftoken"]}, headers=forwarded
    )
    return status, set_cookies(headers).get("sessionid")


def step_sessions():
    """Log in through one web process and use the session on the other."""
    first, second = PORTS[0], PORTS[-1]
    status, session = login(first, "office", PASSWORD)
    if status != 302 or not session:
        raise Failed(f"office could not log in on :{first} ({status})")
    status, _, _ = request(second, "GET", "/home/", cookies={"sessionid": session})
    if status != 200:  # (an unknown session is sent to the login page)
        raise Failed(f"the session from :{first} is unknown on :{second} ({status})")
    return {"session_shared": True}


def step_throttle():
    """Wrong passwords from one address, spread over both processes, add up: after the limit the
    right password from that address is refused too, on either process; the same user at their own
    address still logs in. (The addresses are documentation addresses in a header: no traffic.)"""
    victim, attacker, own = "jwc_liaison", "203.0.113.7", "198.51.100.20"
    for attempt in range(LOGIN_LIMIT):
        port = PORTS[attempt % len(PORTS)]
        status, session = login(port, victim, "wrong-password", client=attacker)
        if session:
            raise Failed("a wrong password logged in")
    refused = []
    for port in PORTS:
        status, session = login(port, victim, PASSWORD, client=attacker)
        if session:
            raise Failed(
                f"after {LOGIN_LIMIT} failures spread over {len(PORTS)} processes the right password still logs in "
                f"on :{port}: the counters are per process"
            )
        refused.append(status)
    status, session = login(PORTS[0], victim, PASSWORD, client=own)
    if status != 302 or not session:
        raise Failed(f"the victim at their own address is locked out ({status})")
    return {"failures": LOGIN_LIMIT, "then_refused_with": refused, "victim_elsewhere": status}


STEPS = {
    "ready": step_ready,
    "publish": step_publish,
    "publish-while-worker-stopped": step_publish_while_worker_stopped,
    "wait-record": step_wait_record,
    "sessions": step_sessions,
    "throttle": step_throttle,
}

if __name__ == "__main__":
    name, *args = sys.argv[1:] or ["?"]
    if name not in STEPS:
        sys.exit(f"usage: smoke_check.py {{{','.join(STEPS)}}} [ARGS]")
    try:
        print(json.dumps(STEPS[name](*args), ensure_ascii=False))
    except Failed as failure:
        sys.exit(f"smoke: {name}: {failure}")
