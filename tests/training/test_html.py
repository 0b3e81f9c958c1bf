"""training.html: values written as `{{ value }}` writes them; literals' translations as
`{% translate %}` and `{% blocktranslate %}` give them."""

from datetime import UTC, datetime

from django.template import Context, Engine, Template
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy

from training.html import btr, esc, html


def _template(source: str, **context) -> str:
    return Template("{% load i18n %}" + source).render(Context(context))


def test_values_as_the_template_writes_them():
    moment = datetime(2027, 3, 14, 16, 5, tzinfo=UTC)
    values = ["<a href='x'>&", 1234567, 3.5, None, moment, gettext_lazy("Completed"), True]
    for language in ("en", "es", "fr"):
        with translation.override(language), timezone.override("America/Santiago"):
            for value in values:
                assert esc(value) == _template("{{ v }}", v=value), (language, value)


def test_translate_and_blocktranslate_as_their_tags():
    with translation.override("es"):
        assert gettext("Completed") == _template('{% translate "Completed" %}')
        message = "%(done)s of %(total)s required modules completed."
        assert btr(message, done="<1>", total=12345) == _template(
            "{% blocktranslate with done=d total=t trimmed %}{{ done }} of {{ total }} required "
            "modules completed.{% endblocktranslate %}",
            d="<1>",
            t=12345,
        )


def test_a_translation_that_does_not_fit_its_values_gives_the_english_text(monkeypatch):
    monkeypatch.setattr("training.html.gettext", lambda message: "%(lost)s perdido")
    assert btr("%(done)s of %(total)s", done="<1>", total=2) == "&lt;1&gt; of 2"


def test_joined_parts_are_safe_html():
    out = html(["<p>", esc("<x>"), "</p>"])
    assert isinstance(out, SafeString) and out == "<p>&lt;x&gt;</p>"


def test_a_section_without_a_python_render_is_its_template_included():
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", {"s.html": "<p>{{ data.x }}</p>"})],
        libraries={"acompana": "training.templatetags.acompana"},
    )
    page = engine.from_string("{% load acompana %}{% dashboard_section s %}{{ data }}")
    section = {"render": None, "template": "s.html", "data": {"x": "<y>"}}
    # Included with `data`, which the page around it does not see afterwards.
    assert page.render(Context({"s": section})) == "<p>&lt;y&gt;</p>"
    rendered = {**section, "render": lambda data: html(["<i>", esc(data["x"]), "</i>"])}
    assert page.render(Context({"s": rendered})) == "<i>&lt;y&gt;</i>"
