"""How the product search reads text: one fold, for the index and for a builder's query alike.

The index is built in DuckDB (warehouse/sql/serving/catalog_search_tokens.sql) and a query is cut
in Python (warehouse/search.py); the index folds text with :func:`fold_array`, a query with
:func:`fold`, which does the same (tests/warehouse/test_text.py holds them to it for every
character), so a word is the same word on both sides. A text of plain ASCII only needs lower
case, which DuckDB's ``lower`` does as well; any other text goes through the fold, registered in
the snapshot's connection as ``search_fold``.

Folding: a fraction written as one character gets spaces around it (``1½`` is ``1 1/2``, as a
builder types it); compatibility forms are decomposed and accents dropped (``ﬁ`` is ``fi``,
full-width ``ｆｕｌｌ`` is ``full``, ``x²`` is ``x2``, ``é`` is ``e``, ``№`` is ``no``); then lower
case, ``ß`` as ``ss``, and a fraction slash as a slash (``¹⁄₂`` is ``1/2``).
"""

from __future__ import annotations

import re
import unicodedata

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.func import FunctionNullHandling, PythonUDFType

__all__ = ["fold", "fold_array", "register_fold"]

_VULGAR = "([¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞↉])"  # every fraction Unicode writes as one character
_VULGAR_RE = re.compile(_VULGAR)


def fold_array(texts: pa.Array) -> pa.Array:
    """Each of ``texts`` as the search compares it (see the module's docstring); nulls stay."""
    spaced = pc.replace_substring_regex(texts, _VULGAR, r" \1 ")
    plain = pc.replace_substring_regex(pc.utf8_normalize(spaced, form="NFKD"), r"\p{M}+", "")
    lower = pc.utf8_lower(plain)
    return pc.replace_substring(pc.replace_substring(lower, "ß", "ss"), "\u2044", "/")


def fold(text: str) -> str:
    """One text (a query), folded as :func:`fold_array` folds it, step by step in Python: one
    array through Arrow's kernels costs about 0.5 ms, this a few microseconds."""
    if text.isascii():
        return text.lower()
    spaced = _VULGAR_RE.sub(r" \1 ", text)
    plain = "".join(c for c in unicodedata.normalize("NFKD", spaced) if unicodedata.category(c)[0] != "M")
    return plain.lower().replace("ß", "ss").replace("\u2044", "/")


def register_fold(conn: duckdb.DuckDBPyConnection) -> None:
    """Make the fold callable as ``search_fold(text)`` in ``conn``'s SQL."""
    conn.create_function(
        "search_fold",
        fold_array,
        ["varchar"],
        "varchar",
        type=PythonUDFType.ARROW,
        null_handling=FunctionNullHandling.SPECIAL,
    )
