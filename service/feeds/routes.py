from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import InternalServerException
from litestar.openapi.spec import OpenAPIFormat, OpenAPIType, Operation, RequestBody, Schema
from litestar.openapi.spec import OpenAPIMediaType as MediaType
from litestar.params import FromPath, QueryParameter

from service.db.database import Database, database
from service.errors import NotFound, PayloadTooLarge
from service.feeds import services
from service.feeds.landing import BadBody, Landing, body_kind
from service.feeds.repositories import ONE_SUBMISSION, ORG_SOURCE, PENDING_SUBMISSIONS, SUBMISSION_LIST
from service.feeds.schemas import FeedName, FeedSubmissionOut, FeedSubmissionPage, Mode, Status
from service.http.auth import Account, needs, principal_of
from service.http.idempotency import body_received, unkept
from service.http.pagination import Cursor, Limit, PageParams, paginate
from service.http.query import RAW_BODY
from service.orgs.services import publishes_under
from service.settings import Settings

__all__ = ["FeedSubmissionController", "PushController"]

_PUSH_DESCRIPTION = """The feed is the request body, streamed to the landing area as it arrives:
`text/csv` with a header row, `application/x-ndjson` (one record per line) or `application/json`
as `{"records": [...]}`, optionally with
`Content-Encoding: gzip`. Field names are those of the feed (see docs/pipelines.md). Bodies up to
`JOIST_MAX_FEED_BYTES` (4 GiB by default) as sent; past it, 413.

Answers 202 with a `Location` of the submission, which moves `received → validating → accepted |
rejected → published` and carries the validation report (`failed` if processing stopped on an
error of Joist's before it was accepted: nothing of it is published, and it moves on when it is
run again). `Idempotency-Key` is honoured: a retry with the key is replayed when its path, query,
Content-Type and Content-Encoding are the first request's and its body has the same SHA-256
(hashed as it arrives, chunked or not, and not kept); any other request under the key is a 409
and leaves nothing behind."""


def _feed_body() -> dict[str, MediaType]:
    text = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
    return {
        "text/csv": MediaType(schema=text),
        "application/x-ndjson": MediaType(schema=text),
        "application/json": MediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                required=["records"],
                properties={"records": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT))},
            )
        ),
    }


