"""Schedules: a project's tasks with dates, progress and finish-to-start dependencies."""
