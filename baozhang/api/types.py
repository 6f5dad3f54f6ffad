"""Bounded types for the API's inputs, so that no number or time a client can send reaches
the database out of its range, and the OpenAPI document says so.

An id is a positive 64-bit integer (the database's BigAutoField); a count or setting stored
in an IntegerField fits the 32-bit signed range PostgreSQL gives it. A time of day is a
local wall-clock time ("09:00" or "09:00:00"): a UTC offset has no meaning there and is
refused (422) rather than half-understood.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

MAX_ID = 2**63 - 1
MAX_INT32 = 2**31 - 1
MAX_PAGE = 1_000_000_000

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""The id of a row: 1 … 2⁶³−1."""

Int32 = Annotated[int, Field(ge=-MAX_INT32 - 1, le=MAX_INT32)]
"""A whole number stored in an IntegerField."""

Count = Annotated[int, Field(ge=0, le=MAX_INT32)]
"""A non-negative whole number stored in an IntegerField."""

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


def _local_time(value: Any) -> Any:
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise ValueError(_("Give a time of day without a UTC offset, e.g. 09:00"))
        return value
    if isinstance(value, str) and _TIME.match(value):
        return dt.time.fromisoformat(value)
    raise ValueError(_("Give a time of day as HH:MM or HH:MM:SS, e.g. 09:00"))


LocalTime = Annotated[
    dt.time,
    BeforeValidator(_local_time),
    PlainSerializer(lambda t: t.strftime("%H:%M:%S"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _TIME_PATTERN,
            "description": "Local time of day, HH:MM or HH:MM:SS (no UTC offset)",
            "examples": ["09:00"],
        }
    ),
]
"""A wall-clock time of day, "HH:MM[:SS]", without offset, in and out."""


# Dates and times a client sends stay within years 1900–2999: far enough for any real
# schedule, and every computation on them (a UTC offset, a day after) stays in range.
YEAR_MIN = 1900
YEAR_MAX = 2999


def _year_in_range(value: dt.date) -> dt.date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(
            _("Give a date between the years %(first)d and %(last)d")
            % {"first": YEAR_MIN, "last": YEAR_MAX}
        )
    return value


DateTime = Annotated[dt.datetime, AfterValidator(_year_in_range)]
"""A date and time (an offset is recommended; without one, the server's time zone)."""

AwareDateTime = Annotated[AwareDatetime, AfterValidator(_year_in_range)]
"""A date and time with its UTC offset."""

Date = Annotated[dt.date, AfterValidator(_year_in_range)]
"""A calendar date."""

Float = Annotated[float, Field(allow_inf_nan=False)]
"""A finite number."""
