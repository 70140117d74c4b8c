import ipaddress

import pytest

from corpuslint.links.policy import address_blocked, host_blocked_reason, parse_ip, parse_ipv4_loose


@pytest.mark.parametrize(
    "host, expected",
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.0.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("8.8.8.8", "8.8.8.8"),
        ("127.0.0.1.", "127.0.0.1"),
    ],
)
def test_ipv4_notations(host, expected):
    assert parse_ipv4_loose(host) == ipaddress.IPv4Address(expected)


@pytest.mark.parametrize("host", ["example.com", "1.2.3.4.5", "256.1.1.1", "08.1.1.1", "1..1", "", "a.1"])
def test_not_ipv4(host):
    assert parse_ipv4_loose(host) is None


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST.",
        "app.localhost",
        "127.0.0.1",
        "127.1",
        "2130706433",
        "0x7f.1",
        "[::1]",
        "::1",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::]",
        "0.0.0.0",
        "0",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "[fe80::1%25eth0]",
        "[fc00::1]",
        "224.0.0.1",
        "[ff02::1]",
        "100.64.0.1",
        "0xa9.0xfe.0xa9.0xfe",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
    ],
)
def test_blocked_hosts(host):
    assert host_blocked_reason(host) is not None


@pytest.mark.parametrize("host", ["example.com", "www.36kr.com", "8.8.8.8", "[2606:4700::1111]", "1.1.1.1"])
def test_public_hosts(host):
    assert host_blocked_reason(host) is None


def test_parse_ip_bracketed_v6():
    assert parse_ip("[::1]") == ipaddress.IPv6Address("::1")
    assert address_blocked("::ffff:10.0.0.1")
    assert not address_blocked("2606:4700::1111")
