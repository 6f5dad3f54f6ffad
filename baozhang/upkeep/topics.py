"""What maintenance work announces (baozhang/events/announce.py) for the areas above it.

STEP_FAILED: a step of a work order's original record failed its technical requirement,
announced inside the transaction that wrote the record (once per step: a correction that
still fails is not announced again). Payload: ``work_order_id`` (int), ``reference``
(str, WO-…), ``version`` (int), ``asset_id`` (int), ``asset_name`` (str), ``plan_item``
(str), ``step`` (str), ``measured`` (str, as recorded), ``requirement`` (str, e.g.
``13.2–13.8 V``), ``recorded_by_id`` (int), ``at`` (aware datetime). The incidents area
opens an equipment fault naming the asset.
"""

from __future__ import annotations

STEP_FAILED = "upkeep.step_failed"
