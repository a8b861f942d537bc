"""The one HTTP client for calls Joist makes to the outside (webhooks, lender pushes,
connector calls): ``OutboundPolicy.session()``, an aiohttp session behind a guard. It refuses
private, loopback, link-local, shared (CGNAT), multicast, reserved and metadata addresses,
including IPv4-mapped IPv6 forms of them, unless the operator's allow-list
(``JOIST_OUTBOUND_ALLOW``, comma-separated CIDRs) names the network; only allowed networks may
be reached over plain http. URLs are checked when a subscription is saved and every resolved
address is checked again when each connection is made, so a DNS answer that changes between the
two (rebinding) cannot reach an internal address. Redirects are never followed, and response
bodies are read only up to a cap.

    OutboundRefused (ValueError)   the URL or the address it resolves to is not allowed
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import aiohttp.abc
import anyio
import httpx

__all__ = ["GuardedSession", "OutboundPolicy", "OutboundRefused", "parse_allow_list", "read_capped"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_URL_LENGTH = 2048


class OutboundRefused(ValueError):
    """Joist will not send a request there."""


def parse_allow_list(raw: str) -> tuple[IPNetwork, ...]:
    """``"127.0.0.1/32, 10.1.0.0/16"`` → networks; a bad entry raises ``ValueError`` naming it."""
    networks = []
    for entry in (part.strip() for part in raw.split(",")):
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as exc:
                raise ValueError(f"{entry!r} is not a CIDR network") from exc
    return tuple(networks)


@dataclass(frozen=True)
class OutboundPolicy:
    allow: tuple[IPNetwork, ...] = field(default_factory=tuple)

    def is_allowed_network(self, address: IPAddress) -> bool:
        return any(address in network for network in self.allow if network.version == address.version)

    def check_address(self, address: IPAddress) -> None:
        if self.is_allowed_network(address):
            return
        inner = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        target = inner or address
        if inner is not None and self.is_allowed_network(inner):
            return
        if not target.is_global or target.is_multicast:
            raise OutboundRefused(f"{address} is not a public address")

    def check_url(self, url: str) -> httpx.URL:
        """The URL's form: https (http only towards allowed networks), a host, nothing hidden."""
        if len(url) > MAX_URL_LENGTH:
            raise OutboundRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise OutboundRefused(f"not a URL: {exc}") from exc
        if parsed.scheme not in ("https", "http") or not parsed.host:
            raise OutboundRefused("the URL must be absolute, with https:// and a host")
        if parsed.userinfo:
            raise OutboundRefused("the URL may not carry a user name or password")
        if parsed.fragment:
            raise OutboundRefused("the URL may not carry a #fragment")
        if parsed.scheme == "http" and not self._literal_in_allow_list(parsed.host):
            raise OutboundRefused("use https; plain http is only for networks the operator allows")
        return parsed

    def _literal_in_allow_list(self, host: str) -> bool:
        try:
            return self.is_allowed_network(ipaddress.ip_address(host))
        except ValueError:  # a name: whether it may use http is decided when it resolves
            return bool(self.allow)

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address ``host`` resolves to, each of them checked; refuse if any is internal."""
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise OutboundRefused(f"{host} does not resolve: {exc}") from exc
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
        for address in addresses:
            self.check_address(address)
        if not addresses:
            raise OutboundRefused(f"{host} has no addresses")
        return addresses

    async def check_destination(self, url: str) -> httpx.URL:
        """``check_url`` plus resolution: what a subscription gets when it is saved."""
        parsed = self.check_url(url)
        addresses = await self.resolve(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
        if parsed.scheme == "http" and not all(self.is_allowed_network(a) for a in addresses):
            raise OutboundRefused("use https; plain http is only for networks the operator allows")
        return parsed

    def session(
        self,
        *,
        limit: int,
        connect_timeout: float = 5.0,
        total_timeout: float = 15.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> GuardedSession:
        """A pool of at most ``limit`` connections whose every connection goes through this
        policy. Pass one ``ssl_context`` to many sessions: building one loads the CA bundle."""
        connector = aiohttp.TCPConnector(
            limit=limit,
            resolver=_GuardedResolver(self),  # host names are resolved and checked at connect time
            use_dns_cache=False,
            ssl=ssl_context or True,
        )
        timeout = aiohttp.ClientTimeout(total=total_timeout, connect=connect_timeout)
        return GuardedSession(self, aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False))

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (policies are few, frozen and live as long as the process)
    def check_target(self, url: str) -> None:
        """``check_url``, and for an IP literal its address too (names are checked at connect).
        Cached per URL: the answer depends only on the URL and this (frozen) policy."""
        parsed = self.check_url(url)
        try:
            literal = ipaddress.ip_address(parsed.host)
        except ValueError:
            return
        self.check_address(literal)


class GuardedSession:
    """``post`` without redirects, to a checked target; aiohttp does the rest."""

    def __init__(self, policy: OutboundPolicy, session: aiohttp.ClientSession) -> None:
        self._policy = policy
        self._session = session

    def post(self, url: str, *, data: bytes, headers: dict[str, str]) -> Any:
        # aiohttp connects to IP literals without asking the resolver: check them here.
        self._policy.check_target(url)
        return self._session.post(url, data=data, headers=headers, allow_redirects=False)

    async def close(self) -> None:
        await self._session.close()


class _GuardedResolver(aiohttp.abc.AbstractResolver):
    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[aiohttp.abc.ResolveResult]:
        addresses = await self._policy.resolve(host, port)
        return [
            {
                "hostname": host,
                "host": str(address),
                "port": port,
                "family": socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in addresses
        ]

    async def close(self) -> None:
        pass


async def read_capped(response: aiohttp.ClientResponse, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` bytes of an aiohttp response body, and whether it was cut short."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        chunks.append(chunk[: limit - size])
        size += len(chunk)
        if size >= limit:
            return b"".join(chunks), size > limit or not response.content.at_eof()
    return b"".join(chunks), False
