"""Django's PostgreSQL backend with a cheaper check of pooled connections (settings
``ENGINE`` when the process keeps a pool; docs/decisions.md, "Serving")."""
