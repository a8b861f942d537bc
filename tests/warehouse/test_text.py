"""The search's fold: the index's (Arrow, in DuckDB) and the query's (Python) agree."""

from __future__ import annotations

import unicodedata

import duckdb
import pyarrow as pa

from warehouse.text import fold, fold_array, register_fold


def test_a_query_folds_every_character_as_the_index_does() -> None:
    """Every character Python's Unicode database knows, between two letters, folds the same way
    in the query's fold and in the index's (characters newer than that database are left out:
    Python keeps them as they are, Arrow's newer tables may not)."""
    texts = [
        f"a{chr(cp)}b"
        for cp in range(0x30000)
        if unicodedata.category(chr(cp)) not in ("Cn", "Cs")  # unassigned, surrogates
    ]
    indexed = fold_array(pa.array(texts, type=pa.string())).to_pylist()
    differ = [(t, i, fold(t)) for t, i in zip(texts, indexed, strict=True) if i != fold(t)]
    assert differ == []
    assert len(texts) > 100_000


def test_folded_forms() -> None:
    examples = {
        "Copper Coupling 1½ in": "copper coupling 1 1/2  in",
        "Sump pump ⅓ HP": "sump pump  1/3  hp",
        "Brass ﬁtting": "brass fitting",
        "ＰＶＣ": "pvc",
        "30 m²": "30 m2",
        "¹⁄₂ in": "1/2 in",
        "Straße": "strasse",
        "İstanbul naïve Café": "istanbul naive cafe",
        "№ 5": "no 5",
    }
    assert {t: fold(t) for t in examples} == examples
    assert fold_array(pa.array([*examples, None], type=pa.string())).to_pylist() == [*examples.values(), None]


def test_the_snapshot_connection_folds_in_sql() -> None:
    with duckdb.connect() as conn:
        register_fold(conn)
        row = conn.execute("SELECT search_fold('Brass ﬁtting ½'), search_fold(NULL)").fetchone()
    assert row == ("brass fitting  1/2 ", None)
