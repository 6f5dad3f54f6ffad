"""API tokens on the command line: createtoken says the prefix, revoketoken takes any
unambiguous start of it (and refuses an ambiguous one, listing the matches), listtokens
lists them without ever the secret."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from baozhang.accounts.models import ApiToken
from baozhang.accounts.services import create_token


def _token(user, prefix: str) -> tuple[ApiToken, str]:
    token, secret = create_token(None, user, name="deploy")
    ApiToken.objects.filter(pk=token.pk).update(prefix=prefix)
    token.refresh_from_db()
    return token, secret


def test_createtoken_says_the_prefix_apart_from_the_token(personas):
    # Given a person, when a token is made for them
    out, err = io.StringIO(), io.StringIO()
    call_command("createtoken", "agent", stdout=out, stderr=err)
    # Then the token alone on standard output, its prefix in both languages on standard error
    token = ApiToken.objects.get(user=personas.agent)
    assert out.getvalue().strip().startswith(token.prefix)
    assert f"令牌前缀 {token.prefix}" in err.getvalue()
    assert f"token prefix {token.prefix}" in err.getvalue()
    assert out.getvalue().strip() not in err.getvalue()


def test_revoketoken_takes_any_unambiguous_start_of_the_prefix(personas):
    # Given two tokens whose prefixes share their first characters
    first, _ = _token(personas.agent, "bz_abcd123")
    second, _ = _token(personas.engineer, "bz_abcx456")
    # When one is named by a shorter start that only it has
    out = io.StringIO()
    call_command("revoketoken", "bz_abcd", stdout=out)
    # Then that one only is revoked, and the line says which
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert "bz_abcd123…" in out.getvalue() and "revoked" in out.getvalue()


@pytest.mark.parametrize("how", ["prefix", "with ellipsis", "secret"])
def test_revoketoken_takes_the_prefix_as_shown_or_the_token_itself(personas, how):
    # Given a token
    token, secret = create_token(None, personas.agent)
    text = {"prefix": token.prefix, "with ellipsis": f"{token.prefix}…", "secret": secret}[how]
    # When it is named as shown in a list, or by the token itself
    call_command("revoketoken", text, stdout=io.StringIO())
    # Then it is revoked
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_ambiguous_prefix_is_refused_listing_the_matches(personas):
    # Given two tokens that start alike
    _first, _ = _token(personas.agent, "bz_abcd123")
    _second, _ = _token(personas.engineer, "bz_abcd456")
    # When the shared start is given, then it is refused, naming both, and nothing revoked
    with pytest.raises(CommandError) as refused:
        call_command("revoketoken", "bz_abcd", stdout=io.StringIO())
    message = str(refused.value)
    assert "names 2 tokens" in message and "对应 2 个令牌" in message
    assert "bz_abcd123…" in message and "bz_abcd456…" in message
    assert "agent" in message and "engineer" in message
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


@pytest.mark.parametrize("text", ["bz_", "bz_ab", "abcd1234"])
def test_too_short_or_foreign_text_names_no_token(personas, text):
    # Given a token, when text too short to name one is given
    _token(personas.agent, "bz_abcd123")
    # Then it is refused in both languages, nothing revoked
    with pytest.raises(CommandError, match="does not name a token") as refused:
        call_command("revoketoken", text, stdout=io.StringIO())
    assert "不能指明令牌" in str(refused.value)
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()


def test_an_unknown_prefix_says_so(personas):
    with pytest.raises(CommandError, match="no active token starts with 'bz_zzzz'"):
        call_command("revoketoken", "bz_zzzz", stdout=io.StringIO())


def test_listtokens_shows_prefix_person_and_times_never_the_secret(personas):
    # Given a token of the agent's, used once, and a revoked one of the engineer's
    _used, used_secret = _token(personas.agent, "bz_abcd123")
    _gone, gone_secret = _token(personas.engineer, "bz_wxyz789")
    call_command("revoketoken", "bz_wxyz", stdout=io.StringIO())
    api = {"HTTP_AUTHORIZATION": f"Bearer {used_secret}"}
    # (the prefix was changed above, but the digest still names the token)
    from django.test import Client

    assert Client().get("/api/v1/me", **api).status_code == 200
    # When the tokens are listed
    out = io.StringIO()
    call_command("listtokens", stdout=out)
    everyone = out.getvalue()
    out_all = io.StringIO()
    call_command("listtokens", "engineer", "--all", stdout=out_all)
    # Then the active token with its person, both languages in the header, and no secret
    assert "前缀 prefix" in everyone and "最近使用 last used" in everyone
    line = next(row for row in everyone.splitlines() if row.startswith("bz_abcd123…"))
    assert "agent" in line and "deploy" in line and "never" not in line
    assert "bz_wxyz789" not in everyone
    assert used_secret not in everyone and gone_secret not in out_all.getvalue()
    # and the revoked one only when asked, for its person
    assert "bz_wxyz789…" in out_all.getvalue() and "revoked" in out_all.getvalue()
    assert "bz_abcd123" not in out_all.getvalue()


def test_listtokens_of_an_unknown_person_fails_clearly(db):
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("listtokens", "ghost", stdout=io.StringIO())
