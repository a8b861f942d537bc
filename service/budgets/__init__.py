"""Budgets: a project's cost plan by cost code, with the totals that change orders move."""
