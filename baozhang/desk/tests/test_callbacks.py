"""D4: a resolved ticket gets a callback; the agent records it from the script or the
customer answers the survey; an unsatisfied answer reopens the ticket or opens a complaint."""

from __future__ import annotations

import datetime as dt

from baozhang.desk import callbacks, services
from baozhang.desk.models import CallbackStatus, Status, Ticket, TicketKind
from baozhang.notify.models import Channel, Message

CST = dt.timezone(dt.timedelta(hours=8))
FRIDAY_5PM = dt.datetime(2026, 10, 16, 17, 0, tzinfo=CST)


def _resolved(personas, ticket_factory, at=FRIDAY_5PM):  # type: ignore[no-untyped-def]
    ticket = ticket_factory(now=at - dt.timedelta(hours=1))
    services.change_status(personas.agent, ticket, Status.RESOLVED, now=at)
    return ticket


def test_resolution_schedules_a_callback_in_business_time_and_sends_the_survey(
    personas, ticket_factory
):
    Channel.objects.create(
        organisation=personas.org_a,
        kind="webhook",
        name="A hook",
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )
    ticket = _resolved(personas, ticket_factory)
    callback = ticket.callbacks.get()
    # 8 business hours on cn-5x8 from Friday 17:00: 1 h on Friday, then Monday 09:00–12:00
    # and 13:00–17:00
    assert callback.due_at == dt.datetime(2026, 10, 19, 17, 0, tzinfo=CST)
    survey = Message.objects.get(template_key="callback_survey")
    assert f"/desk/survey/{callback.survey_token}/" in survey.body


def test_an_agent_records_a_satisfied_callback(personas, ticket_factory):
    callback = _resolved(personas, ticket_factory).callbacks.get()
    callbacks.record_call(
        personas.agent, callback, reached=True, outcome="一切正常 all good", satisfaction=5
    )
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DONE
    assert callback.ticket.status == Status.RESOLVED


def test_an_unsatisfied_survey_answer_reopens_the_ticket(personas, ticket_factory, client):
    callback = _resolved(personas, ticket_factory).callbacks.get()
    response = client.post(
        f"/desk/survey/{callback.survey_token}/",
        {"satisfaction": "1", "comment": "还是很慢 still slow"},
    )
    assert response.status_code == 200
    assert 'data-testid="survey-done"' in response.content.decode()
    ticket = Ticket.objects.get(pk=callback.ticket_id)
    assert ticket.status == Status.OPEN
    assert ticket.reopen_count == 1


def test_an_unsatisfied_call_can_open_a_complaint_by_rule(personas, ticket_factory, settings):
    settings.DESK_UNSATISFIED_ACTION = "complaint"
    callback = _resolved(personas, ticket_factory).callbacks.get()
    callbacks.record_call(
        personas.agent, callback, reached=True, outcome="态度差 rude", satisfaction=2
    )
    callback.refresh_from_db()
    assert callback.follow_up is not None
    assert callback.follow_up.kind == TicketKind.COMPLAINT
    assert callback.follow_up.clocks.get(kind="resolution").calendar_key == "cn-5x8"


def test_a_survey_link_answers_once_and_a_bad_link_is_404(personas, ticket_factory, client):
    callback = _resolved(personas, ticket_factory).callbacks.get()
    client.post(f"/desk/survey/{callback.survey_token}/", {"satisfaction": "4"})
    client.post(f"/desk/survey/{callback.survey_token}/", {"satisfaction": "1"})
    callback.refresh_from_db()
    assert callback.satisfaction == 4
    assert client.get("/desk/survey/not-a-token/").status_code == 404
