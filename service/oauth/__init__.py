"""Third-party apps: the developer portal's applications, their review, and the OAuth 2.0
authorization server that lets a builder authorize one to act on its data."""
