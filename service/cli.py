"""The ``joist`` command: operators, the README and black-box tests drive Joist through it."""

from __future__ import annotations

import signal
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from service.errors import JoistError
from service.settings import Settings, SettingsError

__all__ = ["main"]

T = TypeVar("T")


class Context:
    def __init__(self) -> None:
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction per command: committed when the command succeeds."""
        from service.db.engine import make_engine, make_sessionmaker

        engine = make_engine(self.settings.database_url, pool_size=1, max_overflow=0)
        try:
            with make_sessionmaker(engine).begin() as session:
                yield session
        finally:
            engine.dispose()


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _run(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except JoistError as exc:
        _fail(exc.detail)
    except SettingsError as exc:
        _fail(str(exc))
    raise AssertionError("unreachable")


@click.group()
def main() -> None:
    """Joist: the API & integration marketplace of a construction-management platform."""


# -- database -------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """The operational database."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Apply every migration up to the newest."""
    from service.db.migrate import upgrade

    upgrade(ctx.settings.database_url)
    click.echo("database is at the newest revision")


# -- serving --------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes.")
@click.option("--access-log/--no-access-log", default=False, show_default=True)
@pass_ctx
def serve(ctx: Context, host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the API and web pages."""
    import uvicorn

    from service.db.migrate import upgrade

    settings = ctx.settings
    if settings.database_url.startswith("sqlite"):
        upgrade(settings.database_url)  # the embedded default migrates itself on start
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
        proxy_headers=False,
    )


@main.command()
@click.option("--once", is_flag=True, help="Claim and send one batch, then exit.")
@click.option(
    "--builder",
    "builder_slugs",
    multiple=True,
    help="Serve only this builder's deliveries (repeatable): a dedicated worker for a busy tenant.",
)
@pass_ctx
def worker(ctx: Context, once: bool, builder_slugs: tuple[str, ...]) -> None:
    """Send webhook deliveries: claim what is due, post it signed, retry on the schedule.

    Any number of workers may run against PostgreSQL. SIGTERM (or Ctrl-C) stops claiming,
    lets the attempts in flight finish and records them, then exits.
    """
    import logging

    import anyio

    from service.db.database import Database
    from service.db.engine import make_engine
    from service.webhooks.worker import worker_from_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from service.accounts.services import get_builder_by_slug

    settings = ctx.settings
    builders: tuple[Any, ...] = ()
    if builder_slugs:
        with ctx.session() as session:
            builders = tuple(_run(lambda: [get_builder_by_slug(session, s).id for s in builder_slugs]))
    db = Database(make_engine(settings.database_url, pool_size=4, max_overflow=4))
    sender = worker_from_settings(db, settings, builders)

    async def run() -> None:
        if once:
            outcomes = await sender.run_once()
            click.echo(f"{len(outcomes)} attempts")
            return
        stop = anyio.Event()

        async def on_signal() -> None:
            with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                async for _ in signals:
                    stop.set()
                    return

        async with anyio.create_task_group() as tg:
            tg.start_soon(on_signal)
            await sender.run(stop)
            tg.cancel_scope.cancel()

    try:
        anyio.run(run)
    finally:
        db.engine.dispose()


@main.group()
def pipelines() -> None:
    """The data pipelines (Dagster), for operators without the daemon."""


@pipelines.command(
    "materialize",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@pass_ctx
def pipelines_materialize(ctx: Context, args: tuple[str, ...]) -> None:
    """Run the pipelines' definitions in-process: every pending submission and inbox file, or
    ``--submission ID``, or ``--select SELECTION [--partition ID]`` (``--help`` lists them).

    Runs as ``python -m pipelines`` in a child process: the service never imports the
    pipelines (their layer sits above it), and the API's processes never load Dagster."""
    import os
    import subprocess

    env = {**os.environ, "JOIST_DATA_DIR": str(ctx.settings.data_dir)}
    command = [sys.executable, "-m", "pipelines", "materialize", *args]
    sys.exit(subprocess.call(command, env=env))  # noqa: S603 (our own interpreter and module)


# -- builders and keys ----------------------------------------------------------------------


@main.group()
def builders() -> None:
    """Builders (the tenants)."""


@builders.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option(
    "--plan",
    default="starter",
    show_default=True,
    type=click.Choice(["starter", "professional", "business", "enterprise"]),
)
@pass_ctx
def builders_create(ctx: Context, slug: str, name: str, plan: str) -> None:
    """Create a builder."""
    from service.accounts.services import create_builder

    def work() -> str:
        with ctx.session() as session:
            builder = create_builder(session, slug=slug, name=name, plan=plan)
            return f"{builder.id}\t{builder.slug}\t{builder.plan}"

    click.echo(_run(work))


@main.group("api-keys")
def api_keys() -> None:
    """API keys."""


@api_keys.command("create")
@click.option("--builder", "builder_slug", help="The builder's slug (or --org).")
@click.option("--org", "org_slug", help="A supplier's or manufacturer's slug (or --builder).")
@click.option("--name", required=True)
@click.option("--scopes", required=True, help="Comma-separated, e.g. read:projects,write:invoices.")
@click.option(
    "--rate-limit", type=click.IntRange(1, 1_000_000), help="Requests per minute (enterprise plan, or an org)."
)
@click.option(
    "--expires-at", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"]), help="UTC unless an offset is given."
)
@pass_ctx
def api_keys_create(
    ctx: Context,
    builder_slug: str | None,
    org_slug: str | None,
    name: str,
    scopes: str,
    rate_limit: int | None,
    expires_at: datetime | None,
) -> None:
    """Create an API key for a builder or an organisation; the key is the last line printed."""
    from datetime import UTC

    from service.accounts.services import get_builder_by_slug
    from service.api_keys.services import issue_key
    from service.orgs.services import get_org_by_slug, issue_org_key

    _one_account(builder_slug, org_slug)
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    wanted = [s.strip() for s in scopes.split(",") if s.strip()]

    def work() -> tuple[Any, str]:
        with ctx.session() as session:
            if org_slug is not None:
                org = get_org_by_slug(session, org_slug)
                return issue_org_key(
                    session, org, name=name, scopes=wanted, rate_limit=rate_limit, expires_at=expires_at
                )
            builder = get_builder_by_slug(session, builder_slug or "")
            row, key = issue_key(
                session,
                builder,
                name=name,
                scopes=wanted,
                rate_limit=rate_limit,
                expires_at=expires_at,
            )
            return row, key

    row, key = _run(work)
    click.echo(f"created API key {row.key_prefix} ({row.id}) with scopes {','.join(row.scopes)}", err=True)
    click.echo(key)


def _one_account(builder_slug: str | None, org_slug: str | None) -> None:
    if (builder_slug is None) == (org_slug is None):
        _fail("give exactly one of --builder and --org")


_KEY_COLUMNS = ("id", "prefix", "name", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at")


@api_keys.command("list")
@click.option("--builder", "builder_slug", help="The builder's slug (or --org).")
@click.option("--org", "org_slug", help="A supplier's or manufacturer's slug (or --builder).")
@pass_ctx
def api_keys_list(ctx: Context, builder_slug: str | None, org_slug: str | None) -> None:
    """List a builder's or an organisation's keys, newest first: a header line, then one
    tab-separated line per key (never the key itself; "-" where a time is not set)."""
    from service.accounts.services import get_builder_by_slug
    from service.api_keys.repositories import BUILDER_KEYS
    from service.api_keys.schemas import ApiKeyOut
    from service.api_keys.services import render
    from service.orgs.repositories import ORG_KEYS
    from service.orgs.services import get_org_by_slug, render_org_key

    _one_account(builder_slug, org_slug)

    def work() -> list[ApiKeyOut]:
        with ctx.session() as session:
            if org_slug is not None:
                org = get_org_by_slug(session, org_slug)
                return [render_org_key(row) for row in session.execute(ORG_KEYS.every, {"org_id": org.id})]
            builder = get_builder_by_slug(session, builder_slug or "")
            rows = session.execute(BUILDER_KEYS.every, {"builder_id": builder.id})
            return [render(row, builder.plan) for row in rows]

    def when(value: datetime | None) -> str:
        return "-" if value is None else value.isoformat().replace("+00:00", "Z")

    keys = _run(work)
    click.echo("\t".join(_KEY_COLUMNS))
    for key in keys:
        times = (key.created_at, key.expires_at, key.last_used_at, key.revoked_at)
        click.echo("\t".join([str(key.id), key.prefix, key.name, ",".join(key.scopes), *map(when, times)]))


@api_keys.command("revoke")
@click.argument("key_id", type=click.UUID)
@click.option("--builder", "builder_slug", help="The builder's slug (or --org).")
@click.option("--org", "org_slug", help="A supplier's or manufacturer's slug (or --builder).")
@pass_ctx
def api_keys_revoke(ctx: Context, key_id: uuid.UUID, builder_slug: str | None, org_slug: str | None) -> None:
    """Revoke one of a builder's or an organisation's keys (a revoked key stays revoked).

    Servers that hold the key in their authentication cache stop accepting it within
    JOIST_AUTH_CACHE_SECONDS (5 s by default); a key of another account is an error."""
    from functools import partial

    from service.accounts.services import get_builder_by_slug
    from service.api_keys.models import ApiKey
    from service.api_keys.services import get_key, withdraw
    from service.errors import NotFound
    from service.orgs.models import OrgApiKey
    from service.orgs.services import get_org_by_slug, get_org_key

    _one_account(builder_slug, org_slug)

    def work() -> tuple[str, bool]:
        with ctx.session() as session:
            find: Callable[[], ApiKey | OrgApiKey]
            if org_slug is not None:
                find = partial(get_org_key, session, get_org_by_slug(session, org_slug).id, key_id)
            else:
                find = partial(get_key, session, get_builder_by_slug(session, builder_slug or "").id, key_id)
            try:
                row = find()
            except NotFound:
                account = f"organisation {org_slug!r}" if org_slug is not None else f"builder {builder_slug!r}"
                _fail(f"{account} has no API key {key_id}")
                raise
            return row.key_prefix, withdraw(session, row)

    prefix, revoked = _run(work)
    click.echo(f"API key {prefix} ({key_id}) " + ("revoked" if revoked else "was revoked already; nothing changed"))


# -- people and apps (issue #5) -------------------------------------------------------------


@main.group()
def users() -> None:
    """A builder's users (they sign in to the web pages and authorize apps)."""


@users.command("create")
@click.option("--builder", "builder_slug", required=True, help="The builder's slug.")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--role", default="member", show_default=True, type=click.Choice(["owner", "admin", "member"]))
@click.option("--name", default="", help="Shown in the web pages.")
@pass_ctx
def users_create(ctx: Context, builder_slug: str, email: str, password: str, role: str, name: str) -> None:
    """Create a builder's user who can sign in; prints the user's id."""
    from service.accounts.services import create_user, get_builder_by_slug

    def work() -> str:
        with ctx.session() as session:
            builder = get_builder_by_slug(session, builder_slug)
            user = create_user(session, builder, email=email, name=name, role=role, password=password)
            return f"{user.id}\t{user.email}\t{user.role}"

    click.echo(_run(work))


@main.group()
def developers() -> None:
    """Third-party developer accounts."""


@developers.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--name", default="", help="Shown to builders on the consent screen.")
@pass_ctx
def developers_create(ctx: Context, email: str, password: str, name: str) -> None:
    """Create a developer account; the developer API key is the last line printed."""
    _create_person(ctx, "developer", email, password, name, with_key=True)


@main.group()
def staff() -> None:
    """Platform staff (they review apps)."""


@staff.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--name", default="")
@pass_ctx
def staff_create(ctx: Context, email: str, password: str, name: str) -> None:
    """Create a staff member; a staff API key (for the review API) is the last line printed."""
    _create_person(ctx, "staff", email, password, name, with_key=True)


def _create_person(ctx: Context, kind: str, email: str, password: str, name: str, *, with_key: bool) -> None:
    from service.accounts.models import UserKind
    from service.accounts.services import create_person, issue_person_key

    def work() -> tuple[str, str]:
        with ctx.session() as session:
            user = create_person(session, UserKind(kind), email=email, password=password, name=name)
            key = issue_person_key(session, user) if with_key else ""
            return f"{user.id}\t{user.email}\t{kind}", key

    line, key = _run(work)
    click.echo(line)
    if key:
        click.echo(key)


@main.group()
def apps() -> None:
    """Third-party apps (OAuth clients)."""


@apps.command("review")
@click.argument("client_id")
@click.option("--approve", "decision", flag_value="approve", help="Approve a submitted app.")
@click.option("--reject", "decision", flag_value="reject", help="Reject a submitted app (final).")
@click.option("--request-changes", "decision", flag_value="request_changes", help="Send it back to the developer.")
@click.option("--admit", "decision", flag_value="admit", help="Admit a waitlisted registration to draft.")
@click.option("--reason", required=True, help="Shown to the developer.")
@pass_ctx
def apps_review(ctx: Context, client_id: str, decision: str | None, reason: str) -> None:
    """Decide on an app by its client_id; prints the app's new status."""
    from service.oauth.apps import get_app_by_client_id, review_app

    if decision is None:
        _fail("give one of --approve, --reject, --request-changes or --admit")

    def work() -> str:
        with ctx.session() as session:
            app = review_app(session, get_app_by_client_id(session, client_id), decision or "", reason, None)
            return f"{app.client_id}\t{app.status}"

    click.echo(_run(work))


# -- supplier and manufacturer organisations, deals -----------------------------------------


@main.group()
def orgs() -> None:
    """Supplier and manufacturer organisations (they push feeds)."""


@orgs.command("create")
@click.option("--kind", required=True, type=click.Choice(["supplier", "manufacturer"]))
@click.option("--slug", required=True, help="Also the feed's source name in the catalog.")
@click.option("--name", required=True)
@click.option("--terms", default="", help="Comma-separated source terms, e.g. no-price-comparison.")
@click.option(
    "--make",
    "makes",
    multiple=True,
    help="A manufacturer's: a manufacturer name its feeds may list products under (repeat it; default: --name).",
)
@pass_ctx
def orgs_create(ctx: Context, kind: str, slug: str, name: str, terms: str, makes: tuple[str, ...]) -> None:
    """Create a supplier or manufacturer organisation."""
    from service.orgs.services import create_org

    def work() -> str:
        with ctx.session() as session:
            org = create_org(
                session,
                kind=kind,
                slug=slug,
                name=name,
                terms=[t.strip() for t in terms.split(",") if t.strip()],
                makes=list(makes) or None,
            )
            return f"{org.id}\t{org.slug}\t{org.kind}"

    click.echo(_run(work))


@orgs.command("set-makes")
@click.option("--slug", required=True, help="The manufacturer organisation.")
@click.option("--make", "makes", multiple=True, required=True, help="A manufacturer name (repeat it).")
@pass_ctx
def orgs_set_makes(ctx: Context, slug: str, makes: tuple[str, ...]) -> None:
    """Replace the manufacturer names an organisation's feeds may list products under."""
    from service.orgs.services import get_org_by_slug, set_makes

    def work() -> str:
        with ctx.session() as session:
            org = set_makes(session, get_org_by_slug(session, slug), makes)
            return "\n".join(org.makes or [])

    click.echo(_run(work))


@main.group()
def deals() -> None:
    """Platform-negotiated supplier deals."""


@deals.command("create")
@click.option("--name", required=True)
@click.option("--supplier", required=True, help="The supplier's slug.")
@click.option("--product", "product_id", help="One product id (p_…); or --category; neither: the whole catalog.")
@click.option("--category", help="A category path; its sub-categories are included.")
@click.option("--percent", type=click.STRING, help="Percent off, e.g. 7.5.")
@click.option("--amount", type=click.STRING, help="Amount off each order unit (with --currency).")
@click.option("--currency", help="ISO 4217 code of --amount.")
@click.option("--plans", required=True, help="Comma-separated eligible plans, e.g. professional,business.")
@click.option("--valid-from", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"]), help="Default: now (UTC).")
@click.option("--valid-to", type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"]), help="Default: open-ended.")
@pass_ctx
def deals_create(
    ctx: Context,
    name: str,
    supplier: str,
    product_id: str | None,
    category: str | None,
    percent: str | None,
    amount: str | None,
    currency: str | None,
    plans: str,
    valid_from: datetime | None,
    valid_to: datetime | None,
) -> None:
    """Create a deal; prints its id."""
    from datetime import UTC
    from decimal import Decimal, InvalidOperation

    from service.deals.services import create_deal

    def decimal(value: str | None, option: str) -> Decimal | None:
        if value is None:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            _fail(f"{option} must be a decimal number")
            raise

    def utc(value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    if product_id is not None:
        _check_product(ctx.settings.data_dir, product_id)

    def work() -> str:
        with ctx.session() as session:
            deal = create_deal(
                session,
                name=name,
                supplier=supplier,
                plans=[p.strip() for p in plans.split(",") if p.strip()],
                product_id=product_id,
                category=category,
                discount_percent=decimal(percent, "--percent"),
                discount_amount=decimal(amount, "--amount"),
                currency=currency,
                valid_from=utc(valid_from),
                valid_to=utc(valid_to),
            )
            return str(deal.id)

    click.echo(_run(work))


def _check_product(data_dir: Path, product_id: str) -> None:
    """Refuse a product the published catalog does not have (with no catalog published yet there
    is nothing to check against: the deal applies once the product is published). The snapshot is
    opened without the search's in-memory index, which a lookup does not need."""
    from warehouse._sql import execute
    from warehouse.snapshots import SnapshotReader, SnapshotUnavailable

    reader = SnapshotReader(data_dir, "catalog")
    try:
        with reader.cursor() as cur:
            found = execute(cur, "catalog", "product", {"product_id": product_id}).fetchone() is not None
    except SnapshotUnavailable:
        return
    finally:
        reader.close()
    if not found:
        _fail(f"no product {product_id!r} in the published catalog (GET /api/v1/catalog/products finds its id)")


# -- demo -----------------------------------------------------------------------------------


@main.command()
@click.option("--demo", is_flag=True, required=True, help="Load the demo tenants and data.")
@pass_ctx
def seed(ctx: Context, demo: bool) -> None:
    """Load demo data (idempotent); prints the demo API key last."""
    from service.demo import seed_demo

    def work() -> str:
        with ctx.session() as session:
            return seed_demo(session, ctx.settings)

    key = _run(work)
    click.echo(key)


@main.group()
def demo() -> None:
    """Demo material."""


@demo.command("feeds")
@click.option("--rows", required=True, type=click.IntRange(1, 50_000_000), help="Rows of the supplier catalog.")
@click.option("--dirty", is_flag=True, help="Plant defects that the validation rules reject.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Default: <data dir>/samples.")
@click.option("--seed", default=0, show_default=True, type=int, help="Same seed, same bytes.")
@pass_ctx
def demo_feeds(ctx: Context, rows: int, dirty: bool, out_dir: str | None, seed: int) -> None:
    """Write sample feeds: a supplier catalog, a manufacturer feed, cost items and a location index.

    Push the first two with the API (text/csv); drop the cost files into <data dir>/inbox/cost_data/.
    """
    from pathlib import Path

    from service.demo import write_sample_feeds

    out = Path(out_dir) if out_dir else ctx.settings.data_dir / "samples"
    for stats in write_sample_feeds(out, rows=rows, dirty=dirty, seed=seed):
        defects = f" ({sum(stats.defects.values())} planted defects)" if stats.defects else ""
        click.echo(f"{stats.path}\t{stats.rows} rows{defects}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--dagster-port", default=3000, show_default=True, type=int)
@click.option("--no-dagster", is_flag=True, help="Start only the API.")
@pass_ctx
def up(ctx: Context, host: str, port: int, dagster_port: int, no_dagster: bool) -> None:
    """Migrate, seed the demo, and run every process until interrupted."""
    from service.supervisor import run_all

    try:
        status = run_all(ctx.settings, host=host, port=port, dagster_port=None if no_dagster else dagster_port)
    except KeyboardInterrupt:
        # Ctrl-C while migrating or seeding, before any process started: the transaction rolled back
        click.echo("joist: stopped before anything started", err=True)
        status = 128 + signal.SIGINT
    sys.exit(status)


if __name__ == "__main__":
    main()
