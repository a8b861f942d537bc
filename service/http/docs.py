"""The interactive API console at ``/api/docs``: Swagger UI 5 served from the installed
``swagger-ui-dist`` package (``npm ci``), never from a CDN."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router, get
from litestar.static_files import create_static_files_router

from service.errors import ServiceUnavailable

__all__ = ["docs_router"]

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Joist API console</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
"""

_INIT = """window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  displayRequestDuration: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""

_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def docs_router(assets: Path) -> Router:
    @get("/", include_in_schema=False, media_type="text/html")
    async def console() -> Response[str]:
        if not (assets / "swagger-ui-bundle.js").exists():
            raise ServiceUnavailable(f"the API console's assets are not installed at {assets}; run `npm ci`")
        return Response(_PAGE, media_type="text/html", headers={"Content-Security-Policy": _CSP})

    @get("/init.js", include_in_schema=False, media_type="text/javascript")
    async def init() -> str:
        return _INIT

    handlers: list[object] = [console, init]
    if assets.is_dir():
        handlers.append(create_static_files_router(path="/assets", directories=[assets], include_in_schema=False))
    return Router(path="/api/docs", route_handlers=handlers)  # type: ignore[arg-type]
