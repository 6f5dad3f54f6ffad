"""Drill 3: schemathesis over the whole API (/api/v1/openapi.json), as an operator
administrator and as a customer contact, on the demo data plus a ticket per customer.

For every operation it sends cases generated from the document (valid ones, invalid ones,
and valid ones aimed at the real objects of both customers), with a fixed seed and a
bounded number of examples, and checks each answer: never 5xx; status code, content type
and body as documented; and, for the customer contact, nothing of another organisation.

Run longer, with another seed (the figures go in docs/reliability.md):

    BAOZHANG_FUZZ_SEED=7 BAOZHANG_FUZZ_EXAMPLES=25 BAOZHANG_HOME=$(mktemp -d) \\
        .venv/bin/pytest -p no:cacheprovider -q baozhang/api/tests/test_api_fuzz.py

Each case starts from a known identity: a case that revoked the caller's own token,
deactivated their organisation or took their roles is undone before the next one (through
the services, as an administrator would), so that every operation is tried signed in.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core import NotSet
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from baozhang.accounts import services as accounts
from baozhang.accounts.models import Organisation, Role, User
from baozhang.api.tests.fuzz_identity import Identity

SEED = int(os.environ.get("BAOZHANG_FUZZ_SEED", "42"))
EXAMPLES = int(os.environ.get("BAOZHANG_FUZZ_EXAMPLES", "4"))
MAX_REPORTED_PER_OPERATION = 3


class LeakedData(AssertionError):
    """An answer to a customer's person that names another organisation."""


_OWN_ORGANISATION_FIELDS = ("organisation_id", "customer_id")


def _foreign_ids(value: Any, own: int, where: str = "") -> list[str]:
    """The places in a JSON answer that name an organisation other than ``own``."""
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack and len(found) < 5:
        item, path = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                if key in _OWN_ORGANISATION_FIELDS and isinstance(sub, int) and sub != own:
                    found.append(f"{path}.{key}={sub}")
                elif key == "customer_ids" and isinstance(sub, list):
                    found.extend(f"{path}.customer_ids={x}" for x in sub if x != own)
                else:
                    stack.append((sub, f"{path}.{key}"))
        elif isinstance(item, list):
            stack.extend((sub, f"{path}[{i}]") for i, sub in enumerate(item))
    return found


def _isolation_check(own: int) -> Callable[..., bool | None]:
    def no_other_organisations_data(ctx: CheckContext, response: Any, case: Any) -> bool | None:
        if response.status_code >= 300:
            return None
        try:
            body = response.json()
        except Exception:
            return None
        leaks = _foreign_ids(body, own)
        # The organisation list is the caller's own; a ticket's customer is theirs.
        if leaks:
            raise LeakedData(f"{case.method} {case.formatted_path}: {', '.join(leaks)}")
        return None

    return no_other_organisations_data


# -- the world ----------------------------------------------------------------------------


def _world() -> dict[str, Any]:
    """The demo data, an administrator like `baozhang up` creates, a ticket per customer."""
    from baozhang.demo import load_demo
    from baozhang.desk import services as desk

    load_demo()
    operator = accounts.operator_organisation()
    admin = accounts.create_user(
        None,
        username="fuzz-admin",
        password="fuzz-admin-password-7",
        organisation=operator,
        roles=[Role.ADMINISTRATOR],
        is_superuser=True,
    )
    contact = User.objects.get(username="contact1")
    for org in Organisation.objects.filter(kind="customer"):
        person = User.objects.filter(organisation=org).first()
        desk.open_ticket(
            person,
            customer=org,
            kind="fault",
            subject=f"Fuzz ticket of {org.name}",
            description="The portal is slow",
            contact=person,
        )
    return {"admin": admin, "contact": contact}


def _pools() -> dict[str, list[Any]]:
    """Real values for path parameters, so that cases reach real objects of both customers."""
    from django.apps import apps

    def ids(label: str) -> list[int]:
        return list(apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True)[:20])

    return {
        "org_id": ids("accounts.Organisation"),
        "user_id": ids("accounts.User"),
        "token_id": ids("accounts.ApiToken"),
        "ticket_id": ids("desk.Ticket"),
        "attachment_id": ids("desk.Attachment"),
        "incident_id": ids("incidents.Incident"),
        "review_action_id": ids("analysis.Action"),
        "service_id": ids("catalog.Service"),
        "monitor_id": ids("monitoring.Monitor"),
        "region_id": ids("monitoring.ProbeRegion"),
        "window_id": ids("maintenance.MaintenanceWindow"),
        "agreement_id": ids("sla.Agreement"),
        "target_id": ids("sla.Target"),
        "review_id": ids("sla.Review"),
        "channel_id": ids("notify.Channel"),
        "message_id": ids("notify.Message"),
        "event_id": ids("events.Event"),
        "calendar_id": ids("calendars.BusinessCalendar"),
        "schedule_id": ids("calendars.ImportedSchedule"),
        "seat_id": ids("staffing.Seat"),
        "shift_id": ids("staffing.Shift"),
        "call_id": ids("calls.CallRecord"),
        "key": ["24x7", "cn-5x8"],
    }


# -- the run ------------------------------------------------------------------------------


def _runner(identity: Identity, checks: list[Any], found: list[str]) -> Callable[[Any], None]:
    def run(case: Any) -> None:
        if len(found) >= MAX_REPORTED_PER_OPERATION:
            return
        response = case.call(headers=identity.headers())
        try:
            case.validate_response(response, checks=checks)
        except (Exception, BaseExceptionGroup) as exc:  # every failure is reported
            status = getattr(response, "status_code", "?")
            body = "" if isinstance(case.body, NotSet) else case.body
            found.append(
                f"{case.method} {case.formatted_path} query={case.query} body={body!r:.200} "
                f"→ {status}: {str(exc)[:600]}"
            )

    return run


def _fuzz(identity: Identity, extra_checks: list[Any]) -> list[str]:
    from baozhang.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    pools = _pools()
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        *extra_checks,
    ]
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        names = [p.name for p in operation.path_parameters]
        known = {n: pools[n] for n in names if pools.get(n)}
        found: list[str] = []
        run = _runner(identity, checks, found)

        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        if known:

            @st.composite
            def aimed(draw: Any, operation: Any = operation, known: Any = known) -> Any:
                chosen = {n: draw(st.sampled_from(v)) for n, v in known.items()}
                return draw(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=chosen))

            strategies.append(aimed())
        for strategy in strategies:
            test = seed(SEED)(
                settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )(given(case=strategy)(run))
            )
            try:
                test()
            except (Exception, BaseExceptionGroup) as exc:  # reported too
                found.append(f"{operation.label}: could not generate cases: {exc!r:.300}")
        failures.extend(found)
    return failures


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["administrator", "customer contact"])
def test_the_api_survives_schemathesis(role: str, settings: Any) -> None:
    # Given the demo data, and the API called in this process as one person
    settings.ALLOWED_HOSTS = ["*"]
    people = _world()
    person = people["admin"] if role == "administrator" else people["contact"]
    identity = Identity(person)
    extra = [] if role == "administrator" else [_isolation_check(person.organisation_id)]

    # when every operation gets generated cases
    failures = _fuzz(identity, extra)

    # then no answer was a server error, broke the document, or leaked another's data
    print(f"\n{role}: {identity.calls} requests, seed {SEED}, {EXAMPLES} examples a strategy")
    assert failures == [], "\n\n".join(failures)
