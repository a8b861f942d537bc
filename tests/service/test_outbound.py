"""The outbound client refuses internal destinations at save time and again at connect time."""

from __future__ import annotations

import asyncio
import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.outbound import OutboundPolicy, OutboundRefused, parse_allow_list, read_capped

LOOPBACK_ONLY = OutboundPolicy(parse_allow_list("127.0.0.1/32"))
NOTHING_ALLOWED = OutboundPolicy()


class _Receiver(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        _Receiver.hits.append(self.path)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.end_headers()
            return
        body = b"x" * (100_000 if self.path == "/huge" else 2)
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    _Receiver.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared (CGNAT)
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fd00:ec2::254",
        "fe80::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    with pytest.raises(OutboundRefused):
        NOTHING_ALLOWED.check_address(ipaddress.ip_address(address))


def test_public_and_allow_listed_addresses_pass() -> None:
    NOTHING_ALLOWED.check_address(ipaddress.ip_address("93.184.216.34"))
    NOTHING_ALLOWED.check_address(ipaddress.ip_address("2606:4700::1111"))
    LOOPBACK_ONLY.check_address(ipaddress.ip_address("127.0.0.1"))
    LOOPBACK_ONLY.check_address(ipaddress.ip_address("::ffff:127.0.0.1"))
    with pytest.raises(OutboundRefused):
        LOOPBACK_ONLY.check_address(ipaddress.ip_address("127.0.0.2"))


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "ftp://example.com/x",
        "/relative/path",
        "https://user:pass@example.com/hook",
        "https://example.com/hook#frag",
        "http://example.com/hook",  # plain http to the internet
        "https://example.com/" + "a" * 3000,
    ],
)
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(OutboundRefused):
        NOTHING_ALLOWED.check_url(url)


def test_https_urls_pass_the_form_check() -> None:
    assert NOTHING_ALLOWED.check_url("https://hooks.example.com/joist?x=1").host == "hooks.example.com"


def test_names_resolving_inside_are_refused_at_save_time() -> None:
    with pytest.raises(OutboundRefused):
        asyncio.run(NOTHING_ALLOWED.check_destination("https://localhost/hook"))
    with pytest.raises(OutboundRefused):
        asyncio.run(NOTHING_ALLOWED.check_destination("https://no-such-host.invalid/hook"))


def test_the_session_refuses_at_connect_time_and_never_reaches_the_receiver(receiver: str) -> None:
    port = receiver.rsplit(":", 1)[1]

    async def send(url: str) -> None:
        session = NOTHING_ALLOWED.session(limit=1)
        try:
            async with session.post(url, data=b"{}", headers={}):
                pass
        finally:
            await session.close()

    # A name is resolved and its addresses checked when the connection is made ...
    with pytest.raises(OutboundRefused, match="not a public address"):
        asyncio.run(send(f"https://localhost:{port}/hook"))
    # ... and an IP literal, which needs no resolving, is checked before anything is sent.
    with pytest.raises(OutboundRefused, match="not a public address"):
        asyncio.run(send(f"https://127.0.0.1:{port}/hook"))
    assert _Receiver.hits == []


def test_an_allowed_network_is_reached_redirects_are_not_followed_and_bodies_are_capped(receiver: str) -> None:
    async def send() -> tuple[int, int, bytes, bool]:
        session = LOOPBACK_ONLY.session(limit=2)
        try:
            async with session.post(f"{receiver}/hook", data=b"{}", headers={}) as ok:
                ok_status = ok.status
            async with session.post(f"{receiver}/redirect", data=b"{}", headers={}) as redirected:
                redirected_status = redirected.status
            async with session.post(f"{receiver}/huge", data=b"{}", headers={}) as huge:
                body, cut = await read_capped(huge, 20_480)
        finally:
            await session.close()
        return ok_status, redirected_status, body, cut

    ok, redirected, body, cut = asyncio.run(send())
    assert (ok, redirected) == (200, 302)
    assert len(body) == 20_480
    assert cut
    assert _Receiver.hits == ["/hook", "/redirect", "/huge"]


def test_allow_lists_are_parsed_and_checked() -> None:
    assert [str(n) for n in parse_allow_list(" 127.0.0.1/32, 10.1.0.0/16 ,")] == ["127.0.0.1/32", "10.1.0.0/16"]
    with pytest.raises(ValueError, match="not a CIDR"):
        parse_allow_list("127.0.0.1/33")
