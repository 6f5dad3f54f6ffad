"""Downloading attachments: staff, the customer (public messages only), nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from baozhang.desk import services
from baozhang.desk.models import Attachment

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_media"),
]


@pytest.fixture
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def files(personas: Any, ticket_factory: Any) -> Any:
    ticket = ticket_factory()
    public = services.attach(
        personas.contact_a,
        ticket,
        SimpleUploadedFile("日志 log.txt", b"public bytes", content_type="text/plain"),
    ).attachments.get()
    note = services.reply(personas.agent, ticket, "内部：客户的配置有误", internal=True)
    internal = Attachment(message=note, filename="internal.txt", content_type="text/plain", size=3)
    internal.file.save("internal.txt", SimpleUploadedFile("internal.txt", b"sec"), save=False)
    internal.save()

    class Files:
        pass

    made = Files()
    made.ticket, made.public, made.internal = ticket, public, internal
    return made


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_staff_download_any_attachment(personas: Any, login: Any, files: Any) -> None:
    client = login(personas.agent)
    response = client.get(f"/desk/attachments/{files.public.pk}/")
    assert response.status_code == 200
    assert _body(response) == b"public bytes"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "log.txt" in response["Content-Disposition"]
    internal = client.get(f"/desk/attachments/{files.internal.pk}/")
    assert (internal.status_code, _body(internal)) == (200, b"sec")


def test_the_customer_downloads_a_public_attachment(personas: Any, login: Any, files: Any) -> None:
    response = login(personas.contact_a).get(f"/desk/attachments/{files.public.pk}/")
    assert response.status_code == 200
    assert _body(response) == b"public bytes"


def test_an_internal_notes_attachment_is_404_for_the_customer(
    personas: Any, login: Any, files: Any
) -> None:
    response = login(personas.contact_a).get(f"/desk/attachments/{files.internal.pk}/")
    assert response.status_code == 404


def test_another_customers_contact_gets_404(personas: Any, login: Any, files: Any) -> None:
    client = login(personas.contact_b)
    assert client.get(f"/desk/attachments/{files.public.pk}/").status_code == 404
    assert client.get(f"/desk/attachments/{files.internal.pk}/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client: Any, files: Any) -> None:
    response = client.get(f"/desk/attachments/{files.public.pk}/")
    assert response.status_code == 302


def _api(files: Any, attachment: Attachment, ticket_id: int | None = None) -> str:
    return f"/api/v1/tickets/{ticket_id or files.ticket.pk}/attachments/{attachment.pk}"


def test_api_download_with_the_same_checks(
    personas: Any, api_client: Any, ticket_factory: Any, files: Any
) -> None:
    staff = api_client(personas.agent)
    response = staff.get(_api(files, files.internal))
    assert (response.status_code, _body(response)) == (200, b"sec")
    assert response["Content-Disposition"].startswith("attachment;")

    customer = api_client(personas.contact_a)
    assert _body(customer.get(_api(files, files.public))) == b"public bytes"
    hidden = customer.get(_api(files, files.internal))
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"

    assert api_client(personas.contact_b).get(_api(files, files.public)).status_code == 404
    # The attachment must be of the ticket in the path.
    other = ticket_factory(subject="another ticket")
    assert staff.get(_api(files, files.public, ticket_id=other.pk)).status_code == 404


def test_api_needs_authentication(client: Any, files: Any) -> None:
    assert client.get(_api(files, files.public)).status_code == 401
