"""A worker writes its heartbeat while it runs and says when it stopped as asked."""

from __future__ import annotations

import threading

import pytest

from baozhang.jobs.models import WorkerBeat
from baozhang.jobs.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_beats_when_it_runs_and_records_its_stop() -> None:
    # Given a worker with nothing to do
    worker = Worker(name="host-t:7", concurrency=1, poll_interval=0.01)
    # When it runs until nothing is due
    worker.run(threading.Event(), once=True)
    # Then its heartbeat is stored, with its start, and its stop is recorded
    beat = WorkerBeat.objects.get(name="host-t:7")
    assert beat.started_at <= beat.beat_at
    assert beat.stopped_at is not None and beat.stopped_at >= beat.beat_at


def test_a_worker_started_again_under_its_name_beats_as_running() -> None:
    from baozhang.jobs import beats

    # Given a worker that stopped
    Worker(name="host-t:8", concurrency=1).run(threading.Event(), once=True)
    first = WorkerBeat.objects.get(name="host-t:8")
    # When a worker of the same name (a fixed --name) starts again and beats
    beats.beat("host-t:8", first.beat_at)
    # Then it counts as running again: one row, no stop recorded
    again = WorkerBeat.objects.get(name="host-t:8")
    assert WorkerBeat.objects.filter(name="host-t:8").count() == 1
    assert again.stopped_at is None
