"""Where the time of opening a ticket goes: one process, one thread, the API's
`POST /api/v1/tickets` through Django's test client on PostgreSQL. Prints the SQL
statements of one creation (in order) and the median wall and CPU time of `-n` creations.

    python bench/profile_ticket.py [-n 200]
    BENCH_TREE=/path/to/other/checkout python bench/profile_ticket.py   # e.g. before

A fresh database (BENCH_PROFILE_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/baozhang_bench_profile, dropped and re-created); the
customer has one webhook channel, so each ticket writes its acknowledgement to the outbox.
Skips (exit 0) when PostgreSQL does not answer.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TREE = Path(os.environ.get("BENCH_TREE") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(TREE))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import bench_desk as desk  # noqa: E402

sys.path.insert(0, str(TREE))  # bench_desk put its own checkout first

desk.PG_URL = os.environ.get(
    "BENCH_PROFILE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/baozhang_bench_profile"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    if desk.fresh_postgres() is None:
        return 0
    desk.setup_django(tempfile.mkdtemp(prefix="bz-profile-"))
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from baozhang.notify.models import Channel

    call_command("migrate", verbosity=0)
    seeded = desk.seed_people(3)
    customer = seeded["customer_ids"][0]
    Channel.objects.create(
        organisation_id=customer,
        name="acknowledgements",
        kind="webhook",
        config={"webhook_url": "http://127.0.0.1:9/hook", "webhook_headers": {}},
    )
    client = Client(headers={"Authorization": f"Bearer {seeded['token']}"}, SERVER_NAME="127.0.0.1")
    body = json.dumps({"kind": "fault", "subject": "profile", "customer_id": customer})

    def create() -> None:
        response = client.post("/api/v1/tickets", body, content_type="application/json")
        assert response.status_code == 201, response.content

    for _ in range(10):  # warm up: imports, templates, calendars, the connection
        create()
    with CaptureQueriesContext(connection) as queries:
        create()
    print(f"tree: {TREE}")
    print(f"statements of one POST /api/v1/tickets: {len(queries.captured_queries)}")
    for i, q in enumerate(queries.captured_queries, 1):
        print(f"  {i:>2}. {q['sql'][:110]}")
    walls, cpus = [], []
    for _ in range(args.n):
        w, c = time.perf_counter(), time.process_time()
        create()
        walls.append((time.perf_counter() - w) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    print(
        f"{args.n} creations: median {statistics.median(walls):.2f} ms wall,"
        f" {statistics.median(cpus):.2f} ms CPU of this process"
    )
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
