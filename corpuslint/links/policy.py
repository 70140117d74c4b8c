"""What may be fetched: no private, loopback, link-local, multicast or unspecified targets.

A corpus is untrusted input: a citation pointing at `http://127.1:8080/admin` or at a name that
resolves to 10.0.0.1 must not make corpuslint talk to the machine it runs on or its network.
Hosts are checked twice: here, before any request, for literal addresses in every notation a
resolver accepts and for `localhost` names; and at connect time, on the addresses DNS returned
(the checker connects to the address it checked, so a second lookup cannot change the answer).
`allow_private = true` turns the policy off.
"""

from __future__ import annotations

import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_HEX = re.compile(r"^0[xX][0-9a-fA-F]*$")
_OCT = re.compile(r"^0[0-7]*$")
_DEC = re.compile(r"^[1-9][0-9]*$|^0$")


def _ipv4_part(part: str) -> int | None:
    if _HEX.match(part):
        return int(part[2:] or "0", 16)
    if _OCT.match(part):
        return int(part, 8)
    if _DEC.match(part):
        return int(part)
    return None


def parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address in any notation inet_aton (and so getaddrinfo) accepts.

    `127.0.0.1`, `127.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`, `0x7f000001` all name loopback.
    """
    if host.endswith("."):
        host = host[:-1]
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or any(not p for p in parts):
        return None
    numbers = [_ipv4_part(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):  # type: ignore[operator]
        return None
    value = 0
    for n in head:
        value = value * 256 + n  # type: ignore[operator]
    value = value * 256 ** (5 - len(numbers)) + last  # type: ignore[operator]
    return ipaddress.IPv4Address(value)


def parse_ip(host: str) -> IPAddress | None:
    """A literal address in a URL host (`[::1]`, `::1`, `127.1`, ...), else None."""
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        host = host.split("%", 1)[0]  # zone id
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    return parse_ipv4_loose(host)


def address_blocked(address: IPAddress | str) -> bool:
    """True for every address that is not a public unicast one."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return address_blocked(ip.ipv4_mapped)
        if ip.sixtofour is not None and address_blocked(ip.sixtofour):
            return True
        if ip in _NAT64 and address_blocked(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)):
            return True
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or not ip.is_global
    )


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def host_blocked_reason(host: str) -> str | None:
    """Why a URL's host may not be fetched without looking it up, or None."""
    name = host.strip().lower().rstrip(".")
    if not name:
        return "empty host"
    if name == "localhost" or name.endswith(".localhost") or name == "localhost.localdomain":
        return f"{host} is a local name"
    ip = parse_ip(name)
    if ip is not None and address_blocked(ip):
        return f"{host} is a private or local address ({ip})"
    return None
