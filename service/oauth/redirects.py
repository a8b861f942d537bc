"""Which redirect URIs an app may register (RFC 9700 §2.1, RFC 8252 §7.3): https, or plain http
to a loopback IP literal on any port; never a fragment, a wildcard or user info. At authorize
time the URI must equal a registered one exactly (no normalising: case, a trailing slash or an
extra query parameter make it a different URI)."""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

__all__ = ["MAX_URL", "redirect_uri_problem", "web_url_problem"]

MAX_URL = 2000


def _is_loopback_literal(host: str) -> bool:
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def redirect_uri_problem(uri: str) -> str | None:  # noqa: PLR0911  (one answer per rule)
    """Why ``uri`` cannot be registered, or None when it can."""
    if not uri or len(uri) > MAX_URL:
        return f"must be 1–{MAX_URL} characters"
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in uri):
        return "may not contain spaces or control characters"
    if "#" in uri:
        return "may not contain a fragment"
    if "*" in uri:
        return "may not contain a wildcard"
    try:
        parts = urlsplit(uri)
        port = parts.port  # raises on a bad port
    except ValueError:
        return "is not a valid URL"
    del port
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "may not contain user information"
    if parts.scheme == "https":
        return None if host else "needs a host"
    if parts.scheme == "http":
        if _is_loopback_literal(host):
            return None
        return "plain http is allowed only to a loopback IP literal (127.0.0.1 or [::1]); use https"
    return "must be an https URL (or http to a loopback IP literal)"


def web_url_problem(url: str) -> str | None:
    """A logo or homepage link: https only."""
    if not url or len(url) > MAX_URL:
        return f"must be 1–{MAX_URL} characters"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in url):
        return "must be an https URL"
    return None
