"""Supplier feeds: landing to published snapshot, product search, and push-to-searchable latency.

Issue "Supplier, manufacturer and cost-data feeds", section 7. Run:
``uv run python -m benchmarks.feeds [--rows 1000000,5000000,10000000] [--write-docs]``.

(a) A supplier CSV of N rows (``contracts.samples.write_supplier_csv``) laid out as a landing
    folder (docs/pipelines.md) and run by ``pipelines.run.materialize_submission`` — the Dagster
    job the sensor starts: landed → staged → validated (GX suite + SQL rules) → curated →
    serving snapshot — in a child process, against DuckDB's plain
    ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` of the same file, in another child, in the
    same run. Targets: ≤ 3× the baseline's time, peak RSS < 2 GB (the child's ``ru_maxrss``).
(b) Product search over the snapshot of the ``--search-rows`` run: single requests with a ZIP and
    filters (p50/p99, target p99 < 50 ms) and throughput (target ≥ 200 searches/s), through
    ``warehouse.catalog.CatalogReader`` and, when the endpoint exists, over HTTP with ``wrk``
    against one ``joist serve`` process.
(c) Push-to-searchable: with ``dagster dev`` (daemon) and ``joist serve`` running on that data
    directory, a 100 k-row delta with new prices is pushed to ``POST /api/v1/suppliers/catalog``
    and search is polled until the new prices show. Target < 120 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.report import DOCS, ROOT, machine, markdown_table, print_table, write_docs

__all__ = ["main"]

SOURCE = "front-range-supply"
SUBMISSION = "sub_bench_feed"
MAX_RATIO, MAX_RSS_MB = 3.0, 2048.0
MAX_P99_MS, MIN_SEARCH_RPS, MAX_PUSH_S = 50.0, 200.0, 120.0
PUSH_ROWS = 100_000
WARMUP = 20  # searches before the timed ones
SECRET_KEY = "benchmark-instance-key-0123456789abcdef"
INGEST_HEADINGS = ("rows", "products", "CSV", "read_csv CTAS", "pipeline", "ratio", "peak RSS", "target verdict")
STEP_HEADINGS = ("rows", "landed", "staged", "validated", "curated", "serving/catalog", "other")
STATEMENT_HEADINGS = ("rows", "warehouse statement (warehouse/sql/…)", "time", "of the pipeline")
SEARCH_HEADINGS = ("level", "load", "requests", "p50", "p99", "searches/s", "target verdict")
PUSH_HEADINGS = ("update", "base catalog", "accepted (202)", "published", "searchable", "target verdict")


# -- child processes: each measures itself (wall time of the work, peak RSS of its tree) ----------


def _peak_rss_mb() -> float:
    """Peak RSS of this process and of any children it waited for (Linux: KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def _child_baseline(csv_path: str, db_path: str, out: str) -> None:
    import duckdb

    conn = duckdb.connect(db_path)
    conn.execute("SET enable_progress_bar = false")
    started = time.perf_counter()
    conn.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
    conn.execute("CHECKPOINT")
    seconds = time.perf_counter() - started
    rss_mb = _peak_rss_mb()
    rows = conn.execute("SELECT count(*) FROM t").fetchone()
    # for reference, not the baseline: one more write of the same rows, as each layer does
    started = time.perf_counter()
    conn.execute("CREATE TABLE t2 AS SELECT * FROM t")
    conn.execute("CHECKPOINT")
    copy_s = time.perf_counter() - started
    conn.close()
    result = {"seconds": seconds, "rss_mb": rss_mb, "rows": rows[0] if rows else 0, "copy_seconds": copy_s}
    Path(out).write_text(json.dumps(result))


def _child_pipeline(data_dir: str, csv_path: str, out: str) -> None:
    import dagster as dg

    from pipelines.run import materialize_submission
    from pipelines.submissions import write_manifest

    folder = Path(data_dir) / "landing" / SUBMISSION
    folder.mkdir(parents=True)
    os.link(csv_path, folder / "body.csv")  # the body as the service leaves it, without a copy
    write_manifest(
        data_dir,
        submission_id=SUBMISSION,
        feed="supplier_catalog",
        source=SOURCE,
        received_at=datetime.now(UTC),
        body="body.csv",
    )
    statements: dict[str, float] = {}

    class _Timings(logging.Handler):
        """Adds up the warehouse's statement timings (``warehouse._sql.execute`` at DEBUG)."""

        def emit(self, record: logging.LogRecord) -> None:
            domain, name, seconds = tuple(record.args or ())
            key = f"{domain}/{name}"
            statements[key] = statements.get(key, 0.0) + float(str(seconds))

    sql_log = logging.getLogger("joist.warehouse.sql")
    sql_log.setLevel(logging.DEBUG)
    sql_log.addHandler(_Timings())
    sql_log.propagate = False
    with dg.DagsterInstance.ephemeral() as instance:
        started = time.perf_counter()
        run = materialize_submission(data_dir, SUBMISSION, instance=instance)
        seconds = time.perf_counter() - started
        steps = {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in instance.get_run_step_stats(run.run_id)}
    result = {
        "seconds": seconds,
        "rss_mb": _peak_rss_mb(),
        "success": run.success,
        "status": run.status,
        "failed_rules": [r.rule for r in run.report.failed_rules] if run.report else None,
        "steps": steps,
        "statements": statements,
    }
    Path(out).write_text(json.dumps(result))


def _child_fts_reference(snapshot: str, db_path: str, out: str) -> None:
    """For reference, not the pipeline: DuckDB's own full-text index (the fts extension's
    ``PRAGMA create_fts_index``) over the published products' text, in a scratch file."""
    import duckdb

    from warehouse.fts import load_fts

    conn = duckdb.connect(db_path)
    conn.execute("SET enable_progress_bar = false")
    load_fts(conn)
    conn.execute(f"ATTACH '{snapshot}' AS snap (READ_ONLY)")
    conn.execute(
        "CREATE TABLE docs AS SELECT product_no, concat_ws(' ', name, brand, manufacturer, manufacturer_part_number,"
        " category, description) AS body FROM snap.products"
    )
    conn.execute("DETACH snap")
    conn.execute("CHECKPOINT")
    started = time.perf_counter()
    conn.execute("PRAGMA create_fts_index('docs', 'product_no', 'body', stemmer = 'english', stopwords = 'english')")
    conn.execute("CHECKPOINT")
    seconds = time.perf_counter() - started
    conn.close()
    Path(out).write_text(json.dumps({"seconds": seconds}))


def _run_child(kind: str, *args: str, log: Path) -> dict[str, Any]:
    """Run ``python -m benchmarks.feeds --child kind …``; its JSON result, or an error."""
    out = log.with_suffix(".json")
    out.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    cmd = [sys.executable, "-m", "benchmarks.feeds", "--child", kind, *args, str(out)]
    with log.open("ab") as fh:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0 or not out.exists():
        tail = log.read_text(errors="replace")[-1500:]
        return {"error": f"{kind} child exited {proc.returncode}: {tail}"}
    return dict(json.loads(out.read_text()))


# -- (a) landing → published snapshot --------------------------------------------------------


@dataclass
class Ingest:
    rows: int
    csv_mb: float = 0.0
    products: int = 0
    baseline_s: float = 0.0
    pipeline_s: float = 0.0
    rss_mb: float = 0.0
    baseline_rss_mb: float = 0.0
    copy_s: float = 0.0
    fts_s: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    statements: dict[str, float] = field(default_factory=dict)
    error: str | None = None


def _current_snapshot_path(data_dir: Path) -> Path | None:
    from warehouse.snapshots import current_snapshot, serving_dir

    name = current_snapshot(data_dir, "catalog")
    return None if name is None else serving_dir(data_dir, "catalog") / name


def _count_products(data_dir: Path) -> int:
    import duckdb

    path = _current_snapshot_path(data_dir)
    if path is None:
        return 0
    conn = duckdb.connect(str(path), read_only=True)
    try:
        row = conn.execute("SELECT count(*) FROM products").fetchone()
        return int(row[0]) if row else 0
    finally:
        conn.close()


def run_ingest(rows: int, work: Path, data_dir: Path) -> Ingest:
    from contracts.samples import write_supplier_csv

    result = Ingest(rows)
    csv_path = work / f"supplier-{rows}.csv"
    print(f"== (a) {rows:,} rows: writing {csv_path.name}", file=sys.stderr)
    write_supplier_csv(csv_path, rows)
    result.csv_mb = csv_path.stat().st_size / 1e6
    try:
        print("   baseline: CREATE TABLE AS SELECT * FROM read_csv", file=sys.stderr)
        base = _run_child("baseline", str(csv_path), str(work / "baseline.duckdb"), log=work / f"baseline-{rows}.log")
        for leftover in work.glob("baseline.duckdb*"):
            leftover.unlink()
        if "error" in base:
            result.error = base["error"]
            return result
        result.baseline_s, result.baseline_rss_mb = base["seconds"], base["rss_mb"]
        result.copy_s = base.get("copy_seconds", 0.0)
        print(f"   baseline {result.baseline_s:.1f} s; pipeline: materialize_submission", file=sys.stderr)
        run = _run_child("pipeline", str(data_dir), str(csv_path), log=work / f"pipeline-{rows}.log")
        if "error" in run:
            result.error = run["error"]
            return result
        if not run["success"] or run["status"] != "published":
            result.error = f"submission ended {run['status']} (failed rules: {run['failed_rules']})"
            return result
        result.pipeline_s, result.rss_mb, result.steps = run["seconds"], run["rss_mb"], run["steps"]
        result.statements = run.get("statements", {})
        result.products = _count_products(data_dir)
        print(f"   pipeline {result.pipeline_s:.1f} s, peak RSS {result.rss_mb:,.0f} MB", file=sys.stderr)
        snapshot = _current_snapshot_path(data_dir)
        if snapshot is not None:
            print("   reference: PRAGMA create_fts_index over the snapshot's products", file=sys.stderr)
            scratch = work / "fts-reference.duckdb"
            for leftover in work.glob("fts-reference.duckdb*"):  # from an interrupted run
                leftover.unlink()
            fts = _run_child("fts_reference", str(snapshot), str(scratch), log=work / f"fts-{rows}.log")
            for leftover in work.glob("fts-reference.duckdb*"):
                leftover.unlink()
            result.fts_s = float(fts.get("seconds", 0.0))
    finally:
        csv_path.unlink(missing_ok=True)
    return result


def ingest_rows(results: Sequence[Ingest]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in results:
        if r.error:
            out.append((f"{r.rows:,}", "-", f"{r.csv_mb:,.0f} MB", "-", "-", "-", "-", f"ERROR: {r.error[:300]}"))
            continue
        ratio = r.pipeline_s / r.baseline_s
        verdict = (
            f"≤ {MAX_RATIO:g}×: {'PASS' if ratio <= MAX_RATIO else 'MISS'}; "
            f"RSS < 2 GB: {'PASS' if r.rss_mb < MAX_RSS_MB else 'MISS'}"
        )
        out.append(
            (
                f"{r.rows:,}",
                f"{r.products:,}",
                f"{r.csv_mb:,.0f} MB",
                f"{r.baseline_s:.1f} s",
                f"{r.pipeline_s:.1f} s",
                f"{ratio:.1f}×",
                f"{r.rss_mb:,.0f} MB",
                verdict,
            )
        )
    return out


def step_rows(results: Sequence[Ingest]) -> list[tuple[str, ...]]:
    names: tuple[str, ...] = ("supplier_catalog__landed", "supplier_catalog__staged", "supplier_catalog__validated")
    names += ("supplier_catalog__curated", "serving__catalog")
    out = []
    for r in results:
        if r.error:
            continue
        cells = [f"{r.steps.get(n, 0.0):.1f} s" for n in names]
        other = r.pipeline_s - sum(r.steps.get(n, 0.0) for n in names)
        out.append((f"{r.rows:,}", *cells, f"{other:.1f} s"))
    return out


def statement_rows(results: Sequence[Ingest], share: float = 0.03) -> list[tuple[str, ...]]:
    """The warehouse statements that took at least ``share`` of a run, slowest first."""
    out: list[tuple[str, ...]] = []
    for r in results:
        if r.error or not r.statements:
            continue
        out.append((f"{r.rows:,}", "(reference) one more write of the baseline table", f"{r.copy_s:.1f} s", "-"))
        if r.fts_s:
            what = "(reference) DuckDB's own full-text index of the products: `PRAGMA create_fts_index`"
            out.append((f"{r.rows:,}", what, f"{r.fts_s:.1f} s", "-"))
        for name, seconds in sorted(r.statements.items(), key=lambda item: -item[1]):
            if seconds >= share * r.pipeline_s:
                out.append((f"{r.rows:,}", f"`{name}.sql`", f"{seconds:.1f} s", f"{seconds / r.pipeline_s:.0%}"))
    return out


# -- (b) product search ----------------------------------------------------------------------


def search_mix(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` searches as a builder would send them: always a ZIP; usually words of the sample
    vocabulary; sometimes a category, in-stock only, a price range."""
    from contracts.samples import _VARIANTS, REGIONS

    rng = random.Random(seed)
    words = sorted(
        {w.lower() for v in _VARIANTS for w in v.name.replace(",", " ").split() if w.isalpha() and len(w) >= 4}
        | {m.split()[0].lower() for v in _VARIANTS for m in v.manufacturers if m.split()[0].isalpha()}
    )
    categories = sorted({v.category for v in _VARIANTS} | {v.category.split(" > ")[0] for v in _VARIANTS})
    zips = [f"{r.zip_area}{rng.randrange(100):02d}" for r in REGIONS]
    mix = []
    for _ in range(n):
        params: dict[str, Any] = {"zip_code": rng.choice(zips)}
        if rng.random() < 0.85:
            params["q"] = " ".join(rng.sample(words, rng.choice((1, 1, 2))))
        if rng.random() < 0.4 or "q" not in params:
            params["category"] = rng.choice(categories)
        if rng.random() < 0.5:
            params["in_stock"] = True
        if rng.random() < 0.3:
            low = rng.choice((0, 5, 10, 25, 50))
            params["min_price"] = Decimal(low)
            params["max_price"] = Decimal(low + rng.choice((20, 50, 200, 1000)))
        mix.append(params)
    return mix


def _http_path(params: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    query = {
        ("zip" if k == "zip_code" else k): (str(v).lower() if isinstance(v, bool) else str(v))
        for k, v in params.items()
    }
    return "/api/v1/catalog/products?" + urlencode(query)


@dataclass(frozen=True)
class SearchResult:
    level: str
    load: str
    requests: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    rps: float = 0.0
    hits: float = 0.0  # mean items per page (sanity: the mix finds things)
    error: str | None = None


def _pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def search_reader(data_dir: Path, args: argparse.Namespace) -> list[SearchResult]:
    from warehouse.catalog import CatalogReader

    print("== (b) search through CatalogReader", file=sys.stderr)
    reader = CatalogReader(data_dir)
    mix = search_mix(args.searches + WARMUP)
    try:
        for params in mix[:WARMUP]:  # warm-up: opens the snapshot, loads FTS, warms the page cache
            reader.search_products(**params)
        latencies, hits = [], 0
        for params in mix[WARMUP:]:
            started = time.perf_counter()
            page = reader.search_products(**params)
            latencies.append((time.perf_counter() - started) * 1000)
            hits += len(page.items)
        single = SearchResult(
            "CatalogReader",
            "1 at a time",
            len(latencies),
            statistics.median(latencies),
            _pct(latencies, 99),
            1000 * len(latencies) / sum(latencies),
            hits / len(latencies),
        )
        results = [single]
        for threads in args.threads:
            done: list[float] = []
            stop_at = time.perf_counter() + args.duration

            def worker(offset: int, sink: list[float] = done, deadline: float = stop_at) -> None:
                i = offset
                while time.perf_counter() < deadline:
                    started = time.perf_counter()
                    reader.search_products(**mix[i % len(mix)])
                    sink.append((time.perf_counter() - started) * 1000)
                    i += 7

            started = time.perf_counter()
            pool = [threading.Thread(target=worker, args=(k * 101,)) for k in range(threads)]
            for t in pool:
                t.start()
            for t in pool:
                t.join()
            elapsed = time.perf_counter() - started
            results.append(
                SearchResult(
                    "CatalogReader",
                    f"{threads} threads, {args.duration} s",
                    len(done),
                    statistics.median(done),
                    _pct(done, 99),
                    len(done) / elapsed,
                )
            )
        return results
    except Exception as exc:
        return [SearchResult("CatalogReader", "-", error=f"{type(exc).__name__}: {exc}")]
    finally:
        reader.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _service_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JOIST_DATABASE_URL", "DAGSTER_HOME")}
    return env | {"JOIST_DATA_DIR": str(data_dir), "JOIST_SECRET_KEY": SECRET_KEY}


@contextlib.contextmanager
def joist_server(env: dict[str, str], log: Path) -> Iterator[str]:
    from benchmarks.api import start_server, stop

    proc, base = start_server(env, log, attempts=1)
    try:
        yield base
    finally:
        stop(proc)


def _lua_script(paths: Sequence[str], key: str, target: Path) -> Path:
    listed = ",\n".join(json.dumps(p) for p in paths)
    target.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal i = 0\n"
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        'request = function()\n  i = i + 1\n  return wrk.format("GET", paths[(i % #paths) + 1])\nend\n'
    )
    return target


def search_http(data_dir: Path, work: Path, args: argparse.Namespace) -> list[SearchResult]:
    from benchmarks.api import joist, parse_wrk

    print("== (b) search over HTTP (joist serve + wrk)", file=sys.stderr)
    if not (ROOT / "service" / "catalog" / "routes.py").exists():
        return [SearchResult("HTTP", "-", error="GET /api/v1/catalog/products does not exist yet")]
    if shutil.which("wrk") is None:
        return [SearchResult("HTTP", "-", error="wrk is not installed (apt-get install -y wrk)")]
    env = _service_env(data_dir)
    try:
        joist(env, "db", "upgrade")
        joist(env, "builders", "create", "--slug", "bench", "--name", "Bench", "--plan", "enterprise")
        out = joist(
            env, "api-keys", "create", "--builder", "bench", "--name", "bench", "--scopes", "read:catalog",
            "--rate-limit", "1000000",
        )  # fmt: skip
        key = out.strip().splitlines()[-1]
        paths = [_http_path(p) for p in search_mix(args.searches + WARMUP)]
        script = _lua_script(paths, key, work / "search.lua")
        results = []
        with joist_server(env, work / "server.log") as base:
            import httpx

            probe = httpx.get(base + paths[0], headers={"Authorization": f"Bearer {key}"}, timeout=30)
            if probe.status_code != 200:
                return [SearchResult("HTTP", "-", error=f"probe: HTTP {probe.status_code}: {probe.text[:200]}")]
            for connections, label in ((1, "1 connection"), (args.connections, f"{args.connections} connections")):
                warm = ["wrk", "-t1", f"-c{connections}", "-d3s", "-s", str(script), base]
                subprocess.run(warm, capture_output=True, check=True, timeout=120)
                cmd = ["wrk", "-t1", f"-c{connections}", f"-d{args.duration}s", "--latency", "-s", str(script), base]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=args.duration + 120)
                stats = parse_wrk(proc.stdout)
                requests = int(stats.rps * args.duration)
                error = f"{stats.non_2xx} non-2xx responses" if stats.non_2xx else None
                results.append(
                    SearchResult(
                        "HTTP, one joist serve",
                        f"{label}, {args.duration} s",
                        requests,
                        stats.p50_ms,
                        stats.p99_ms,
                        stats.rps,
                        error=error,
                    )
                )
        return results
    except Exception as exc:
        return [SearchResult("HTTP", "-", error=f"{type(exc).__name__}: {exc}")]


def search_rows(results: Sequence[SearchResult]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in results:
        if r.error:
            out.append((r.level, r.load, "-", "-", "-", "-", f"ERROR: {r.error[:300]}"))
            continue
        single = r.load.startswith("1 ")
        if single:
            verdict = f"p99 < {MAX_P99_MS:g} ms: {'PASS' if r.p99_ms < MAX_P99_MS else 'MISS'}"
        else:
            verdict = f"≥ {MIN_SEARCH_RPS:g}/s: {'PASS' if r.rps >= MIN_SEARCH_RPS else 'MISS'}"
        out.append(
            (r.level, r.load, f"{r.requests:,}", f"{r.p50_ms:.1f} ms", f"{r.p99_ms:.1f} ms", f"{r.rps:,.0f}", verdict)
        )
    return out


# -- (c) push to searchable ------------------------------------------------------------------


@dataclass
class Push:
    rows: int
    base_rows: int
    accepted_s: float = 0.0
    published_s: float | None = None
    searchable_s: float | None = None
    error: str | None = None


@contextlib.contextmanager
def dagster_dev(env: dict[str, str], log: Path) -> Iterator[None]:
    """``dagster dev`` on workspace.yaml with the DAGSTER_HOME ``joist up`` writes."""
    from service.settings import Settings
    from service.supervisor import _dagster_home

    home = _dagster_home(Settings.from_env(env))
    denv = env | {"DAGSTER_HOME": str(home)}
    cmd = [sys.executable, "-m", "dagster", "dev", "-w", str(ROOT / "workspace.yaml"), "-h", "127.0.0.1"]
    cmd += ["-p", str(_free_port())]
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=denv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:  # the daemon's sensors are up
            if "SensorDaemon" in log.read_text(errors="replace"):
                break
            time.sleep(1)
        if proc.poll() is not None:
            raise RuntimeError(f"dagster dev exited {proc.returncode}: {log.read_text(errors='replace')[-1500:]}")
        yield
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # dagster dev's own group: webserver, daemon, code server
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _probe_price(body: Path) -> tuple[str, str, str, Decimal]:
    """A product's part number and manufacturer, a ZIP and the new price a search with that ZIP
    must show: the ``*`` row of the body's last product (no regional row of that area wins)."""
    import csv

    from contracts.samples import REGIONS

    with body.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    last = rows[-1]["manufacturer_part_number"]
    mine = [r for r in rows if r["manufacturer_part_number"] == last]
    star = next(r for r in mine if r["price_region"] == "*")
    taken = {r["price_region"] for r in mine}
    area = next(r.zip_area for r in REGIONS if r.zip_area not in taken)
    return last, star["manufacturer"], f"{area}01", Decimal(star["unit_price"])


def run_push(data_dir: Path, work: Path, base_rows: int) -> Push:
    import httpx

    from benchmarks.api import joist
    from contracts.samples import write_supplier_csv

    print(f"== (c) push {PUSH_ROWS:,} rows (delta) with the daemon running", file=sys.stderr)
    result = Push(PUSH_ROWS, base_rows)
    body = work / "push.csv"
    write_supplier_csv(body, PUSH_ROWS, seed=1)  # the same SKUs and regions as seed 0, other prices
    part, maker, zip_code, price = _probe_price(body)
    print(f"   probe: {part} ({maker}) zip={zip_code}: new price {price}", file=sys.stderr)
    env = _service_env(data_dir)
    try:
        joist(env, "db", "upgrade")
        with contextlib.suppress(RuntimeError):  # the search part may have made it already
            joist(env, "builders", "create", "--slug", "bench", "--name", "Bench", "--plan", "enterprise")
        reader_key = joist(
            env, "api-keys", "create", "--builder", "bench", "--name", "push-probe", "--scopes", "read:catalog",
            "--rate-limit", "1000000",
        ).strip().splitlines()[-1]  # fmt: skip
        joist(env, "orgs", "create", "--kind", "supplier", "--slug", SOURCE, "--name", "Front Range Building Supply")
        push_key = joist(
            env, "api-keys", "create", "--org", SOURCE, "--name", "bench", "--scopes", "write:catalog",
        ).strip().splitlines()[-1]  # fmt: skip
        with joist_server(env, work / "push-server.log") as base, dagster_dev(env, work / "dagster.log"):
            search = f"{base}/api/v1/catalog/products"
            # a search a builder could send: the maker's name, the ZIP, the supplier, and a price
            # range that holds exactly the new price; it shows the product once the price is served
            exact = str(price)
            query = {"q": maker, "zip": zip_code, "supplier": SOURCE, "min_price": exact, "max_price": exact}
            query |= {"limit": "100"}
            auth = {"Authorization": f"Bearer {reader_key}"}

            def shows() -> bool:
                hits = httpx.get(search, params=query, headers=auth, timeout=60).json()["data"]
                return any(
                    h["manufacturer_part_number"] == part and Decimal(str(h["offer"]["unit_price"])) == price
                    for h in hits
                )

            if shows():
                result.error = "the probe already shows the new price before the push"
                return result
            started = time.monotonic()
            with body.open("rb") as fh:
                resp = httpx.post(
                    f"{base}/api/v1/suppliers/catalog?mode=delta",
                    content=fh,
                    headers={"Authorization": f"Bearer {push_key}", "Content-Type": "text/csv"},
                    timeout=600,
                )
            result.accepted_s = time.monotonic() - started
            if resp.status_code != 202:
                result.error = f"push answered HTTP {resp.status_code}: {resp.text[:300]}"
                return result
            status_url = base + resp.headers["Location"]
            deadline = started + args_timeout(base_rows)
            status = "received"
            while time.monotonic() < deadline:
                if shows():
                    result.searchable_s = time.monotonic() - started
                    break
                sub = httpx.get(status_url, headers={"Authorization": f"Bearer {push_key}"}, timeout=30)
                now = sub.json().get("status", status) if sub.status_code == 200 else status
                if now != status:
                    print(f"   {time.monotonic() - started:6.1f} s: {now}", file=sys.stderr)
                status = now
                if status == "published" and result.published_s is None:
                    result.published_s = time.monotonic() - started
                if status == "rejected":
                    result.error = "the push was rejected"
                    return result
                time.sleep(0.5)
            # the snapshot can serve the new prices a moment before the pipeline writes "published"
            # into the submission's status: keep asking, so the column says when it did
            while result.searchable_s is not None and result.published_s is None and time.monotonic() < deadline:
                sub = httpx.get(status_url, headers={"Authorization": f"Bearer {push_key}"}, timeout=30)
                if sub.status_code == 200 and sub.json().get("status") == "published":
                    result.published_s = time.monotonic() - started
                else:
                    time.sleep(0.2)
            if result.searchable_s is None:
                result.error = f"not searchable within {args_timeout(base_rows):.0f} s (status {status})"
        return result
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        return result
    finally:
        body.unlink(missing_ok=True)


def args_timeout(base_rows: int) -> float:
    """How long to wait for the push to become searchable: long enough to measure a miss."""
    return max(600.0, base_rows / 5_000)


def push_rows(results: Sequence[Push]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for r in results:
        update, base = f"{r.rows:,} rows (delta)", f"{r.base_rows:,} rows"
        if r.error:
            out.append((update, base, f"{r.accepted_s:.1f} s", "-", "-", f"ERROR: {r.error[:300]}"))
            continue
        assert r.searchable_s is not None
        published = f"{r.published_s:.1f} s" if r.published_s is not None else "-"
        verdict = f"< {MAX_PUSH_S:g} s: {'PASS' if r.searchable_s < MAX_PUSH_S else 'MISS'}"
        out.append((update, base, f"{r.accepted_s:.1f} s", published, f"{r.searchable_s:.1f} s", verdict))
    return out


# -- report ----------------------------------------------------------------------------------


def markdown(
    tables: dict[str, list[tuple[str, ...]]], notes: list[str], command: str, host: str, args: argparse.Namespace
) -> str:
    lines = ["## Supplier feeds: landing to snapshot, product search, push to searchable", ""]
    lines += [f"Command: `{command}` — {host}.", ""]
    lines += ["### (a) Landing to published snapshot", ""]
    lines += [
        "A supplier CSV from `contracts.samples.write_supplier_csv` is laid out as a landing folder "
        "(body hard-linked, manifest written last) and run by `pipelines.run.materialize_submission`: the "
        "Dagster job the landing sensor starts (landed → staged → validated with the GX suite and SQL rules → "
        "curated → `serving/catalog` snapshot with its search index, plus the freshness checks), on an ephemeral "
        "Dagster instance, in a child process. The baseline is DuckDB's `CREATE TABLE t AS SELECT * FROM "
        "read_csv('<file>')` (then `CHECKPOINT`) of the same file in another child, in the same run. Times "
        "exclude interpreter start and imports; peak RSS is the child's `ru_maxrss`. Targets: ≤ 3× the "
        "baseline, peak RSS < 2 GB.",
        "",
    ]
    lines += [*markdown_table(INGEST_HEADINGS, tables["ingest"]), ""]
    if tables["steps"]:
        lines += ["Where the pipeline's time goes (Dagster step durations):", ""]
        lines += [*markdown_table(STEP_HEADINGS, tables["steps"]), ""]
    if tables.get("statements"):
        lines += [
            "The DuckDB statements that took 3 % of a run or more (the rest of a step is Python: Great "
            "Expectations in `validated`), beside one more `CREATE TABLE t2 AS SELECT * FROM t` of the "
            "baseline's table, the cost of writing the same rows once more, and DuckDB's own full-text index "
            "(the fts extension's `PRAGMA create_fts_index`, English stemmer and stop words, no memory limit) "
            "over the published products' text in a scratch file, what a search index costs at the least "
            "with DuckDB's tools:",
            "",
        ]
        lines += [*markdown_table(STATEMENT_HEADINGS, tables["statements"]), ""]
    lines += ["### (b) Product search", ""]
    lines += [
        f"Over the snapshot of the {args.search_rows:,}-row run. A fixed mix of searches: every one with a ZIP; "
        "85 % with one or two words of the sample vocabulary, 40 % (or when no words) with a category, half "
        "in-stock only, 30 % with a price range; limit 25. `CatalogReader.search_products` in-process "
        f"(after {WARMUP} warm-up searches, {args.searches} one at a time, then threads sharing one reader), and over "
        "HTTP: one `joist serve` process (one uvicorn worker) on the data directory, a builder key with "
        "`read:catalog`, `wrk -t1 --latency` cycling through the same mix after a 3 s warm-up. Targets: p99 "
        f"< {MAX_P99_MS:g} ms one at a time, ≥ {MIN_SEARCH_RPS:g} searches/s on one worker.",
        "",
    ]
    lines += [*markdown_table(SEARCH_HEADINGS, tables["search"]), ""]
    lines += ["### (c) Push to searchable", ""]
    lines += [
        f"`dagster dev -w workspace.yaml` (webserver + daemon, `DAGSTER_HOME` as `joist up` writes it) and one "
        f"`joist serve` on the data directory of the {args.search_rows:,}-row run; a supplier org and a "
        f"`write:catalog` key; {PUSH_ROWS:,} rows of the same supplier with new prices pushed as CSV to "
        "`POST /api/v1/suppliers/catalog?mode=delta`; then `GET /api/v1/catalog/products` (`q` = the maker of a "
        "pushed product, a ZIP, the supplier, `min_price` = `max_price` = its new price) polled every 0.5 s "
        "until that product shows at the new price. Times from the start of the upload. "
        f"Target < {MAX_PUSH_S:g} s.",
        "",
    ]
    lines += [*markdown_table(PUSH_HEADINGS, tables["push"]), ""]
    if notes:
        lines += ["### Reading the figures", "", *notes]
    return "\n".join(lines).rstrip() + "\n"


def _parse_rows(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.feeds", description=__doc__)
    parser.add_argument("--rows", type=_parse_rows, default=[1_000_000, 5_000_000, 10_000_000])
    parser.add_argument("--search-rows", type=int, default=5_000_000, help="the run whose snapshot (b), (c) use")
    parser.add_argument("--searches", type=int, default=500, help="single searches timed (default 500)")
    parser.add_argument("--threads", type=_parse_rows, default=[2, 4], help="reader threads for throughput")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections for HTTP throughput")
    parser.add_argument("--duration", type=int, default=10, help="seconds per throughput run")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-push", action="store_true")
    parser.add_argument("--notes", type=Path, help="a Markdown file: the 'reading the figures' text")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--write-docs", action="store_true", help=f"write the results into {DOCS.relative_to(ROOT)}")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        {"baseline": _child_baseline, "pipeline": _child_pipeline, "fts_reference": _child_fts_reference}[kind](*rest)
        return 0
    if args.search_rows not in args.rows:
        args.rows = sorted({*args.rows, args.search_rows})
    args.workdir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.workdir).free
    need = max(args.rows) * 270 * 4  # CSV + warehouse + snapshots, bytes per row, with room
    if free < need:
        parser.error(f"{args.workdir}: {free / 1e9:.0f} GB free, {max(args.rows):,} rows need ~{need / 1e9:.0f} GB")

    ingests: list[Ingest] = []
    searches: list[SearchResult] = []
    pushes: list[Push] = []
    with tempfile.TemporaryDirectory(prefix="joist-bench-feeds-", dir=args.workdir) as tmp:
        work = Path(tmp)
        for rows in args.rows:
            data_dir = work / f"data-{rows}"
            ingests.append(run_ingest(rows, work, data_dir))
            if rows != args.search_rows:
                shutil.rmtree(data_dir, ignore_errors=True)
        search_dir = work / f"data-{args.search_rows}"
        ready = next((i for i in ingests if i.rows == args.search_rows and not i.error), None)
        if not args.skip_search:
            if ready is None:
                searches.append(SearchResult("-", "-", error=f"no {args.search_rows:,}-row snapshot to search"))
            else:
                searches += search_reader(search_dir, args)
                searches += search_http(search_dir, work, args)
            with contextlib.redirect_stdout(sys.stderr):
                print_table(SEARCH_HEADINGS, search_rows(searches))
        if not args.skip_push:
            if ready is None:
                pushes.append(Push(PUSH_ROWS, args.search_rows, error="no base catalog to update"))
            else:
                pushes.append(run_push(search_dir, work, args.search_rows))

    tables = {
        "ingest": ingest_rows(ingests),
        "steps": step_rows(ingests),
        "statements": statement_rows(ingests),
        "search": search_rows(searches),
        "push": push_rows(pushes),
    }
    host = machine()
    print(host)
    print_table(INGEST_HEADINGS, tables["ingest"])
    print()
    print_table(STEP_HEADINGS, tables["steps"])
    if tables["statements"]:
        print()
        print_table(STATEMENT_HEADINGS, tables["statements"])
    if tables["search"]:
        print()
        print_table(SEARCH_HEADINGS, tables["search"])
    if tables["push"]:
        print()
        print_table(PUSH_HEADINGS, tables["push"])
    if args.write_docs:
        notes = args.notes.read_text().strip().splitlines() if args.notes else []
        given = list(sys.argv[1:] if argv is None else argv)
        if "--notes" in given:  # where the notes came from is no part of the command to rerun
            del given[given.index("--notes") : given.index("--notes") + 2]
        command = " ".join(["uv run python -m benchmarks.feeds", *given])
        write_docs("feeds", markdown(tables, notes, command, host, args))
        print(f"wrote {DOCS}")
    failed = any(r.error for r in ingests) or any(r.error for r in searches) or any(r.error for r in pushes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
