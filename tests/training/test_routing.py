"""Page serving's caches (training.routing): every change the next request must see."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from training import routing
from training.demo import ensure_site
from training.models import StandardPage


@pytest.fixture
def home(db):
    return ensure_site()


def _page(parent, slug, title=None):
    page = parent.add_child(instance=StandardPage(title=title or slug.title(), slug=slug))
    page.save_revision().publish()
    return StandardPage.objects.get(pk=page.pk)


def _status(client, url):
    return client.get(url).status_code


def test_a_warm_plain_page_costs_one_query_and_none_for_restrictions(client, home):
    about = _page(home, "about")
    _page(about, "team")
    assert _status(client, "/about/team/") == 200
    with CaptureQueriesContext(connection) as queries:
        assert _status(client, "/about/team/") == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert len(sql) == 1, sql  # the page itself: no site, locale, ancestors or restrictions
    assert not [query for query in sql if "pageviewrestriction" in query]


def test_a_page_published_is_served_at_once(client, home):
    assert _status(client, "/news/") == 404
    page = home.add_child(instance=StandardPage(title="News", slug="news", live=False))
    assert _status(client, "/news/") == 404
    page.save_revision().publish()
    assert _status(client, "/news/") == 200


def test_a_page_unpublished_is_gone_at_once(client, home):
    page = _page(home, "news")
    assert _status(client, "/news/") == 200
    page.unpublish()
    assert _status(client, "/news/") == 404


def test_a_page_under_an_unpublished_one_is_still_served_as_wagtail_does(client, home):
    about = _page(home, "about")
    _page(about, "team")
    about.unpublish()
    assert _status(client, "/about/") == 404
    assert _status(client, "/about/team/") == 200


def test_a_renamed_page_moves_with_its_children(client, home):
    about = _page(home, "about")
    _page(about, "team")
    assert _status(client, "/about/team/") == 200
    about.slug = "who-we-are"
    about.save_revision().publish()
    assert _status(client, "/about/team/") == 404
    assert _status(client, "/who-we-are/team/") == 200


def test_a_moved_page_is_served_at_its_new_address(client, home):
    about = _page(home, "about")
    contact = _page(home, "contact")
    team = _page(about, "team")
    assert _status(client, "/about/team/") == 200
    team.move(contact, pos="last-child")
    # The old address redirects to the new one (wagtail.contrib.redirects, created on moving).
    response = client.get("/about/team/")
    assert response.status_code == 301 and response["Location"].endswith("/contact/team/")
    assert _status(client, "/contact/team/") == 200


def test_a_deleted_page_is_gone_at_once(client, home):
    about = _page(home, "about")
    _page(about, "team")
    assert _status(client, "/about/team/") == 200
    Page.objects.get(pk=about.pk).delete()
    assert _status(client, "/about/team/") == 404
    assert _status(client, "/about/") == 404


def test_a_view_restriction_applies_at_once_and_below_the_page(client, home, volunteer):
    about = _page(home, "about")
    _page(about, "team")
    assert _status(client, "/about/team/") == 200
    restriction = PageViewRestriction.objects.create(
        page=about, restriction_type=PageViewRestriction.LOGIN
    )
    assert _status(client, "/about/team/") == 302  # to the sign-in page
    client.force_login(volunteer)
    assert _status(client, "/about/team/") == 200
    client.logout()
    restriction.delete()
    assert _status(client, "/about/team/") == 200


def test_a_group_restriction_changed_applies_at_once(client, home, volunteer):
    about = _page(home, "about")
    client.force_login(volunteer)
    restriction = PageViewRestriction.objects.create(
        page=about, restriction_type=PageViewRestriction.GROUPS
    )
    staff = Group.objects.create(name="Routing staff")
    restriction.groups.add(staff)
    assert _status(client, "/about/") == 302
    volunteer.groups.add(staff)
    assert _status(client, "/about/") == 200
    restriction.restriction_type = PageViewRestriction.PASSWORD
    restriction.password = "secret"
    restriction.save()
    response = client.get("/about/")
    assert response.status_code == 200 and b"password" in response.content.lower()


def test_an_alias_has_its_originals_restrictions(client, home):
    about = _page(home, "about")
    contact = _page(home, "contact")
    team = _page(about, "team")
    team.create_alias(parent=contact, update_slug="team")
    assert _status(client, "/contact/team/") == 200
    PageViewRestriction.objects.create(page=team, restriction_type=PageViewRestriction.LOGIN)
    assert _status(client, "/contact/team/") == 302
    assert routing.may_be_restricted(Page.objects.get(url_path="/home/contact/team/"))


def test_a_site_changed_is_served_at_once(client, home):
    _page(home, "about")
    other_home = _page(Page.get_first_root_node(), "other-home")
    _page(other_home, "elsewhere")
    assert _status(client, "/about/") == 200
    assert _status(client, "/elsewhere/") == 404
    site = Site.objects.get(is_default_site=True)
    site.root_page = other_home
    site.save()
    assert _status(client, "/about/") == 404
    assert _status(client, "/elsewhere/") == 200


def test_a_host_with_its_own_site_gets_it(client, home):
    _page(home, "about")
    other_home = _page(Page.get_first_root_node(), "other-home")
    _page(other_home, "elsewhere")
    assert client.get("/elsewhere/", HTTP_HOST="127.0.0.1").status_code == 404
    Site.objects.create(hostname="127.0.0.1", port=80, root_page=other_home)
    assert client.get("/elsewhere/", HTTP_HOST="127.0.0.1").status_code == 200
    assert client.get("/about/", HTTP_HOST="127.0.0.1").status_code == 404
    assert client.get("/about/").status_code == 200


def test_another_process_change_is_seen_through_the_generation(client, home):
    """A change in another process replaces the token in the shared cache: this process forgets
    its caches at its next request (here the change bypasses signals, as another process's
    would for this one)."""
    page = _page(home, "news")
    assert _status(client, "/news/") == 200
    Page.objects.filter(pk=page.pk).update(slug="renamed", url_path="/home/renamed/")
    assert _status(client, "/news/") == 200  # the cached way down, still
    routing._new_generation()  # what routing.changed() does in the other process
    assert _status(client, "/news/") == 404
    assert _status(client, "/renamed/") == 200


def test_two_sites_on_one_hostname_are_told_apart_by_port_as_wagtail_does(home):
    Site.objects.update(is_default_site=False)
    sites = {
        port: Site.objects.create(hostname="two.test", port=port, root_page=home)
        for port in (8000, 8001)
    }
    for port, site in sites.items():
        request = RequestFactory().get("/", HTTP_HOST=f"two.test:{port}", SERVER_PORT=str(port))
        wagtail_request = RequestFactory().get(
            "/", HTTP_HOST=f"two.test:{port}", SERVER_PORT=str(port)
        )
        assert Site.find_for_request(wagtail_request) == site
        assert routing.find_site(request) == site


def test_the_page_served_is_read_fresh_each_time_from_its_compiled_query(client, home):
    """The served page's query is compiled once per model (training.prepared), its values read
    anew on every request: a title published a moment ago shows, and the SQL is built once."""
    about = _page(home, "about", title="About us")
    assert b"About us" in client.get("/about/").content
    about.title = "Who we are"
    about.save_revision().publish()
    assert b"Who we are" in client.get("/about/").content
    assert StandardPage in routing._SERVED
    compiled = routing._SERVED[StandardPage]._compiled
    assert compiled and all(value is not None for value in compiled.values())


def test_a_model_with_its_own_routed_queryset_is_served_from_it(client, home, monkeypatch):
    _page(home, "about")
    assert _status(client, "/about/") == 200
    # A model that narrows the page served (say, to what the reader may see) keeps that power.
    monkeypatch.setattr(
        StandardPage, "routed_queryset", classmethod(lambda cls, request: cls.objects.none())
    )
    assert _status(client, "/about/") == 404
