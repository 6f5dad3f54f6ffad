"""A customer's people see the incidents that affect their organisation, with public
updates only; the operator's staff see everything."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from baozhang.incidents import services
from baozhang.incidents.selectors import visible_incidents, visible_updates


def test_a_customer_sees_only_incidents_that_affect_it(
    personas, hosting, mail_service, incident_factory
):
    both = incident_factory(service=hosting)
    only_a = incident_factory(service=mail_service)

    assert set(visible_incidents(personas.contact_a)) == {both, only_a}
    assert set(visible_incidents(personas.contact_b)) == {both}
    assert set(visible_incidents(personas.security)) == {both, only_a}
    assert list(visible_incidents(AnonymousUser())) == []


def test_a_customer_sees_public_updates_only(personas, incident_factory):
    incident = incident_factory(message="Site down.")
    services.post_update(personas.agent, incident, message="router 3 again", is_public=False)
    services.post_update(personas.agent, incident, message="Fix under way.", is_public=True)

    seen = [u.message for u in visible_updates(personas.contact_a, incident)]
    staff = [u.message for u in visible_updates(personas.agent, incident)]

    assert seen == ["Site down.", "Fix under way."]
    assert staff == ["Site down.", "router 3 again", "Fix under way."]


def test_a_customer_no_longer_affected_no_longer_sees_it(personas, incident_factory):
    incident = incident_factory()

    services.update_fields(personas.agent, incident, customers=[personas.org_a])

    assert list(visible_incidents(personas.contact_b)) == []
