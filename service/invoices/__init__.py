"""Invoices: what a vendor bills against a project; draft → submitted → approved → paid."""
