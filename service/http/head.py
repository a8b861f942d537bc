"""``HEAD`` on every ``GET`` route (RFC 9110 §9.3.2): the same status and headers as ``GET``, no body.

Litestar routes ``HEAD`` only to handlers declared for it. ``AnswerHead`` gives every route that
has a ``GET`` handler and no ``HEAD`` one a ``HEAD`` entry served by that handler, as each route
is registered (before the routing table is built). So a ``HEAD`` meets exactly what a ``GET``
meets — credential, scope, account, strict query, rate limit, the handler — and the router knows
the method: ``Allow`` on a 405 lists it beside ``GET``. The entry is kept out
of the OpenAPI document, which would otherwise repeat each ``GET`` operation (and its
``operationId``) as a ``head`` one; docs/api.md states the rule once.

The same plugin points Litestar's generated ``OPTIONS`` handler of each path at the path's final
route, so its ``Allow`` lists every method, as a 405's does.

``drop_head_body`` empties every body message sent for a ``HEAD`` request, error problems
included, while ``Content-Length`` keeps the length a ``GET`` would receive. ASGI servers are not
required to drop a body sent for ``HEAD``, so Joist does not send one. A streamed ``GET`` still
runs its stream for ``HEAD`` unless its handler skips it (the document download does).
"""

from __future__ import annotations

from copy import copy
from typing import TYPE_CHECKING

from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import HTTPRoute

if TYPE_CHECKING:
    from litestar.routes import BaseRoute
    from litestar.types import Message, Scope

__all__ = ["AnswerHead", "drop_head_body"]


class AnswerHead(ReceiveRoutePlugin):
    """Serve ``HEAD`` with the route's ``GET`` handler wherever no handler is declared for it."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        _answer_options_for(route)
        handlers = route.route_handler_map
        if "GET" not in handlers or "HEAD" in handlers:
            return
        handler, kwargs_model = handlers["GET"]
        # The same handler under its own name for HEAD: it shares the GET handler's function,
        # options (scope, account, query parameters) and resolved layers, and stays out of the
        # OpenAPI document, which is built from this map.
        head = copy(handler)
        head.http_methods = {"HEAD"}
        head.include_in_schema = False
        head._resolved_include_in_schema = False  # the copy may carry the GET handler's resolved value
        # HEAD right after GET, so that Allow reads "GET, HEAD, ...".
        route.route_handler_map = {}
        for method, entry in handlers.items():
            route.route_handler_map[method] = entry
            if method == "GET":
                route.route_handler_map["HEAD"] = (head, kwargs_model)
        route.methods.add("HEAD")


def _answer_options_for(route: HTTPRoute) -> None:
    """Point Litestar's generated ``OPTIONS`` handler at this route.

    The handler answers ``Allow`` from the methods of the route that created it. A router that
    registers a path's handlers in turns (a controller's list and create on one path) builds a new
    route each time and carries the first route's ``OPTIONS`` handler over, so ``Allow`` named
    only the methods of that first route (``OPTIONS, POST`` on ``/api/v1/api-keys``). Its closure
    is repointed at the route being registered, the last of which serves the path.
    """
    entry = route.route_handler_map.get("OPTIONS")
    fn = getattr(entry[0], "fn", None) if entry is not None else None
    if fn is None or getattr(fn, "__qualname__", "") != "HTTPRoute.create_options_handler.<locals>.options_handler":
        return  # an OPTIONS handler of our own, or a Litestar that builds it differently
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=True):
        if name == "self" and isinstance(cell.cell_contents, HTTPRoute):
            cell.cell_contents = route


async def drop_head_body(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: no body bytes leave for a ``HEAD`` request."""
    if message["type"] == "http.response.body" and scope.get("method") == "HEAD":
        message["body"] = b""
