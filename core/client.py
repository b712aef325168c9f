"""The client's address: REMOTE_ADDR, or — only when the request came through one of the configured
trusted proxies (TRUSTED_PROXIES) — the nearest address in X-Forwarded-For that is not itself a
trusted proxy. Anyone else's X-Forwarded-For is ignored, so a client cannot choose its address."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies):
    networks = []
    for entry in proxies:
        networks.append(ipaddress.ip_network(entry.strip(), strict=False))
    return tuple(networks)


def _address(text):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address, networks):
    return address is not None and any(address in network for network in networks)


def client_ip(request):
    """The address to hold a client to (login throttling, audit context)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(_address(remote), networks):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):  # the right-most entries were added by our own proxies
        address = _address(hop)
        if address is None:
            return remote  # a malformed chain: trust nothing in it
        if not _trusted(address, networks):
            return str(address)
    return remote
