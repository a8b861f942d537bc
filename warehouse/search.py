"""Product search over a catalog snapshot: the snapshot's inverted index plus offers held in memory.

A search has two halves, and each lives where it is cheap:

- **Words → ranked products** in DuckDB. The snapshot holds ``search_terms`` (a term's number and
  document frequency, looked up through an ART index) and ``search_postings`` (term, product,
  BM25 weight), stored per term best weight first. A one-word search reads the head of one term's
  postings, in that order, and stops as soon as it has a page; a several-word search reads each
  word's postings and keeps the products that have every word, ranked by the sum of the weights.
- **Offers → the price a builder sees** in NumPy. Every search filters on the offer that applies
  in the caller's ZIP area (a region's own row over the supplier's ``*`` row), on stock and on
  price, and shows the cheapest per base unit; that needs every offer of every candidate, which a
  query per page cannot fetch fast enough. :class:`ProductIndex` keeps the offers' numeric columns
  (about 38 bytes an offer) and each product's category and base unit in arrays, loaded once per snapshot.

Candidates are walked in rank order, a batch at a time, until a page (plus one, to know whether
there is a next page) has passed the offer filters; only that page's rows are then read from the
snapshot. Products tie on score in ``product_id`` order, which is ``product_no`` order.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt

from contracts.uom import BASE_UNITS
from warehouse._sql import execute
from warehouse.snapshots import SnapshotUnavailable
from warehouse.text import fold

__all__ = ["Cut", "Hit", "ProductIndex", "SearchQuery"]

_FIRST_BATCH = 64
_MAX_BATCH = 16_384
_EAGER_POSTINGS = 50_000  # a term with fewer postings is read whole
_CACHED_WORDS = 65_536  # per snapshot: query words already stemmed and looked up
_SPLIT = re.compile(r"[^a-z0-9]+")
_FRACTION = re.compile(r"[0-9]+/[0-9]+")
_SCRATCH_KEPT = 4  # per snapshot: scratch arrays (10 bytes a product) kept for several-word searches

#: The base units as the search numbers them (1, 2 …; 0: none), offers and products alike.
_UNITS = sorted(set(BASE_UNITS.values()))

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Cut:
    """A deal the caller's plan is eligible for, as the search prices offers with it: on one
    supplier's offers (``supplier_no``), of one product or of some categories, or all of them."""

    supplier_no: int
    product_no: int | None = None
    categories: tuple[int, ...] | None = None  # the category and those under it
    percent: float | None = None  # off the offer's price
    amount: float | None = None  # off each order unit, of the offers in currency_no
    currency_no: int | None = None  # ProductIndex.currencies


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A validated search; prices as floats (exact for the decimals feeds carry)."""

    words: tuple[str, ...] = ()  # the query's words, stop words out (ProductIndex.words)
    has_words: bool = False  # a q was given (not blank), whether or not any word of it counts
    categories: tuple[int, ...] | None = None  # category numbers; None: any category
    supplier: str | None = None
    area: int | None = None
    in_stock: bool = False
    min_price: float | None = None
    max_price: float | None = None
    after_score: float | None = None
    after_product_no: int | None = None  # the first product_no a tie on after_score may show
    limit: int = 25
    cuts: tuple[Cut, ...] = ()  # the caller's deals: offers compare, and min/max_price filter, at deal price

    @property
    def filters_offers(self) -> bool:
        """Whether only a product with an offer can match (a product no supplier offers, sold by
        its manufacturer, has no stock, price or supplier to filter on)."""
        return self.in_stock or self.min_price is not None or self.max_price is not None or self.supplier is not None


@dataclass(frozen=True, slots=True)
class Hit:
    product_no: int
    offer_no: int  # -1: a product no supplier offers (its manufacturer's list price only)
    offer_count: int
    score: float


class ProductIndex:
    """The in-memory half of one catalog snapshot's search (see the module docstring)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        try:
            self._load(conn)
        except duckdb.CatalogException as exc:  # a snapshot published before the search index
            raise SnapshotUnavailable(
                f"the current catalog snapshot has no search index ({_first_line(exc)}); the next publish builds one"
            ) from exc

    def _load(self, conn: duckdb.DuckDBPyConnection) -> None:
        row = execute(conn, "catalog", "snapshot_id").fetchone()
        self.snapshot_id: str | None = None if row is None else str(row[0])
        size = execute(conn, "search", "load_index_size").fetchone()
        self.terms, self.postings = (int(size[0]), int(size[1])) if size else (0, 0)
        self.stopwords = frozenset(str(r[0]) for r in execute(conn, "search", "load_stopwords").fetchall())
        self._words: OrderedDict[str, tuple[int, int] | None] = OrderedDict()
        self._lock = threading.Lock()  # the word cache and the scratch arrays
        self._scratch: list[tuple[FloatArray, npt.NDArray[np.int16]]] = []
        products = execute(conn, "search", "load_products", {"units": _UNITS}).fetchnumpy()
        self.product_category: IntArray = np.ascontiguousarray(products["category_no"], dtype=np.int32)
        product_unit = np.asarray(products["unit_no"], dtype=np.int8)
        self.n_products = len(self.product_category)
        self.categories: list[str] = [str(r[0]) for r in execute(conn, "search", "load_categories").fetchall()]
        self._folded = [name.casefold() for name in self.categories]  # a filter ignores case
        # products of each category in product_no order, for searches without words
        self.category_members: IntArray = np.argsort(self.product_category, kind="stable").astype(np.int32)
        counts = np.bincount(self.product_category + 1, minlength=len(self.categories) + 1)
        self.category_start = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)  # index c + 1

        currencies = [str(r[0]) for r in execute(conn, "search", "load_currencies").fetchall()]
        self.currencies: dict[str, int] = {code: no for no, code in enumerate(currencies, start=1)}
        offers = execute(conn, "search", "load_offers", {"units": _UNITS, "currencies": currencies}).fetchnumpy()
        if not np.array_equal(offers["offer_no"], np.arange(len(offers["offer_no"]))):
            raise RuntimeError("the snapshot's offers are not stored in offer_no order")
        self.region = np.ascontiguousarray(offers["region_no"], dtype=np.int16)
        self.unit_price = np.ascontiguousarray(offers["unit_price"], dtype=np.float64)
        self.price_quantity = np.ascontiguousarray(offers["price_quantity"], dtype=np.float64)
        self.ppbu = np.ascontiguousarray(offers["price_per_base_unit"], dtype=np.float64)
        self.in_stock = np.ascontiguousarray(offers["in_stock"], dtype=np.bool_)
        self.comparable = np.ascontiguousarray(offers["price_comparison_allowed"], dtype=np.bool_)
        self.other_currency = np.ascontiguousarray(offers["other_currency"], dtype=np.bool_)
        self.currency_no = np.ascontiguousarray(offers["currency_no"], dtype=np.int16)
        self.supplier = np.ascontiguousarray(offers["supplier_no"], dtype=np.int32)
        self.group = (np.cumsum(np.asarray(offers["group_start"], dtype=np.int32)) - 1).astype(np.int32)
        product_of_offer = np.asarray(offers["product_no"], dtype=np.int64)
        # an offer in another base unit than its product's does not compare with the others per
        # base unit (a stick sold by EA, where others sell it by LF): it comes after them
        self.other_unit = np.asarray(offers["unit_no"], dtype=np.int8) != product_unit[product_of_offer]
        self.offer_start = np.searchsorted(product_of_offer, np.arange(self.n_products + 1)).astype(np.int64)
        self.suppliers: dict[str, int] = {
            str(name): int(no) for no, name in execute(conn, "search", "load_suppliers").fetchall()
        }

    @property
    def nbytes(self) -> int:
        arrays = (
            self.product_category,
            self.category_members,
            self.category_start,
            self.region,
            self.unit_price,
            self.price_quantity,
            self.ppbu,
            self.in_stock,
            self.comparable,
            self.other_currency,
            self.currency_no,
            self.other_unit,
            self.supplier,
            self.group,
            self.offer_start,
        )
        return sum(a.nbytes for a in arrays)

    def words(self, text: str) -> list[str]:
        """A query's words as the index cuts them (warehouse/sql/serving/catalog_search_tokens.sql):
        folded (:func:`warehouse.text.fold`), split at anything but letters and digits, stop words
        out; a fraction also as one word (``1/2`` as ``1_2``)."""
        plain = fold(text)
        fractions = [f.replace("/", "_") for f in _FRACTION.findall(plain)]
        found = dict.fromkeys(w for w in [*_SPLIT.split(plain), *fractions] if w)  # once each, in order
        return [w for w in found if w not in self.stopwords]

    def lookup(self, cur: duckdb.DuckDBPyConnection, words: Sequence[str]) -> list[tuple[int, int] | None]:
        """Each word's term (number, document frequency) after stemming; None for a word the
        index does not have. Recently asked words are remembered for this snapshot."""
        with self._lock:
            known = {w: self._words[w] for w in words if w in self._words}
            for w in known:
                self._words.move_to_end(w)
        missing = [w for w in words if w not in known]
        if missing:
            rows = execute(cur, "search", "lookup_words", {"words": missing}).fetchall()
            fresh: dict[str, tuple[int, int] | None] = dict.fromkeys(missing)
            for word, term_no, df in rows:
                fresh[str(word)] = (int(term_no), int(df))
            known.update(fresh)
            with self._lock:
                self._words.update(fresh)
                while len(self._words) > _CACHED_WORDS:
                    self._words.popitem(last=False)
        return [known[w] for w in words]

    def category_numbers(self, category: str) -> list[int]:
        """The categories a filter selects: the category itself and every one below it, whatever
        the case of its letters (``plumbing`` is ``Plumbing``)."""
        wanted = category.casefold()
        below = wanted + " > "
        return [i for i, name in enumerate(self._folded) if name == wanted or name.startswith(below)]

    # -- candidates -------------------------------------------------------------------------

    def _postings(
        self, cur: duckdb.DuckDBPyConnection, term_no: int, skip: int, take: int
    ) -> tuple[IntArray, FloatArray]:
        found = execute(cur, "search", "postings", {"term_no": term_no, "skip": skip, "take": take}).fetchnumpy()
        return (
            np.asarray(found["product_no"], dtype=np.int32),
            np.asarray(found["weight"], dtype=np.float32).astype(np.float64),
        )

    def _ranked_batches(
        self, cur: duckdb.DuckDBPyConnection, query: SearchQuery, terms: Sequence[tuple[int, int]]
    ) -> Iterator[tuple[IntArray, FloatArray]]:
        """Candidate products with their scores, in rank order, a batch at a time."""
        allowed = None
        if query.categories is not None:
            allowed = np.zeros(len(self.categories) + 1, dtype=np.bool_)
            allowed[list(query.categories)] = True

        def keep(nos: IntArray, scores: FloatArray) -> tuple[IntArray, FloatArray]:
            mask = np.ones(len(nos), dtype=np.bool_)
            if allowed is not None:
                mask &= allowed[self.product_category[nos]]
            if query.after_score is not None and query.after_product_no is not None:
                mask &= (scores < query.after_score) | ((scores == query.after_score) & (nos >= query.after_product_no))
            return nos[mask], scores[mask]

        if not terms:  # no words: the category's products (or all), in product order
            if query.categories is None:
                nos: IntArray = np.arange(self.n_products, dtype=np.int32)
            else:
                ranges = [
                    self.category_members[self.category_start[c + 1] : self.category_start[c + 2]]
                    for c in sorted(query.categories)
                ]
                nos = np.sort(np.concatenate(ranges)) if ranges else np.zeros(0, dtype=np.int32)
            nos, scores = keep(nos, np.zeros(len(nos), dtype=np.float64))
            yield from _slices(nos, scores)
            return

        if len(terms) == 1:
            term_no, df = terms[0]
            if df > _EAGER_POSTINGS:  # a common word: read its postings head first, as needed
                skip, take = 0, 4 * _FIRST_BATCH
                while skip < df:
                    nos, scores = self._postings(cur, term_no, skip, take)
                    skip += take
                    take = min(4 * take, 8 * _MAX_BATCH)
                    nos, scores = keep(nos, scores)
                    yield from _slices(nos, scores)
                return
            nos, scores = self._postings(cur, term_no, 0, df)  # already in rank order
            yield from _slices(*keep(nos, scores))
            return

        # several words: the products that have all of them, by the sum of their weights,
        # added up in per-product scratch arrays (reset where written, not reallocated)
        total, seen = self._take_scratch()
        touched: list[IntArray] = []
        try:
            for term_no, df in sorted(terms, key=lambda t: t[1]):  # rarest first
                nos, scores = self._postings(cur, term_no, 0, df)
                touched.append(nos)
                total[nos] += scores
                seen[nos] += 1
            rarest = touched[0]
            nos = rarest[seen[rarest] == len(terms)]
            scores = total[nos]
        finally:
            for written in touched:
                total[written] = 0.0
                seen[written] = 0
            self._give_scratch(total, seen)
        nos, scores = keep(nos, scores)
        yield from _rank_order(nos, scores)

    def _take_scratch(self) -> tuple[FloatArray, npt.NDArray[np.int16]]:
        with self._lock:
            if self._scratch:
                return self._scratch.pop()
        return np.zeros(self.n_products, dtype=np.float64), np.zeros(self.n_products, dtype=np.int16)

    def _give_scratch(self, total: FloatArray, seen: npt.NDArray[np.int16]) -> None:
        with self._lock:
            if len(self._scratch) < _SCRATCH_KEPT:
                self._scratch.append((total, seen))

    # -- offers -----------------------------------------------------------------------------

    def _best_offers(self, nos: IntArray, query: SearchQuery, supplier_no: int | None) -> tuple[IntArray, IntArray]:
        """Per product: the offer it shows (-1: none left) and how many offers passed the filters."""
        starts, ends = self.offer_start[nos], self.offer_start[nos + 1]
        counts = ends - starts
        owner = np.repeat(np.arange(len(nos)), counts)
        offs = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(starts, counts)
        region = self.region[offs]
        # the caller's area first, then *, then (without a ZIP only) any other area
        rank = np.where(region == -1, 1, 2)
        if query.area is not None:
            rank = np.where(region == query.area, 0, rank)
        keep = rank < 2 if query.area is not None else np.ones(len(offs), dtype=np.bool_)
        if supplier_no is not None:
            keep &= self.supplier[offs] == supplier_no
        offs, owner, rank, region = offs[keep], owner[keep], rank[keep], region[keep]
        # one row per product, supplier and SKU: the best ranked, then cheapest, then lowest area
        group = self.group[offs]
        order = np.lexsort((region, self.ppbu[offs], rank, group))
        offs, owner, group = offs[order], owner[order], group[order]
        first = np.ones(len(group), dtype=np.bool_)
        first[1:] = group[1:] != group[:-1]
        offs, owner = offs[first], owner[first]
        price, ppbu = self.unit_price[offs], self.ppbu[offs]
        if query.cuts:  # what the caller pays: the offer's price under its best deal
            price = self._deal_prices(offs, nos[owner], query.cuts)
            listed = self.unit_price[offs]  # a deal's price per base unit; without one, exactly the offer's
            ppbu = np.where((price != listed) & (listed > 0), ppbu * price / np.maximum(listed, 1e-9), ppbu)
        passed = np.ones(len(offs), dtype=np.bool_)
        if query.in_stock:
            passed &= self.in_stock[offs]
        if query.min_price is not None:
            passed &= price >= query.min_price
        if query.max_price is not None:
            passed &= price <= query.max_price
        offs, owner, ppbu = offs[passed], owner[passed], ppbu[passed]
        # the shown offer: comparable ones first, in USD before other currencies (prices are not
        # converted), in the product's base unit before others, cheapest per base unit, then
        # supplier and SKU (warehouse/sql/catalog/product_offers.sql orders a product's offers so)
        order = np.lexsort(
            (offs, ppbu, self.other_unit[offs], self.other_currency[offs], ~self.comparable[offs], owner)
        )
        offs, owner = offs[order], owner[order]
        first = np.ones(len(owner), dtype=np.bool_)
        first[1:] = owner[1:] != owner[:-1]
        best = np.full(len(nos), -1, dtype=np.int32)
        best[owner[first]] = offs[first]
        return best, np.bincount(owner, minlength=len(nos)).astype(np.int32)

    def _deal_prices(self, offs: IntArray, product_nos: IntArray, cuts: Sequence[Cut]) -> FloatArray:
        """Each offer's price under the cheapest deal that covers it, to the cent and never below
        zero (as service/deals/services.py prices the offer shown), else its price."""
        listed = self.unit_price[offs]
        best = listed.copy()
        supplier = self.supplier[offs]
        candidates = set(np.unique(product_nos).tolist()) if any(c.product_no is not None for c in cuts) else set()
        for cut in cuts:
            if cut.product_no is not None and cut.product_no not in candidates:
                continue  # a deal on a product not in this batch
            covered = supplier == cut.supplier_no
            if cut.product_no is not None:
                covered &= product_nos == cut.product_no
            if cut.categories is not None:
                covered &= np.isin(self.product_category[product_nos], cut.categories)
            if cut.percent is not None:
                cheaper = listed * (1 - cut.percent / 100)
            elif cut.amount is not None and cut.currency_no is not None:
                covered &= self.currency_no[offs] == cut.currency_no
                cheaper = listed - cut.amount * self.price_quantity[offs]
            else:
                continue
            # to the cent, half up (service/deals/services.py rounds the price it shows so): the
            # exact price has at most 8 decimals of a cent, so rounding to those first takes away
            # the binary error (0.225 stored as 0.22499…) before the half is added
            cents = np.floor(np.round(np.maximum(cheaper, 0.0) * 100, 8) + 0.5) / 100
            best = np.where(covered, np.minimum(best, cents), best)
        return best

    def search(self, cur: duckdb.DuckDBPyConnection, query: SearchQuery) -> list[Hit]:
        """Up to ``query.limit`` hits in rank order (one more when there is a next page)."""
        terms: list[tuple[int, int]] = []
        if query.words:
            found = self.lookup(cur, query.words)
            if any(t is None for t in found):
                return []  # a word no product has: nothing has every word
            terms = sorted({t for t in found if t is not None})
        elif query.has_words:
            return []  # only stop words or punctuation: nothing to match
        supplier_no = None
        if query.supplier is not None:
            if query.supplier not in self.suppliers:
                return []
            supplier_no = self.suppliers[query.supplier]
        hits: list[Hit] = []
        wanted = query.limit + 1
        for nos, scores in self._ranked_batches(cur, query, terms):
            best, counts = self._best_offers(nos, query, supplier_no)
            shown = best >= 0
            if not query.filters_offers:  # and the products no supplier offers
                shown |= self.offer_start[nos + 1] == self.offer_start[nos]
            for i in np.flatnonzero(shown):
                hits.append(Hit(int(nos[i]), int(best[i]), int(counts[i]), float(scores[i])))
                if len(hits) == wanted:
                    return hits
        return hits


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _slices(nos: IntArray, scores: FloatArray) -> Iterator[tuple[IntArray, FloatArray]]:
    """Already ordered candidates in growing batches."""
    start, size = 0, _FIRST_BATCH
    while start < len(nos):
        yield nos[start : start + size], scores[start : start + size]
        start += size
        size = min(size * 4, _MAX_BATCH)


def _rank_order(nos: IntArray, scores: FloatArray) -> Iterator[tuple[IntArray, FloatArray]]:
    """Candidates by score (highest first), then product_no, sorting only as far as consumed."""
    done, size = 0, _FIRST_BATCH
    while done < len(nos):
        upto = min(len(nos), done + size)
        if upto < len(nos):
            # the upto best, plus every product tied with the last of them
            cut = np.partition(-scores, upto - 1)[upto - 1]
            head = np.flatnonzero(-scores <= cut)
        else:
            head = np.arange(len(nos))
        order = head[np.lexsort((nos[head], -scores[head]))]
        batch = order[done:upto]
        yield nos[batch], scores[batch]
        done = upto
        size = min(size * 4, _MAX_BATCH)
