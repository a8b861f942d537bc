"""Every Dagster definition of Joist, loaded by ``workspace.yaml``."""

import dagster as dg

__all__ = ["defs"]

defs = dg.Definitions()
