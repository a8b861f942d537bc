"""Rendering the web pages: Jinja2 with autoescaping, and the headers every page carries (no
framing, no referrer, nothing loaded from anywhere but this origin, never cached)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Response

__all__ = ["CSS", "page"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(default=True), auto_reload=False)
CSS = (_TEMPLATES / "joist.css").read_text()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def page(template: str, *, status: int = 200, redirect_to: str | None = None, **context: Any) -> Response[str]:
    """``redirect_to``: the client's redirect URI when the page's form may end in a redirect
    there (CSP ``form-action`` also governs where a form's redirect may go)."""
    html = _ENV.get_template(template).render(**context)
    form_action = "'self'" + (f" {_origin(redirect_to)}" if redirect_to else "")
    csp = (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )
    return Response(
        html,
        status_code=status,
        media_type="text/html",  # Litestar adds "; charset=utf-8" to text types
        headers={
            "Content-Security-Policy": csp,
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