@dataclass
class _PushOperation(Operation):
    """The body is read as a stream, not declared as a handler parameter; say what it is."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True, description="The feed, in one of these formats (gzip allowed).", content=_feed_body()
        )


def _push_route(account: Account) -> dict[str, Any]:
    route = needs("write:catalog", account=account)
    route["opt"][RAW_BODY] = True
    return route


async def _body(request: Request[Any, Any, Any]) -> AsyncIterator[bytes]:
    """The request body as it arrives; a client that stops sending mid-body is a 400, not a 500,
    and not the answer its Idempotency-Key keeps (the retry with the whole body runs)."""
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except InternalServerException as exc:  # Litestar's word for a disconnect mid-body
        unkept(request.scope)
        raise BadBody.because("the body ended early: the client disconnected before sending all of it") from exc


async def _push(request: Request[Any, Any, Any], state: State, feed: str, mode: str) -> Response[FeedSubmissionOut]:
    principal = principal_of(request)
    org_id = principal.org_id
    settings: Settings = state.settings
    kind = body_kind(request.headers.get("content-type"), request.headers.get("content-encoding"))
    limit = settings.max_feed_bytes
    if (request.content_length or 0) > limit:
        raise PayloadTooLarge(f"the feed body is larger than the {limit}-byte limit (JOIST_MAX_FEED_BYTES)")
    db = database(state)
    org = await db.fetch_one(ORG_SOURCE, {"org_id": org_id})
    if org is None:  # deleted while its key was cached
        raise NotFound("the organisation of this key no longer exists")
    source, terms, org_name, makes = org
    # a manufacturer's feed lists products under the names it is registered for (the pipeline checks)
    named = publishes_under(org_name, makes) if feed == "manufacturer_feed" else None
    landing = Landing(settings.data_dir)
    received = await landing.receive(str(uuid.uuid4()), kind, _body(request), limit)
    body_received(request.scope, received.sha256)  # what a retry under its Idempotency-Key must match
    try:
        out = await db.write(
            lambda session: services.record_submission(
                session,
                landing,
                received,
                org_id=org_id,
                feed=feed,
                source=source,
                terms=terms,
                makes=named,
                mode=mode,
            )
        )
    except BaseException:
        landing.discard(received.submission_id)
        raise
    return Response(out, status_code=202, headers={"Location": f"/api/v1/feed-submissions/{out.id}"})


ModeParam = Annotated[
    Mode,
    QueryParameter(
        description="full: the feed replaces everything this organisation published before; "
        "delta: it replaces only the records it lists."
    ),
]


class PushController(Controller):
    path = "/"
    tags = ["Feeds"]

    @post(
        "/suppliers/catalog",
        **_push_route("supplier"),
        request_max_body_size=None,  # streamed to disk and capped by max_feed_bytes instead
        operation_class=_PushOperation,
        operation_id="pushSupplierCatalog",
        status_code=202,
        summary="Push a supplier catalog (prices and availability)",
        description=_PUSH_DESCRIPTION,
    )
    async def push_supplier_catalog(
        self, request: Request[Any, Any, Any], state: State, mode: ModeParam = "full"
    ) -> Response[FeedSubmissionOut]:
        return await _push(request, state, "supplier_catalog", mode)

    @post(
        "/manufacturers/feed",
        **_push_route("manufacturer"),
        request_max_body_size=None,
        operation_class=_PushOperation,
        operation_id="pushManufacturerFeed",
        status_code=202,
        summary="Push a manufacturer feed (models, specs, list prices)",
        description=_PUSH_DESCRIPTION,
    )
    async def push_manufacturer_feed(
        self, request: Request[Any, Any, Any], state: State, mode: ModeParam = "delta"
    ) -> Response[FeedSubmissionOut]:
        return await _push(request, state, "manufacturer_feed", mode)


async def _sync(
    state: State, db: Database, org_id: uuid.UUID, rows: Sequence[Sequence[Any]]
) -> dict[uuid.UUID, FeedSubmissionOut]:
    """Bring submissions up to what the pipelines wrote in their ``status.json``, in one pass:
    the files read in one worker-thread call (a ``stat`` each for files read before, see
    ``Landing.read_status``), whatever is new written in one transaction. ``rows`` are (id,
    status, whether the row has a report, its failure); the answer holds those that had news, as
    they are now."""
    if not rows:
        return {}
    settings: Settings = state.settings
    reported = await anyio.to_thread.run_sync(Landing(settings.data_dir).read_statuses, [str(r[0]) for r in rows])
    news = {}
    for submission_id, status, has_report, failure in rows:
        found = reported.get(str(submission_id))
        if found is not None and services.is_news(status, bool(has_report), failure, found):
            news[submission_id] = found
    if not news:
        return {}
    return await db.write(lambda session: services.apply_statuses(session, org_id, news))


class FeedSubmissionController(Controller):
    path = "/feed-submissions"
    tags = ["Feeds"]

    @get(
        "/",
        **needs("read:catalog", account="org"),
        operation_id="listFeedSubmissions",
        summary="List this organisation's feed submissions, newest first",
        description="Each submission in the status the pipelines last reported, as `GET "
        "/api/v1/feed-submissions/{id}` shows it: the `status` filter applies to that status.",
    )
    async def list_submissions(
        self,
        request: Request[Any, Any, Any],
        state: State,
        limit: Limit = 25,
        cursor: Cursor = None,
        status: Annotated[Status | None, QueryParameter(description="Only submissions in this status.")] = None,
        feed: Annotated[FeedName | None, QueryParameter(description="Only submissions of this feed.")] = None,
    ) -> FeedSubmissionPage:
        org_id = principal_of(request).org_id
        page = PageParams.of(limit, cursor)
        db = database(state)
        # The pipelines answer only through status.json: before the status filter and the cursor
        # run, sync every submission they may still move on, so the list says what GET /{id}
        # says. Those are the few in flight (and any a failed run left behind), and a status
        # file read before costs a stat.
        await _sync(state, db, org_id, await db.fetch_all(PENDING_SUBMISSIONS, {"org_id": org_id}))
        return await paginate(
            db,
            SUBMISSION_LIST,
            org_id,
            page,
            services.render,
            FeedSubmissionPage,
            status=status,
            feed=feed,
        )

    @get(
        "/{submission_id:uuid}",
        **needs("read:catalog", account="org"),
        operation_id="getFeedSubmission",
        summary="Get a feed submission: its status and validation report",
    )
    async def get_submission(
        self, request: Request[Any, Any, Any], state: State, submission_id: FromPath[uuid.UUID]
    ) -> FeedSubmissionOut:
        org_id = principal_of(request).org_id
        db = database(state)
        row = await db.fetch_one(ONE_SUBMISSION, {"org_id": org_id, "submission_id": submission_id})
        if row is None:
            raise NotFound(f"no feed submission {submission_id}")
        out = services.render(row)
        if out.status in services.TERMINAL:
            return out
        failure = None if out.failure is None else msgspec.to_builtins(out.failure)
        synced = await _sync(state, db, org_id, [(out.id, out.status, out.report is not None, failure)])
        return synced.get(submission_id, out)
