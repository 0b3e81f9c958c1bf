# ruff: noqa: E501 - the replaced templates are kept here verbatim, long lines and all
"""courses.page_html: the course page's list of modules and its “Read offline” box give the
HTML of the template they replaced (kept here), whitespace around tags aside, for every state of
a row and option of the page, in every language; and well-formed HTML."""

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from django.utils.html import strip_tags

from courses.page_html import module_list, offline_copy
from courses.selectors import ModuleRow
from tests.html_check import assert_balanced

LANGUAGES = ["en", "es", "pt-br", "fr", "id", "ar"]

# The templates' own words, as course_page.html had them before (issue 18).
OLD_LIST = """{% load i18n %}        {% for row in module_rows %}
            <li class="module-row status-{{ row.status }}{% if row.locked %} locked{% endif %}">
                {% if can_open_modules and not row.locked or row.module.pk == preview_module_id %}<a href="{{ row.module.url }}">{{ row.module.title }}</a>{% else %}<span>{{ row.module.title }}</span>{% endif %}
                {% if row.module.pk == preview_module_id %}<span class="tag">{% translate "Free preview" %}</span>{% endif %}
                <span class="muted">· {% blocktranslate count minutes=row.module.estimated_minutes trimmed %}{{ minutes }} minute{% plural %}{{ minutes }} minutes{% endblocktranslate %}{% if not row.module.required %} · {% translate "optional" %}{% endif %}</span>
                {% if enrolled %}
                    <span class="status">
                        {% if row.locked %}{% translate "Locked" %}: {{ row.lock_reason }}
                        {% elif row.status == "completed" %}✓ {% translate "Completed" %}
                        {% elif row.progress.set_aside_at %}{% translate "Set aside — open it when you are ready" %}
                        {% elif row.status == "in_progress" %}{% translate "In progress" %}
                        {% else %}{% translate "Not started" %}{% endif %}
                    </span>
                {% endif %}
                {% if row.module.summary %}<p class="muted">{{ row.module.summary }}</p>{% endif %}
            </li>
        {% empty %}
            <li>{% translate "No modules are published yet." %}</li>
        {% endfor %}
"""
OLD_OFFLINE = """{% load i18n %}    {% if enrolled %}
    {# Reading offline (static/js/offline.js): shown only where the browser can save pages (a service worker); courses.offline says what a copy holds. #}
    <section class="notice offline-copy" aria-labelledby="offline-heading" hidden
             data-offline-course="{% url 'courses:offline' page.pk %}" data-course-id="{{ page.pk }}" data-offline-page="{% url 'offline' %}"
             data-msg-size="{% translate 'Saving this course downloads about %(size)s.' %}"
             data-msg-saving="{% translate 'Saving… %(done)s of %(total)s files.' %}"
             data-msg-saved="{% translate 'Saved on this device: you can read it offline.' %}"
             data-msg-updating="{% translate 'The course has changed since you saved it: updating the saved copy…' %}"
             data-msg-updated="{% translate 'The saved copy is up to date.' %}"
             data-msg-removed="{% translate 'The saved copy was removed from this device.' %}"
             data-msg-failed="{% translate 'Saving stopped (the connection dropped?). What was saved is kept; try again when you are online.' %}"
             data-msg-full="{% translate 'This device has no room left to save the course.' %}"
             data-msg-offline="{% translate 'You are offline. This is what is saved on this device.' %}"
             data-msg-unavailable="{% translate 'We could not check what there is to save. Try again later.' %}"
             data-msg-module-saved="{% translate 'Saved' %}"
             data-msg-module-not-saved="{% translate 'Not saved' %}">
        <h2 id="offline-heading">{% translate "Read offline" %}</h2>
        <p>{% translate "Save this course on this device to read its modules without a connection. Only you can open the saved copy, and signing out removes it." %}</p>
        <p data-offline-size></p>
        <div class="actions">
            <button type="button" data-offline-save>{% translate "Save this course for offline" %}</button>
            <button type="button" class="button secondary" data-offline-remove hidden>{% translate "Remove saved copy" %}</button>
        </div>
        <p role="status" data-offline-status></p>
        <ul class="offline-modules" aria-label="{% translate 'Modules on this device' %}" data-offline-modules></ul>
    </section>
    {% endif %}
"""


def _same(old: str, new: str) -> None:
    """Equal once whitespace next to a tag and runs of whitespace are set aside; the visible
    text equal with whitespace collapsed (what a reader sees)."""

    def tags(html):
        return re.sub(r"\s*(<[^>]+>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()

    def text(html):
        return re.sub(r"\s+", " ", strip_tags(html)).strip()

    assert tags(old) == tags(new), (old, new)
    assert text(old) == text(new)


def _module(pk, *, title="Listening", minutes=30, required=True, summary=""):
    return SimpleNamespace(
        pk=pk,
        title=title,
        url=f"/courses/c/m-{pk}/?a=1&b=2",
        estimated_minutes=minutes,
        required=required,
        summary=summary,
    )


def _rows():
    set_aside = SimpleNamespace(set_aside_at=datetime(2026, 12, 1, tzinfo=UTC))
    return [
        ModuleRow(_module(1, title="<First> & “quoted”", minutes=1), "completed", None, None),
        ModuleRow(
            _module(2, minutes=5, required=False, summary="Why <b>this</b> & that"),
            "in_progress",
            None,
            None,
        ),
        ModuleRow(_module(3, minutes=1500), "not_started", "Opens on <Monday> & later.", None),
        ModuleRow(_module(4, minutes=0), "in_progress", None, set_aside),
        ModuleRow(_module(5, minutes=45), "not_started", None, None),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_the_list_of_modules_is_what_the_template_wrote(language):
    rows = _rows()
    options = [
        {"enrolled": True, "can_open": True, "preview_id": None},
        {"enrolled": False, "can_open": False, "preview_id": 5},
        {"enrolled": False, "can_open": True, "preview_id": 3},  # a locked preview still opens
        {"enrolled": True, "can_open": False, "preview_id": None},
    ]
    with translation.override(language):
        for option in options:
            for shown in (rows, rows[:1], []):
                old = Template(OLD_LIST).render(Context({
                    "module_rows": shown, "enrolled": option["enrolled"],
                    "can_open_modules": option["can_open"],
                    "preview_module_id": option["preview_id"],
                }))  # fmt: skip
                new = module_list(shown, **option)
                _same(old, new)
                assert_balanced(new)


def test_the_list_in_spanish_says_each_state():
    with translation.override("es"):
        out = module_list(_rows(), enrolled=True, can_open=True, preview_id=None)
    assert "Completado" in out and "1 minuto" in out and "45 minutos" in out
    assert "&lt;First&gt; &amp; “quoted”" in out
    assert 'href="/courses/c/m-1/?a=1&amp;b=2"' in out
    assert "Opens on &lt;Monday&gt; &amp; later." in out
    assert 'class="module-row status-not_started locked"' in out
    # A locked module is not a link, even for someone who may open the others.
    assert "<span>Listening</span>" in out and 'href="/courses/c/m-3/' not in out


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_offline_box_is_what_the_template_wrote(language):
    page = SimpleNamespace(pk=42)
    with translation.override(language):
        old = Template(OLD_OFFLINE).render(Context({"enrolled": True, "page": page}))
        new = offline_copy(page)
    _same(old, new)
    assert_balanced(new)
    # The messages with a value keep a single percent sign for static/js/offline.js.
    assert "%(size)s" in new and "%(done)s" in new and "%%" not in new
