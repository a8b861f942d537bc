"""Server-rendered web pages (no JavaScript needed): sign-in, consent, authorized apps, the
developer portal and staff review. Sessions live server-side; every form carries a CSRF token."""
