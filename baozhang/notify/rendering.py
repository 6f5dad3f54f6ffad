"""Message templates: notify/messages/<key>.<lang>.txt, first line the subject, the rest
the body, rendered with Django's template engine (autoescape off: these are plain text)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.template import Context, Engine, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

from baozhang.accounts.models import Language

FALLBACK_LANGUAGE = Language.ZH_HANS


def render(template_key: str, language: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) of message `template_key` in `language`.

    Falls back to Chinese when the language has no template of that key; raises
    TemplateDoesNotExist when neither exists.
    """
    names = [f"notify/messages/{template_key}.{language}.txt"]
    if language != FALLBACK_LANGUAGE:
        names.append(f"notify/messages/{template_key}.{FALLBACK_LANGUAGE}.txt")
    for name in names:
        try:
            source = get_template(name).template.source
        except TemplateDoesNotExist:
            continue
        template = Engine.get_default().from_string(source)
        # A context value said in the reader's language (events.text.Said, e.g. a
        # delivery error) reads in the message's.
        with translation.override(language):
            text = template.render(Context(dict(context), autoescape=False))
        subject, _, body = text.strip("\n").partition("\n")
        return subject.strip()[:300], body.strip("\n") + "\n"
    raise TemplateDoesNotExist(", ".join(names))
