"""QuickSelect writes the same <select> as Django's Select, without its templates."""

from __future__ import annotations

from html.parser import HTMLParser

from django import forms

from baozhang.ui.widgets import QuickSelect


class _Options(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.select: dict[str, str | None] = {}
        self.options: list[tuple[str | None, str, bool]] = []
        self._current: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "select":
            self.select = dict(attrs)
        elif tag == "option":
            self._current = dict(attrs)
            self.options.append((self._current.get("value"), "", "selected" in self._current))

    def handle_data(self, data: str) -> None:
        if self._current is not None and self.options:
            value, label, selected = self.options[-1]
            self.options[-1] = (value, label + data.strip(), selected)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._current = None


def _read(html: str) -> _Options:
    parser = _Options()
    parser.feed(html)
    return parser


class _Form(forms.Form):
    who = forms.ChoiceField(
        choices=[("", "---------"), ("1", "王芳 <agent>"), ("2", 'Li "Qiang" & co')],
        required=False,
    )


def test_quick_select_writes_the_options_django_writes_escaped_and_selected() -> None:
    for value in ("", "1", "2", "<script>"):
        form = _Form(initial={"who": value})
        django = _read(str(form["who"]))
        form.fields["who"].widget = QuickSelect(choices=form.fields["who"].choices)
        quick_html = str(form["who"])
        quick = _read(quick_html)
        assert quick.options == django.options
        assert quick.select == django.select
        assert "<agent>" not in quick_html and "&lt;agent&gt;" in quick_html


def test_quick_select_leaves_option_groups_to_django() -> None:
    choices = [("People", [("1", "One"), ("2", "Two")])]
    widget = QuickSelect(choices=choices)
    assert widget.render("x", "2") == forms.Select(choices=choices).render("x", "2")
