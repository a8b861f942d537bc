"""Deterministic sample feeds: supplier catalogs, manufacturer feeds, cost data, location indexes.

The demo (``joist demo feeds --rows N``), the tests and the benchmarks use these. Output depends
only on the arguments: the same seed gives the same bytes. Supplier catalogs are generated in
chunks with NumPy and Polars and appended to the CSV, so 10 M rows take bounded memory.

Catalogs cover lumber, sheet goods, plumbing, electrical, roofing, concrete, drywall, insulation,
paint, fasteners, sitework and flooring, in the units and pack sizes these trades sell in (lumber
by the piece with its board feet, wire by the 1,000 ft, shingles by the bundle, ready-mix by the
cubic yard, rebar by the ton …). Several suppliers offer overlapping products (matched across
suppliers by manufacturer part number and GTIN), some in another pack size, each with a ``*`` price
and regional prices for some 3-digit ZIP areas. ``dirty=True`` plants defects at fixed intervals:
negative and non-numeric prices, unknown units, conflicting duplicate SKUs within a region, and
missing required values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import polars as pl

from contracts.schemas import COST_ITEMS, LOCATION_INDEX, MANUFACTURER_FEED, SUPPLIER_CATALOG

__all__ = [
    "DEFECTS",
    "REGIONS",
    "SUPPLIERS",
    "Region",
    "SampleStats",
    "Supplier",
    "write_cost_items_csv",
    "write_location_index_csv",
    "write_manufacturer_csv",
    "write_supplier_csv",
]

CHUNK_ROWS = 200_000

#: The defects ``dirty=True`` plants, each under the rule it breaks.
DEFECTS: tuple[str, ...] = (
    "unit_price_positive",  # a negative price
    "unit_price_numeric",  # "N/A", "12,50"
    "order_uom_known",  # a unit nobody knows
    "unique_sku_per_region",  # the previous row's SKU and region at another price
    "required_name",  # an empty name
)


@dataclass(frozen=True, slots=True)
class Region:
    zip_area: str
    city: str
    state: str
    material: float  # price level of materials, 1.0 = national average
    labor: float


#: 3-digit ZIP areas with their price levels (material, installation).
REGIONS: tuple[Region, ...] = (
    Region("021", "Boston", "MA", 1.08, 1.32),
    Region("100", "New York", "NY", 1.12, 1.45),
    Region("191", "Philadelphia", "PA", 1.05, 1.28),
    Region("152", "Pittsburgh", "PA", 1.00, 1.05),
    Region("206", "Washington", "DC", 1.04, 0.92),
    Region("282", "Charlotte", "NC", 0.98, 0.68),
    Region("303", "Atlanta", "GA", 0.99, 0.76),
    Region("331", "Miami", "FL", 1.01, 0.74),
    Region("372", "Nashville", "TN", 0.99, 0.72),
    Region("432", "Columbus", "OH", 0.99, 0.88),
    Region("462", "Indianapolis", "IN", 0.98, 0.86),
    Region("481", "Detroit", "MI", 1.00, 1.02),
    Region("551", "Minneapolis", "MN", 1.02, 1.12),
    Region("606", "Chicago", "IL", 1.03, 1.38),
    Region("631", "St. Louis", "MO", 0.99, 1.05),
    Region("641", "Kansas City", "MO", 0.99, 0.98),
    Region("731", "Oklahoma City", "OK", 0.97, 0.66),
    Region("752", "Dallas", "TX", 0.98, 0.70),
    Region("770", "Houston", "TX", 0.99, 0.70),
    Region("787", "Austin", "TX", 0.97, 0.66),
    Region("802", "Denver", "CO", 1.02, 0.82),
    Region("841", "Salt Lake City", "UT", 1.01, 0.75),
    Region("850", "Phoenix", "AZ", 1.00, 0.74),
    Region("871", "Albuquerque", "NM", 1.01, 0.72),
    Region("891", "Las Vegas", "NV", 1.03, 1.08),
    Region("900", "Los Angeles", "CA", 1.06, 1.25),
    Region("921", "San Diego", "CA", 1.05, 1.20),
    Region("941", "San Francisco", "CA", 1.10, 1.55),
    Region("958", "Sacramento", "CA", 1.05, 1.28),
    Region("972", "Portland", "OR", 1.03, 1.06),
    Region("981", "Seattle", "WA", 1.05, 1.12),
)


@dataclass(frozen=True, slots=True)
class Supplier:
    slug: str
    name: str
    sku_prefix: str
    price_level: float
    first_product: int  # where its range of the shared product universe starts


SUPPLIERS: tuple[Supplier, ...] = (
    Supplier("front-range-supply", "Front Range Building Supply", "FRB", 1.00, 0),
    Supplier("summit-lumber", "Summit Lumber & Hardware", "SLH", 0.97, 40),
    Supplier("pacific-plumbing", "Pacific Plumbing & Electric Wholesale", "PPE", 1.04, 80),
    Supplier("gulf-coast-roofing", "Gulf Coast Roofing & Building Products", "GCR", 0.95, 120),
)


# --------------------------------------------------------------------------------------------
# The product universe: variants (what a thing is and how it is sold) × manufacturers.


@dataclass(frozen=True, slots=True)
class _Pack:
    order_uom: str
    content_uom: str | None  # None: the order unit is measurable itself
    content: float | None
    price_quantity: int = 1


@dataclass(frozen=True, slots=True)
class _Variant:
    name: str
    category: str
    unspsc: str
    base_price: float  # per base unit of the first pack
    packs: tuple[_Pack, ...]
    manufacturers: tuple[str, ...]
    description: str = ""
    specs: tuple[tuple[str, str, str], ...] = field(default=())


def _frac(x: float) -> str:
    whole, rest = int(x), x - int(x)
    fracs = {0.25: "1/4", 0.5: "1/2", 0.75: "3/4", 0.375: "3/8", 0.625: "5/8", 0.4375: "7/16", 0.125: "1/8"}
    part = fracs.get(round(rest, 4), "")
    if whole and part:
        return f"{whole}-{part}"
    return part or str(whole)


def _variants() -> list[_Variant]:  # noqa: PLR0912 - a catalog table written as loops, read top to bottom
    v: list[_Variant] = []
    lumber_mfrs = ("Weyerhaeuser", "West Fraser", "Canfor", "Interfor", "Boise Cascade")
    for w, h in ((2, 4), (2, 6), (2, 8), (2, 10), (2, 12), (4, 4), (1, 4), (1, 6)):
        for length in (8, 10, 12, 14, 16):
            for grade, species, ppbf in (
                ("#2", "SPF", 0.95),
                ("#2", "Douglas Fir", 1.10),
                ("#1", "Southern Yellow Pine", 1.18),
            ):
                bf = w * h * length / 12
                v.append(
                    _Variant(
                        f"{w}x{h} x {length} ft {grade} {species} kiln-dried lumber",
                        "Lumber > Dimensional Lumber",
                        "11121600",
                        ppbf,
                        (_Pack("EA", "BF", bf), _Pack("MBF", None, None)),
                        lumber_mfrs,
                        f"Nominal {w} in x {h} in, {length} ft, grade {grade}, {species}, surfaced four sides",
                        (("nominal size", f"{w}x{h}", "in"), ("length", str(length), "ft"), ("grade", grade, "")),
                    )
                )
    for thk, kind, psf in (
        (0.4375, "OSB sheathing", 0.55),
        (0.5, "CDX plywood", 1.05),
        (0.75, "CDX plywood", 1.45),
        (0.75, "tongue-and-groove subfloor", 1.25),
    ):
        v.append(
            _Variant(
                f"{_frac(thk)} in x 4 ft x 8 ft {kind}",
                "Lumber > Sheet Goods",
                "11121700",
                psf,
                (_Pack("SHT", "SF", 32),),
                ("Georgia-Pacific", "LP Building Solutions", "Huber"),
                f"{_frac(thk)} inch {kind} panel, 4 x 8 ft",
                (("thickness", _frac(thk), "in"),),
            )
        )
    for typ, d, plf in (("L", 0.5, 2.9), ("L", 0.75, 4.6), ("M", 0.5, 2.2), ("M", 0.75, 3.5), ("L", 1.0, 7.1)):
        v.append(
            _Variant(
                f"Copper pipe type {typ} {_frac(d)} in x 10 ft",
                "Plumbing > Pipe > Copper",
                "40142000",
                plf,
                (_Pack("EA", "LF", 10), _Pack("LF", None, None)),
                ("Mueller Industries", "Cerro Flow", "Wieland"),
                f"Hard-drawn type {typ} copper water tube, {_frac(d)} inch nominal",
                (("diameter", _frac(d), "in"), ("type", typ, "")),
            )
        )
    for d, plf in ((0.5, 0.45), (0.75, 0.58), (1.0, 0.85), (1.5, 1.30), (2.0, 1.75), (3.0, 3.60), (4.0, 5.10)):
        v.append(
            _Variant(
                f"PVC pipe schedule 40 {_frac(d)} in x 10 ft",
                "Plumbing > Pipe > PVC",
                "40142000",
                plf,
                (_Pack("EA", "LF", 10), _Pack("LF", None, None)),
                ("Charlotte Pipe", "JM Eagle", "Cantex"),
                f"Schedule 40 PVC pressure and DWV pipe, {_frac(d)} inch, plain end",
                (("diameter", _frac(d), "in"),),
            )
        )
    for d, coil, plf in ((0.5, 100, 0.42), (0.5, 300, 0.36), (0.75, 100, 0.70), (1.0, 100, 1.15)):
        v.append(
            _Variant(
                f"PEX-A tubing {_frac(d)} in x {coil} ft coil",
                "Plumbing > Pipe > PEX",
                "40142000",
                plf,
                (_Pack("RL", "LF", coil),),
                ("Uponor", "Viega", "SharkBite"),
                f"Cross-linked polyethylene water tubing, {_frac(d)} inch",
            )
        )
    for fitting, pe in (("90 degree elbow", 1.85), ("tee", 2.60), ("coupling", 0.95), ("45 degree elbow", 2.10)):
        for d in (0.5, 0.75, 1.0):
            v.append(
                _Variant(
                    f"Copper {fitting} {_frac(d)} in C x C",
                    "Plumbing > Fittings > Copper",
                    "40142300",
                    pe * (1 + d),
                    (_Pack("BOX", "EA", 25), _Pack("EA", None, None), _Pack("BOX", "EA", 10)),
                    ("NIBCO", "Mueller Industries", "Elkhart"),
                )
            )
    for d, pe in ((0.5, 14.0), (0.75, 19.5), (1.0, 31.0)):
        v.append(
            _Variant(
                f"Full-port brass ball valve {_frac(d)} in sweat",
                "Plumbing > Valves",
                "40141600",
                pe,
                (_Pack("EA", None, None),),
                ("NIBCO", "Apollo", "Watts"),
            )
        )
    for gauge, length, plf in (
        ("14/2", 250, 0.36),
        ("12/2", 250, 0.52),
        ("10/2", 150, 0.98),
        ("12/3", 250, 0.78),
        ("14/2", 1000, 0.33),
    ):
        v.append(
            _Variant(
                f"NM-B {gauge} with ground building wire {length} ft",
                "Electrical > Wire & Cable > NM-B",
                "26121600",
                plf,
                (_Pack("RL", "LF", length),),
                ("Southwire", "Cerrowire", "Encore Wire"),
                f"Non-metallic sheathed cable {gauge} AWG copper with ground, 600 V",
                (("conductors", gauge, "AWG"),),
            )
        )
    for awg, pmf in (("12", 145.0), ("10", 228.0), ("8", 390.0), ("6", 610.0)):
        v.append(
            _Variant(
                f"THHN stranded copper wire {awg} AWG black",
                "Electrical > Wire & Cable > THHN",
                "26121600",
                pmf / 1000,
                (_Pack("LF", None, None, 1000), _Pack("RL", "LF", 500)),
                ("Southwire", "Encore Wire", "Cerrowire"),
                f"Type THHN/THWN-2 {awg} AWG stranded copper building wire, 600 V",
            )
        )
    for d, plf in ((0.5, 0.62), (0.75, 1.05), (1.0, 1.72)):
        v.append(
            _Variant(
                f"EMT conduit {_frac(d)} in x 10 ft",
                "Electrical > Conduit > EMT",
                "39131700",
                plf,
                (_Pack("EA", "LF", 10),),
                ("Allied Tube & Conduit", "Wheatland Tube", "Republic Conduit"),
            )
        )
    for name, pe in (
        ("Duplex receptacle 15 A 125 V white", 0.95),
        ("Decorator switch single-pole 15 A white", 2.40),
        ("GFCI receptacle 20 A white", 17.5),
        ("Single-gang old-work PVC box", 1.10),
    ):
        v.append(
            _Variant(
                name,
                "Electrical > Wiring Devices",
                "39121400",
                pe,
                (_Pack("BOX", "EA", 10), _Pack("EA", None, None)),
                ("Leviton", "Eaton", "Legrand"),
            )
        )
    for amps, pe in ((15, 6.5), (20, 6.8), (30, 11.2), (50, 17.9)):
        v.append(
            _Variant(
                f"Circuit breaker single-pole {amps} A plug-on",
                "Electrical > Breakers",
                "39121600",
                pe,
                (_Pack("EA", None, None),),
                ("Eaton", "Square D", "Siemens"),
            )
        )
    for color in ("Charcoal", "Weathered Wood", "Driftwood", "Onyx Black", "Estate Gray"):
        v.append(
            _Variant(
                f"Architectural laminated shingles {color}",
                "Roofing > Shingles",
                "30151500",
                1.15,
                (_Pack("BDL", "SF", 33.3), _Pack("SQ", None, None)),
                ("Owens Corning", "GAF", "CertainTeed"),
                "Dimensional asphalt shingles, 3 bundles per square, 130 mph wind warranty",
                (("coverage per bundle", "33.3", "SF"),),
            )
        )
    v.append(
        _Variant(
            "Synthetic roofing underlayment 10 SQ roll",
            "Roofing > Underlayment",
            "30151800",
            0.085,
            (_Pack("RL", "SF", 1000),),
            ("GAF", "Owens Corning", "Grace"),
        )
    )
    v.append(
        _Variant(
            "Roofing nails 1-1/4 in electro-galvanized coil",
            "Roofing > Fasteners",
            "31161700",
            1.65,
            (_Pack("BOX", "LB", 30), _Pack("BOX", "LB", 50)),
            ("Grip-Rite", "Maze Nails", "Simpson Strong-Tie"),
        )
    )
    v.append(
        _Variant(
            "Aluminum drip edge 10 ft white",
            "Roofing > Flashing",
            "30151600",
            0.72,
            (_Pack("EA", "LF", 10),),
            ("Amerimax", "Gibraltar", "Berger"),
        )
    )
    for psi, pcy in ((3000, 152.0), (4000, 165.0), (5000, 179.0)):
        v.append(
            _Variant(
                f"Ready-mix concrete {psi} psi",
                "Concrete > Ready-Mix",
                "30111500",
                pcy,
                (_Pack("CY", None, None),),
                ("Cemex", "Vulcan Materials", "Martin Marietta"),
                f"Normal-weight ready-mix concrete, {psi} psi at 28 days, delivered",
                (("compressive strength", str(psi), "psi"),),
            )
        )
    for name, lbs, plb in (
        ("Portland cement type I/II", 94, 0.17),
        ("Concrete mix high-strength", 80, 0.08),
        ("Mortar mix type S", 80, 0.10),
        ("Fast-setting concrete mix", 50, 0.14),
    ):
        v.append(
            _Variant(
                f"{name} {lbs} lb bag",
                "Concrete > Bagged Cement & Mixes",
                "30111600",
                plb,
                (_Pack("BG", "LB", lbs), _Pack("PLT", "LB", lbs * 42)),
                ("Quikrete", "Sakrete", "Holcim"),
            )
        )
    for bar, plf in (("#3", 0.48), ("#4", 0.66), ("#5", 1.02), ("#6", 1.48)):
        v.append(
            _Variant(
                f"Rebar {bar} grade 60 x 20 ft",
                "Concrete > Reinforcing",
                "30102400",
                plf,
                (_Pack("EA", "LF", 20), _Pack("LF", None, None)),
                ("Nucor", "CMC", "Gerdau"),
            )
        )
    v.append(
        _Variant(
            "Rebar #4 grade 60 bulk mill lengths",
            "Concrete > Reinforcing",
            "30102400",
            0.52,
            (_Pack("TON", None, None), _Pack("CWT", None, None)),
            ("Nucor", "CMC", "Gerdau"),
        )
    )
    for thk, length, kind, psf in (
        (0.5, 8, "regular", 0.42),
        (0.5, 12, "regular", 0.40),
        (0.625, 8, "type X fire-rated", 0.52),
        (0.5, 8, "moisture-resistant", 0.58),
        (0.625, 12, "type X fire-rated", 0.50),
    ):
        v.append(
            _Variant(
                f"Gypsum board {_frac(thk)} in x 4 ft x {length} ft {kind}",
                "Drywall > Gypsum Board",
                "30161500",
                psf,
                (_Pack("SHT", "SF", 4 * length),),
                ("USG", "National Gypsum", "CertainTeed"),
            )
        )
    v.append(
        _Variant(
            "All-purpose joint compound 4.5 gal pail",
            "Drywall > Joint Compound",
            "31201600",
            4.1,
            (_Pack("PL", "GAL", 4.5),),
            ("USG", "National Gypsum", "Hamilton"),
        )
    )
    v.append(
        _Variant(
            "Paper drywall joint tape 500 ft roll",
            "Drywall > Tape",
            "31201500",
            0.014,
            (_Pack("RL", "LF", 500),),
            ("USG", "Strait-Flex", "Hyde"),
        )
    )
    v.append(
        _Variant(
            "Drywall screws #6 x 1-5/8 in coarse thread",
            "Drywall > Fasteners",
            "31161500",
            3.2,
            (_Pack("BOX", "LB", 5), _Pack("BOX", "LB", 25)),
            ("Grip-Rite", "Simpson Strong-Tie", "Hillman"),
        )
    )
    for r, sf, psf in ((13, 106.56, 0.58), (19, 75.07, 0.78), (30, 58.67, 1.05), (38, 43.0, 1.30)):
        v.append(
            _Variant(
                f"Fiberglass batt insulation R-{r} kraft-faced",
                "Insulation > Batts",
                "30141500",
                psf,
                (_Pack("BDL", "SF", sf),),
                ("Owens Corning", "Johns Manville", "Knauf"),
                specs=(("R-value", str(r), ""),),
            )
        )
    for finish, pg in (("flat", 29.0), ("eggshell", 33.0), ("semi-gloss", 35.0)):
        v.append(
            _Variant(
                f"Interior acrylic latex paint {finish} white",
                "Paint > Interior",
                "31211500",
                pg,
                (_Pack("CN", "GAL", 1), _Pack("PL", "GAL", 5)),
                ("Sherwin-Williams", "Benjamin Moore", "PPG"),
            )
        )
    for name, plb in (
        ("Framing nails 16d 3-1/2 in bright common", 1.35),
        ("Joist hanger nails 10d 1-1/2 in galvanized", 3.4),
    ):
        v.append(
            _Variant(
                name,
                "Fasteners > Nails",
                "31161700",
                plb,
                (_Pack("BOX", "LB", 50), _Pack("BOX", "LB", 5)),
                ("Grip-Rite", "Simpson Strong-Tie", "Maze Nails"),
            )
        )
    for hanger, pe in (
        ("LUS26 2x6 face-mount joist hanger", 1.45),
        ("LUS210 2x10 face-mount joist hanger", 2.05),
        ("H2.5A hurricane tie", 0.78),
    ):
        v.append(
            _Variant(
                f"{hanger} galvanized",
                "Fasteners > Connectors",
                "31162400",
                pe,
                (_Pack("EA", None, None), _Pack("BOX", "EA", 50)),
                ("Simpson Strong-Tie", "USP", "MiTek"),
            )
        )
    v.append(
        _Variant(
            "Crushed stone #57 washed",
            "Sitework > Aggregates",
            "11111500",
            0.016,
            (_Pack("TON", None, None),),
            ("Vulcan Materials", "Martin Marietta", "Luck Stone"),
        )
    )
    v.append(
        _Variant(
            "Screened topsoil",
            "Sitework > Soils",
            "11111600",
            38.0,
            (_Pack("CY", None, None),),
            ("Vulcan Materials", "Martin Marietta", "Luck Stone"),
        )
    )
    v.append(
        _Variant(
            "Luxury vinyl plank flooring 7 in x 48 in oak",
            "Flooring > Vinyl",
            "30161700",
            2.35,
            (_Pack("CTN", "SF", 23.64),),
            ("Shaw", "Mohawk", "LifeProof"),
        )
    )
    v.append(
        _Variant(
            "Porcelain floor tile 12 in x 24 in matte gray",
            "Flooring > Tile",
            "30161600",
            2.10,
            (_Pack("BOX", "SF", 15.5),),
            ("Daltile", "MSI", "Marazzi"),
        )
    )
    v.append(
        _Variant(
            "Commercial carpet broadloom 26 oz",
            "Flooring > Carpet",
            "30161800",
            21.0 / 9,
            (_Pack("SY", None, None),),
            ("Shaw", "Mohawk", "Interface"),
        )
    )
    v.append(
        _Variant(
            "Exterior deck screws #10 x 3 in",
            "Fasteners > Screws",
            "31161500",
            6.5,
            (_Pack("BOX", "LB", 5),),
            ("GRK", "Simpson Strong-Tie", "Hillman"),
        )
    )
    v.append(
        _Variant(
            "Construction adhesive subfloor 28 oz cartridge",
            "Adhesives & Sealants",
            "31201600",
            7.2,
            (_Pack("TB", "FLOZ", 28), _Pack("CS", "FLOZ", 336)),
            ("Loctite", "Liquid Nails", "DAP"),
        )
    )
    return v


_VARIANTS = _variants()
_MFR_CODES: dict[str, str] = {}


def _mfr_code(name: str) -> str:
    if name not in _MFR_CODES:
        letters = "".join(c for c in name.upper() if c.isalpha())
        _MFR_CODES[name] = letters[:3] + hashlib.sha256(name.encode()).hexdigest()[:2].upper()
    return _MFR_CODES[name]


def _variant_table() -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, var in enumerate(_VARIANTS):
        for m, mfr in enumerate(var.manufacturers):
            rows.append(
                {
                    "variant": i,
                    "mfr_slot": m,
                    "v_name": var.name,
                    "category": var.category,
                    "unspsc": var.unspsc,
                    "v_description": var.description or var.name,
                    "manufacturer": mfr,
                    "mfr_code": _mfr_code(mfr),
                    "base_price": var.base_price,
                    "n_packs": len(var.packs),
                }
            )
    return pl.DataFrame(rows)


def _pack_table() -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, var in enumerate(_VARIANTS):
        first = var.packs[0]
        first_base = (first.content or 1.0) * _measurable_factor(
            first.order_uom if first.content_uom is None else first.content_uom
        )
        for p, pack in enumerate(var.packs):
            unit = pack.order_uom if pack.content_uom is None else pack.content_uom
            base = (pack.content or 1.0) * _measurable_factor(unit)
            rows.append(
                {
                    "variant": i,
                    "pack": p,
                    "order_uom": pack.order_uom,
                    "content_uom": pack.content_uom,
                    "content": None if pack.content is None else _num(pack.content),
                    "price_quantity": pack.price_quantity,
                    # price per order unit relative to the first pack's base price
                    "base_units": base,
                    "first_base_units": first_base,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"content_uom": pl.String, "content": pl.String})


def _measurable_factor(code: str) -> float:
    from contracts.uom import canonical_uom

    uom = canonical_uom(code)
    assert uom is not None, code
    assert uom.factor is not None, code
    return float(uom.factor)


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "little")


def _gtin12(product: np.ndarray) -> pl.Series:
    """UPC-A codes (GTIN-12 with check digit) for product numbers, under made-up company prefixes."""
    body = 6_141_400_000 + product
    digits = np.stack([(body // 10 ** (10 - k)) % 10 for k in range(11)], axis=1)
    check = (10 - (digits[:, 0::2].sum(axis=1) * 3 + digits[:, 1::2].sum(axis=1)) % 10) % 10
    return pl.Series(body).cast(pl.String).str.zfill(11) + pl.Series(check).cast(pl.String)


# --------------------------------------------------------------------------------------------
# Supplier catalogs


@dataclass(slots=True)
class SampleStats:
    """What a writer produced: data rows (the header excluded) and planted defects by rule."""

    path: Path
    rows: int
    defects: dict[str, int] = field(default_factory=dict)


def _supplier(supplier: str | Supplier) -> Supplier:
    if isinstance(supplier, Supplier):
        return supplier
    for s in SUPPLIERS:
        if s.slug == supplier:
            return s
    # an unknown slug still gets a stable, distinct catalog
    h = _seed(supplier)
    return Supplier(
        supplier, supplier.replace("-", " ").title(), supplier[:3].upper(), 0.95 + (h % 100) / 1000, h % 500
    )


def _supplier_chunk(
    sup: Supplier, seed: int, start: int, n: int, variants: pl.DataFrame, packs: pl.DataFrame, n_variant_rows: int
) -> pl.DataFrame:
    """Rows start..start+n of a supplier's catalog (before defects)."""
    rng = np.random.default_rng(_seed("supplier-chunk", seed, sup.slug, start))
    # Each product has a * row and 0–3 regional rows: rows come in blocks of 4 slots per
    # product, slot 0 always present, slot k present when the product's region count ≥ k.
    # Row r belongs to product r // 4 + offset only if dense; keep it simple and exact by
    # laying products out with exactly 1 + (product % 4) rows (average 2.5).
    product_block = np.arange(start // 10 * 4, (start + n) // 10 * 4 + 8, dtype=np.int64)
    counts = 1 + (product_block % 4)
    first_row = product_block // 4 * 10 + np.array([0, 1, 3, 6])[product_block % 4]
    idx = np.repeat(np.arange(len(product_block)), counts)
    slot = np.arange(len(idx)) - np.repeat(np.cumsum(counts) - counts, counts)
    row = first_row[idx] + slot
    keep = (row >= start) & (row < start + n)
    row, idx, slot = row[keep], idx[keep], slot[keep]
    product_local = product_block[idx]
    product = product_local + sup.first_product
    nv = n_variant_rows
    vrow = product % nv
    region_pick = (product * 7 + slot * 13 + _seed(sup.slug) % 31) % len(REGIONS)
    region_codes = np.array([r.zip_area for r in REGIONS])
    region_level = np.array([r.material for r in REGIONS])
    price_region = np.where(slot == 0, "*", region_codes[region_pick])
    level = np.where(slot == 0, 1.0, region_level[region_pick] * rng.uniform(0.97, 1.06, len(row)))
    frame = pl.DataFrame(
        {
            "row": row,
            "product": product,
            "vrow": vrow,
            "price_region": price_region,
            "level": level,
            "noise": rng.uniform(0.9, 1.12, len(row)),
            "avail": rng.integers(0, 400, len(row)),
            "stock_draw": rng.uniform(0, 1, len(row)),
            "lead": rng.choice(np.array([0, 1, 2, 3, 5, 7, 10, 14, 21]), len(row)),
        }
    )
    frame = frame.join(
        variants.with_row_index("vrow").with_columns(pl.col("vrow").cast(pl.Int64)), on="vrow", how="left"
    )
    frame = frame.with_columns(((pl.col("product") // nv + _seed(sup.slug)) % pl.col("n_packs")).alias("pack"))
    frame = frame.join(packs, on=["variant", "pack"], how="left")
    product_noise = (pl.col("product") * 2_654_435_761 % 1000).cast(pl.Float64) / 1000 * 0.3 + 0.85
    price = (
        pl.col("base_price")
        * pl.col("base_units")
        * pl.col("price_quantity")
        * product_noise
        * pl.col("noise").pow(0.3)
        * pl.col("level")
        * sup.price_level
    )
    gtin = _gtin12(frame["product"].to_numpy())
    series = (pl.col("product") // nv).cast(pl.String)
    frame = frame.with_columns(gtin.alias("gtin"))
    return frame.sort("row").select(
        pl.format("{}-{}", pl.lit(sup.sku_prefix), pl.col("product").cast(pl.String).str.zfill(7)).alias(
            "supplier_sku"
        ),
        pl.format("{} {}", pl.col("manufacturer"), pl.col("v_name")).alias("name"),
        pl.format("{}. Series {}.", pl.col("v_description"), series).alias("description"),
        pl.col("manufacturer").alias("brand"),
        pl.col("manufacturer"),
        pl.format("{}-{}", pl.col("mfr_code"), pl.col("product").cast(pl.String).str.zfill(6)).alias(
            "manufacturer_part_number"
        ),
        pl.col("gtin"),
        pl.col("unspsc"),
        pl.col("category"),
        pl.col("order_uom"),
        pl.col("content_uom"),
        pl.col("content").alias("content_per_order_uom"),
        pl.when(pl.col("price_quantity") == 1)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("price_quantity").cast(pl.String))
        .alias("price_quantity"),
        price.clip(0.01).cast(pl.Decimal(18, 2)).cast(pl.String).alias("unit_price"),
        pl.lit("USD").alias("currency"),
        pl.col("price_region"),
        pl.when(pl.col("stock_draw") < 0.15)
        .then(pl.lit("0"))
        .when(pl.col("stock_draw") < 0.25)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("avail").cast(pl.String))
        .alias("available_qty"),
        pl.col("lead").cast(pl.String).alias("lead_time_days"),
        pl.lit("2026-01-01").alias("valid_from"),
        pl.when(pl.col("stock_draw") > 0.9)
        .then(pl.lit("2026-12-31"))
        .otherwise(pl.lit(None, pl.String))
        .alias("valid_to"),
    )


def _plant_defects(frame: pl.DataFrame, start: int, spacing: int, counts: dict[str, int]) -> pl.DataFrame:
    rows = np.arange(start, start + frame.height)
    hits = np.nonzero(rows % spacing == 3)[0]
    if len(hits) == 0:
        return frame
    columns = {
        name: frame[name].to_list() for name in ("supplier_sku", "name", "order_uom", "unit_price", "price_region")
    }
    for local in hits:
        kind = DEFECTS[int(rows[local] // spacing) % len(DEFECTS)]
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "unit_price_positive":
            columns["unit_price"][local] = "-" + str(columns["unit_price"][local])
        elif kind == "unit_price_numeric":
            columns["unit_price"][local] = ("N/A", "12,50", "call for price")[int(local) % 3]
        elif kind == "order_uom_known":
            columns["order_uom"][local] = ("BUNCH", "XYZ", "SKID?")[int(local) % 3]
        elif kind == "unique_sku_per_region":
            other = local - 1 if local > 0 else local + 1
            columns["supplier_sku"][local] = columns["supplier_sku"][other]
            columns["price_region"][local] = columns["price_region"][other]
            columns["unit_price"][local] = f"{float(columns['unit_price'][other]) * 1.1 + 0.01:.2f}"
        else:
            columns["name"][local] = ""
    return frame.with_columns(*(pl.Series(name, values, dtype=pl.String) for name, values in columns.items()))


def _open_text(path: Path) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        import gzip

        return cast(IO[bytes], gzip.open(path, "wb", compresslevel=1))
    return path.open("wb")


def write_supplier_csv(
    path: str | Path,
    rows: int,
    *,
    seed: int = 0,
    dirty: bool = False,
    supplier: str | Supplier = SUPPLIERS[0],
    chunk_rows: int = CHUNK_ROWS,
) -> SampleStats:
    """Write a supplier catalog of ``rows`` data rows as CSV (gzip when the name ends in .gz).

    The header is exactly :data:`contracts.schemas.SUPPLIER_CATALOG`'s field names. With
    ``dirty=True`` every 10th row or so (at most every 97th in big files) carries one of
    :data:`DEFECTS`, cycling through them; the returned stats count them by rule.
    """
    out = Path(path)
    sup = _supplier(supplier)
    variants = _variant_table()
    packs = _pack_table()
    spacing = max(7, min(97, rows // 10 or 7))
    stats = SampleStats(out, rows)
    with _open_text(out) as fh:
        fh.write((",".join(SUPPLIER_CATALOG.field_names) + "\n").encode())
        for start in range(0, rows, chunk_rows):
            n = min(chunk_rows, rows - start)
            frame = _supplier_chunk(sup, seed, start, n, variants, packs, variants.height)
            if dirty:
                frame = _plant_defects(frame, start, spacing, stats.defects)
            frame.write_csv(fh, include_header=False)
    return stats


def iter_supplier_records(
    rows: int, *, seed: int = 0, dirty: bool = False, supplier: str | Supplier = SUPPLIERS[0]
) -> Iterator[dict[str, str | None]]:
    """The same records as :func:`write_supplier_csv`, one dict per row (for JSON bodies)."""
    sup = _supplier(supplier)
    variants = _variant_table()
    packs = _pack_table()
    spacing = max(7, min(97, rows // 10 or 7))
    counts: dict[str, int] = {}
    for start in range(0, rows, CHUNK_ROWS):
        n = min(CHUNK_ROWS, rows - start)
        frame = _supplier_chunk(sup, seed, start, n, variants, packs, variants.height)
        if dirty:
            frame = _plant_defects(frame, start, spacing, counts)
        yield from frame.iter_rows(named=True)


# --------------------------------------------------------------------------------------------
# Manufacturer feeds


def write_manufacturer_csv(
    path: str | Path, rows: int, *, seed: int = 0, manufacturer: str | None = None, dirty: bool = False
) -> SampleStats:
    """Write a manufacturer feed: model numbers, specs (JSON text), list prices, spec-sheet URLs.

    With ``manufacturer`` the rows are that manufacturer's products only (its model numbers
    match the ``manufacturer_part_number`` of the supplier catalogs); otherwise every
    manufacturer's. ``dirty=True`` blanks a list price and writes a bad specs value.
    """
    out = Path(path)
    rng = np.random.default_rng(_seed("manufacturer", seed, manufacturer))
    records: list[dict[str, str | None]] = []
    product = 0
    nv = sum(len(v.manufacturers) for v in _VARIANTS)
    flat = [(v, m) for v in _VARIANTS for m in v.manufacturers]
    while len(records) < rows and product < rows * (nv + 1) + nv:
        var, mfr = flat[product % nv]
        if manufacturer is None or mfr == manufacturer:
            specs = [{"name": n, "value": val, "unit": u} for n, val, u in var.specs] or [
                {"name": "category", "value": var.category.split(" > ")[-1], "unit": ""}
            ]
            code = f"{_mfr_code(mfr)}-{product:06d}"
            list_price = var.base_price * (var.packs[0].content or 1) * 1.35
            records.append(
                {
                    "manufacturer": mfr,
                    "model_number": code,
                    "name": var.name,
                    "description": var.description or var.name,
                    "product_line": f"{var.category.split(' > ')[-1]} series {product // nv}",
                    "category": var.category,
                    "gtin": None,
                    "unspsc": var.unspsc,
                    "specs": json.dumps(specs),
                    "list_price": f"{list_price * float(rng.uniform(0.95, 1.1)):.2f}",
                    "currency": "USD",
                    "uom": var.packs[0].order_uom,
                    "lead_time_days": str(int(rng.integers(3, 30))),
                    "discontinued": "true" if rng.uniform() < 0.03 else "false",
                    "spec_sheet_url": f"https://specs.example.com/{_mfr_code(mfr).lower()}/{code}.pdf",
                }
            )
        product += 1
    stats = SampleStats(out, len(records))
    if dirty and records:
        records[min(3, len(records) - 1)]["list_price"] = ""
        stats.defects["required_list_price"] = 1
        if len(records) > 5:
            records[5]["specs"] = "weight=12 lb"
            stats.defects["specs_valid"] = 1
    _write_records(out, MANUFACTURER_FEED.field_names, records)
    return stats


def _write_records(path: Path, header: Sequence[str], records: list[dict[str, str | None]]) -> None:
    frame = (
        pl.DataFrame(records, schema=dict.fromkeys(header, pl.String), orient="row")
        if records
        else pl.DataFrame(schema=dict.fromkeys(header, pl.String))
    )
    with _open_text(path) as fh:
        frame.write_csv(fh)


# --------------------------------------------------------------------------------------------
# Cost data (RSMeans style) and the location index

# (section, description stem, unit, crew, daily output, material, labor per hour share, equipment)
_COST_LINES: tuple[tuple[str, str, str, str, float, float, float, float], ...] = (
    ("03 11 13.35", "Forms in place, footings, continuous wall, plywood, 1 use", "SF", "C-1", 375, 2.55, 5.45, 0.0),
    (
        "03 21 11.60",
        "Reinforcing in place, footings, #4 to #7, A615 grade 60",
        "TON",
        "4 Rodm",
        1.5,
        1150.0,
        1275.0,
        0.0,
    ),
    ("03 31 13.35", "Structural concrete, ready mix, normal weight, 4000 psi", "CY", "", 0.0, 165.0, 0.0, 0.0),
    ("03 31 13.70", "Placing concrete, footings, continuous, shallow, direct chute", "CY", "C-6", 120, 0.0, 21.5, 0.68),
    ("03 35 29.30", "Concrete finishing, floors, machine trowel", "SF", "C-10E", 2400, 0.0, 1.08, 0.06),
    ("04 22 10.14", "Concrete block, normal weight, 8 x 8 x 16, tooled joints", "SF", "D-8", 400, 3.74, 7.95, 0.0),
    ("05 12 23.75", "Structural steel, columns, W10 x 33", "LF", "E-2", 660, 48.5, 2.25, 1.06),
    ("06 11 10.10", "Wood framing, studs, 2 x 4, 16 in O.C., walls", "BF", "F-2", 1450, 0.62, 0.88, 0.0),
    ("06 11 10.14", "Wood framing, joists, 2 x 10, 16 in O.C., floors", "BF", "F-2", 1300, 0.78, 0.98, 0.0),
    ("06 11 10.18", "Wood framing, rafters, 2 x 8, to 4 in 12 pitch", "BF", "F-2", 1000, 0.70, 1.27, 0.0),
    ("06 16 36.10", "Sheathing, plywood on roofs, CDX, 1/2 in thick", "SF", "F-2", 1600, 1.05, 0.80, 0.0),
    ("06 16 36.10", "Sheathing, OSB on walls, 7/16 in thick", "SF", "F-2", 1400, 0.62, 0.91, 0.0),
    (
        "07 21 16.20",
        "Blanket insulation, fiberglass batts, kraft faced, R-19, 6 in",
        "SF",
        "1 Carp",
        1150,
        0.78,
        0.55,
        0.0,
    ),
    ("07 31 13.10", "Asphalt roof shingles, architectural, laminated, 30 year", "SQ", "1 Rofc", 3, 120.0, 180.0, 0.0),
    ("07 46 46.10", "Fiber cement siding, lap, 8-1/4 in wide, primed", "SF", "2 Carp", 415, 1.85, 3.05, 0.0),
    ("08 14 16.09", "Wood doors, flush, interior, hollow core, 3 ft x 6 ft 8 in", "EA", "F-2", 17, 95.0, 74.5, 0.0),
    ("08 53 13.20", "Vinyl windows, double hung, 3 ft x 4 ft, insulating glass", "EA", "F-2", 10, 365.0, 127.0, 0.0),
    ("09 29 10.30", "Gypsum wallboard, 1/2 in, on walls, taped and finished", "SF", "2 Carp", 965, 0.42, 1.32, 0.0),
    (
        "09 29 10.30",
        "Gypsum wallboard, 5/8 in fire resistant, on ceilings, taped and finished",
        "SF",
        "2 Carp",
        765,
        0.52,
        1.66,
        0.0,
    ),
    ("09 30 13.10", "Ceramic tile, floors, thin set, 12 x 12 in", "SF", "D-7", 183, 3.45, 6.10, 0.0),
    ("09 65 19.10", "Luxury vinyl plank flooring, click lock", "SF", "1 Tilf", 500, 2.35, 1.45, 0.0),
    ("09 68 16.10", "Carpet, commercial broadloom, 26 oz, installed", "SY", "1 Tilf", 75, 21.0, 9.0, 0.0),
    ("09 91 23.72", "Painting, walls, roller, latex, 2 coats", "SF", "1 Pord", 1300, 0.18, 0.55, 0.0),
    ("22 11 13.23", "Copper tubing, type L, 1/2 in, with couplings and hangers", "LF", "1 Plum", 84, 4.32, 10.25, 0.0),
    ("22 11 13.74", "PVC pipe, schedule 40, 2 in, with couplings and hangers", "LF", "1 Plum", 56, 3.35, 15.40, 0.0),
    ("22 41 16.13", "Lavatory, vanity top, vitreous china, with trim", "EA", "Q-1", 6, 285.0, 240.0, 0.0),
    (
        "26 05 19.55",
        "Non-metallic sheathed cable, 600 V, copper, 12-2 with ground",
        "CLF",
        "1 Elec",
        2.5,
        52.0,
        238.0,
        0.0,
    ),
    ("26 05 33.13", "Conduit, EMT, 3/4 in diameter, to 10 ft high", "LF", "1 Elec", 80, 1.05, 7.30, 0.0),
    ("26 27 26.20", "Wiring devices, receptacle, duplex, 20 A, 120 V", "EA", "1 Elec", 27, 12.5, 21.5, 0.0),
    ("31 23 16.42", "Excavating, bulk bank measure, 1 CY hydraulic excavator", "CY", "B-12A", 800, 0.0, 1.35, 1.85),
    ("31 23 23.13", "Backfill, structural, dozer, 300 ft haul", "CY", "B-10B", 1100, 0.0, 0.95, 2.60),
    ("32 11 23.23", "Base course, crushed stone, 6 in deep, compacted", "SY", "B-36C", 5200, 8.10, 0.40, 0.85),
    ("32 12 16.13", "Asphalt paving, binder course, 2 in thick", "SY", "B-25", 6000, 10.5, 0.75, 0.55),
)

_DIVISIONS: tuple[str, ...] = ("03", "04", "05", "06", "07", "08", "09", "22", "26", "31", "32")


def write_cost_items_csv(
    path: str | Path, rows: int | None = None, *, seed: int = 0, dirty: bool = False
) -> SampleStats:
    """Write RSMeans-style unit costs: MasterFormat line numbers, crews, outputs, bare and O&P costs.

    Without ``rows`` each template line appears once; with ``rows`` the templates repeat with
    size and quantity variations under new line numbers (``… 0100``, ``… 0110`` …).
    """
    out = Path(path)
    rng = np.random.default_rng(_seed("cost", seed))
    total = rows if rows is not None else len(_COST_LINES)
    records: list[dict[str, str | None]] = []
    used: dict[str, int] = {}
    for i in range(total):
        section, desc, unit, crew, output, material, labor, equipment = _COST_LINES[i % len(_COST_LINES)]
        rep = i // len(_COST_LINES)
        scale = 1.0 + 0.15 * rep
        used[section] = used.get(section, 0) + 1
        material_c = material * scale * float(rng.uniform(0.97, 1.03))
        labor_c = labor * scale
        equip_c = equipment * scale
        total_op = material_c * 1.10 + labor_c * 1.52 + equip_c * 1.10
        crew_size = len(crew.split()) if crew else 0
        records.append(
            {
                "line_number": f"{section} {90 + 10 * used[section]:04d}",
                "description": desc if rep == 0 else f"{desc}, variant {rep + 1}",
                "unit": unit,
                "crew": crew or None,
                "daily_output": _num(output) if output else None,
                "labor_hours": f"{8 * max(1, crew_size) / output:.3f}" if output else None,
                "bare_material": f"{material_c:.2f}",
                "bare_labor": f"{labor_c:.2f}",
                "bare_equipment": f"{equip_c:.2f}",
                "total_incl_op": f"{total_op:.2f}",
                "currency": "USD",
            }
        )
    stats = SampleStats(out, len(records))
    if dirty and len(records) > 4:
        records[1]["bare_material"] = "-4.00"
        records[3]["unit"] = "BUSHEL"
        stats.defects = {"bare_material_valid": 1, "unit_known": 1}
    _write_records(out, COST_ITEMS.field_names, records)
    return stats


def write_location_index_csv(path: str | Path, *, seed: int = 0, regions: Sequence[Region] = REGIONS) -> SampleStats:
    """Write a city cost index: per 3-digit ZIP area and MasterFormat division, material and
    installation indexes around the area's price levels (100 = national average)."""
    out = Path(path)
    rng = np.random.default_rng(_seed("location", seed))
    records: list[dict[str, str | None]] = []
    for region in regions:
        for division in _DIVISIONS:
            records.append(
                {
                    "zip_area": region.zip_area,
                    "city": region.city,
                    "state": region.state,
                    "division": division,
                    "material_index": f"{100 * region.material * float(rng.uniform(0.97, 1.03)):.1f}",
                    "installation_index": f"{100 * region.labor * float(rng.uniform(0.95, 1.05)):.1f}",
                }
            )
    _write_records(out, LOCATION_INDEX.field_names, records)
    return SampleStats(out, len(records))
