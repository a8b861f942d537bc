"""Webhook subscriptions, deliveries and the worker that sends them (Standard Webhooks)."""
