"""The background worker: the database is the queue (DESIGN.md). See worker.py."""
