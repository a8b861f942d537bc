"""Projects: the jobs a builder runs, the first core entity on the public API."""
