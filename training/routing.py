"""Serving Wagtail pages in few queries: the site, the reader's language copy and the way down
the tree come from caches in the process; the page served is one query.

Wagtail's own serving costs a query for the site, one for the active locale, one for the site
root's copy in that locale and one for its specific page, then two per level of the tree, then
two for view restrictions (the ancestors' aliases, then the restrictions over them). Here:

- **What the caches hold** is the same for every reader: the sites, the locales' codes
  (training.i18n), the site root's copy per locale, for each address the pages on the way to it
  (their `wagtailcore_page` rows) and the tree paths that carry a view restriction.
- **They stay right across processes** through one *generation* token in the Django cache
  (Redis in production): anything that can change them (a page saved, published, unpublished,
  moved or deleted, a view restriction, a site or a locale changed) replaces the token, at once
  and again when the transaction commits; a process whose token differs from the cache's at the
  first use of them in a request forgets its caches. At most one cache read per request (none
  for a request that uses none of them, such as an xAPI statement), no query.
- **The way down** is walked in Python from the cached rows, calling the same hooks as
  `ChildRoutingMixin.route` (training.models): a page class can refuse a child (a course that is
  not published) or keep what it needs (the module page's course). Intermediate pages are built
  from the cached rows (as `specific_deferred` would be); the page served is fetched with its own
  queryset (`routed_queryset`). A page class with its own `route()` is routed by it, as Wagtail
  would.
- **View restrictions**: a page none of whose ancestors (after aliases) carries a restriction
  has none, without a query (`ChildRoutingMixin.get_view_restrictions`); others are checked as
  Wagtail does.
"""

import threading
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.http.request import split_domain_port
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import generations
from .locales import forget_locales, locale_id_for
from .models import ChildRoutingMixin
from .prepared import Prepared

GENERATION_KEY = "acompana:routing:generation"
# The token also expires, so that a change made behind the application's back (SQL in a shell, a
# restored database) is seen within the hour, as Wagtail's own cache of site root paths is.
GENERATION_TIMEOUT = 3600
# Addresses remembered per generation, at most (real pages only: unknown addresses are not kept).
MAX_ROUTES = 20_000

# Every column of wagtailcore_page, in this order, in the cached rows.
PAGE_FIELDS = tuple(field.attname for field in Page._meta.concrete_fields)
_PAGE_INDEX = {name: index for index, name in enumerate(PAGE_FIELDS)}
SITE_FIELDS = ("id", "hostname", "port", "site_name", "root_page_id", "is_default_site")


class _State:
    """This process's caches, valid for one generation."""

    def __init__(self, generation=None):
        self.generation = generation
        self.sites: list[tuple] | None = None  # (site values, root page row)
        self.roots: dict[tuple[int, int], tuple | None] = {}  # (root id, locale id) -> row
        self.routes: dict[tuple, tuple] = {}  # (root id, slugs) -> rows on the way
        self.restricted_paths: frozenset[str] | None = None
        self.site_root_paths: list | None = None  # Site.get_site_root_paths(), for page URLs


_state = _State()
_local = threading.local()


# --- The generation -----------------------------------------------------------------------------
def _current_generation() -> str:
    if getattr(_local, "in_request", False) and generations.PREFETCH:
        # The other caches' generations in the same round trip (training.generations).
        values = cache.get_many([GENERATION_KEY, *sorted(generations.PREFETCH)])
        generations.keep(values)
        token = values.get(GENERATION_KEY)
    else:
        token = cache.get(GENERATION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, token, timeout=GENERATION_TIMEOUT):
            token = cache.get(GENERATION_KEY) or token
    return token


def validate() -> _State:
    """Forget this process's caches if anything they hold changed since they were filled."""
    global _state
    token = _current_generation()
    if token != _state.generation:
        forget_locales()
        _state = _State(token)
    return _state


def _state_for_use() -> _State:
    """The caches, checked once per request (at their first use in it: a request that routes no
    page, such as an xAPI statement, asks Redis nothing), and at each use outside requests (a
    task, a shell: nothing else would check them)."""
    if getattr(_local, "in_request", False):
        validated_in_request()
        return _state
    return validate()


def validated_in_request() -> None:
    """In a request, check the generation once, before the first use of a cache it governs
    (here, and the locales' codes: training.locales). Outside requests, nothing."""
    if getattr(_local, "in_request", False) and not getattr(_local, "validated", False):
        validate()
        _local.validated = True


def _request_started(**kwargs):
    _local.in_request = True
    _local.validated = False
    generations.keep({})


def _request_finished(**kwargs):
    _local.in_request = False
    generations.keep({})


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=GENERATION_TIMEOUT)


def changed(**kwargs) -> None:
    """Something the caches hold changed: every process forgets them at its next request. At
    once (this process, the rest of this transaction) and again after the commit, so that no
    process fills its caches again from the data before the commit under the new token."""
    global _state
    _new_generation()
    _state = _State()
    transaction.on_commit(_new_generation)


def _page_changed(sender, instance=None, **kwargs):
    if isinstance(instance, Page):
        changed()


def connect() -> None:
    request_started.connect(_request_started, dispatch_uid="training-routing-request-started")
    request_finished.connect(_request_finished, dispatch_uid="training-routing-request-finished")
    # Pages of every type (their signals are sent with the specific class).
    for signal in (models.signals.post_save, models.signals.post_delete):
        signal.connect(_page_changed, dispatch_uid=f"training-routing-pages-{id(signal)}")
        for model in (Site, Locale, PageViewRestriction):
            signal.connect(
                changed,
                sender=model,
                dispatch_uid=f"training-routing-{model.__name__}-{id(signal)}",
            )
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(changed, dispatch_uid=f"training-routing-{id(signal)}")


# --- Sites --------------------------------------------------------------------------------------
def _sites(state: _State) -> list[tuple]:
    if state.sites is None:
        rows = Site.objects.order_by("pk").values_list(
            *SITE_FIELDS, *(f"root_page__{name}" for name in PAGE_FIELDS)
        )
        state.sites = [(row[: len(SITE_FIELDS)], row[len(SITE_FIELDS) :]) for row in rows]
    return state.sites


def _site_rank(values, hostname, port) -> int:
    # As wagtail.models.sites.get_site_for_hostname orders them.
    site = dict(zip(SITE_FIELDS, values, strict=True))
    # Wagtail's port is an int, request.get_port() a str.
    if site["hostname"] == hostname and str(site["port"]) == str(port):
        return 0
    if site["hostname"] == hostname and site["is_default_site"]:
        return 1
    if site["is_default_site"]:
        return 2
    return 3


def find_site(request) -> Site | None:
    """Site.find_for_request without a query (the same choice), remembered on the request as
    Wagtail does."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    candidates = [
        (_site_rank(values, hostname, port), values, root)
        for values, root in _sites(_state_for_use())
        if values[1] == hostname or values[5]
    ]
    candidates.sort(key=lambda candidate: candidate[0])
    chosen = None
    if candidates:
        if len(candidates) == 1 or candidates[0][0] in (0, 1):
            chosen = candidates[0]
        elif candidates[0][0] == 2:
            chosen = candidates[len(candidates) == 2]
    site = None
    if chosen is not None:
        _rank, values, root = chosen
        site = Site.from_db("default", SITE_FIELDS, values)
        site.root_page = _page(Page, root)
    request._wagtail_site = site
    return site


# --- Pages from cached rows ---------------------------------------------------------------------
def _value(row, name):
    return row[_PAGE_INDEX[name]]


def _page(model, row) -> Page:
    """An instance of `model` from a cached wagtailcore_page row: its own fields deferred (as
    `specific_deferred` gives)."""
    if model is Page:
        return Page.from_db("default", PAGE_FIELDS, row)
    names = list(PAGE_FIELDS)
    values = list(row)
    ptr = model._meta.pk
    if ptr.attname != "id":
        names.append(ptr.attname)
        values.append(_value(row, "id"))
    return model.from_db("default", names, values)


def _model(row):
    content_type = ContentType.objects.get_for_id(_value(row, "content_type_id"))
    return content_type.model_class()


def _active_locale_id() -> int | None:
    try:
        language = get_supported_content_language_variant(translation.get_language())
    except LookupError:
        return None
    return locale_id_for(language)


def _localized_root(state: _State, root: tuple) -> tuple:
    """The site root's copy in the active language when it is published (Page.localized)."""
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return root
    locale_id = _active_locale_id()
    if locale_id is None or locale_id == _value(root, "locale_id"):
        return root
    key = (_value(root, "id"), locale_id)
    if key not in state.roots:
        state.roots[key] = (
            Page.objects.filter(
                translation_key=_value(root, "translation_key"), locale_id=locale_id
            )
            .values_list(*PAGE_FIELDS)
            .first()
        )
    localized = state.roots[key]
    return localized if localized is not None and _value(localized, "live") else root


def _way_down(state: _State, root: tuple, slugs: tuple) -> tuple:
    """The rows of the pages at each slug below `root`, as far as there are pages: fewer rows
    than slugs where the address is no page."""
    key = (_value(root, "id"), slugs)
    rows = state.routes.get(key)
    if rows is not None:
        return rows
    depth, path = _value(root, "depth"), _value(root, "path")
    condition = Q()
    for level, slug in enumerate(slugs, start=1):
        condition |= Q(depth=depth + level, slug=slug)
    candidates = list(
        Page.objects.filter(condition, path__startswith=path)
        .order_by("path")
        .values_list(*PAGE_FIELDS)
    )
    rows, parent_path = [], path
    for level, slug in enumerate(slugs, start=1):
        row = next(
            (
                row
                for row in candidates
                if _value(row, "depth") == depth + level
                and _value(row, "slug") == slug
                and _value(row, "path").startswith(parent_path)
            ),
            None,
        )
        if row is None:
            # Unknown addresses are not remembered (there is no end to them).
            return tuple(rows)
        rows.append(row)
        parent_path = _value(row, "path")
    rows = tuple(rows)
    if len(state.routes) >= MAX_ROUTES:
        state.routes.clear()
    state.routes[key] = rows
    return rows


def _routes_fast(model) -> bool:
    """Whether pages of `model` route to their children as ChildRoutingMixin does, through its
    hooks only (training.models)."""
    return (
        issubclass(model, ChildRoutingMixin)
        and model.fast_routing
        and model.route is ChildRoutingMixin.route
    )


# The served page's query, by model, compiled once per process (training.prepared): building
# and compiling a page model's queryset (its parent tables joined) cost more Python time than the
# database spends answering it (issue 18).
_SERVED: dict[type, Prepared] = {}


def _served(model, request, fast: bool, pk: int) -> Page:
    """The page of `model` with this id, as `routed_queryset(request).get(pk=pk)` gives it (or
    `model.objects.get(pk=pk)` when the model routes on its own)."""
    if fast and not _plain_routed_queryset(model):
        # A model with its own queryset for the page served: built each time, as it says.
        return model.routed_queryset(request).get(pk=pk)
    prepared = _SERVED.get(model)
    if prepared is None:
        prepared = _SERVED[model] = Prepared(
            lambda *, pk, model=model: model.objects.filter(pk=pk).order_by()
        )
    keep = model.served_rows_cache() if fast else None
    rows = None if keep is None else keep(pk, lambda: prepared.raw(pk=pk))
    pages = prepared.run(pk=pk) if rows is None else prepared.from_raw(rows, pk=pk)
    if not pages:
        raise model.DoesNotExist
    return pages[0]


def _plain_routed_queryset(model) -> bool:
    return getattr(model.routed_queryset, "__func__", None) is (
        ChildRoutingMixin.routed_queryset.__func__
    )


def route(request, path: str):
    """(page, args, kwargs) for `path` on the request's site, or None (a 404): what
    Page.route_for_request gives."""
    site = find_site(request)
    if site is None:
        return None
    state = _state_for_use()
    root_row = next(root for values, root in _sites(state) if values[0] == site.pk)
    root_row = _localized_root(state, root_row)
    slugs = tuple(component for component in path.split("/") if component)
    rows = _way_down(state, root_row, slugs) if slugs else ()
    try:
        parent, remaining = None, slugs
        for level, row in enumerate((root_row, *rows)):
            model = _model(row)
            remaining = slugs[level:]
            fast = _routes_fast(model)
            if remaining and fast:
                # On the way: its tree position is all routing needs.
                page = _page(model, row)
            elif remaining:
                # Its own route() takes the rest of the address.
                page = model.objects.get(pk=_value(row, "id"))
            else:
                if not _value(row, "live"):
                    raise Http404
                page = _served(model, request, fast, _value(row, "id"))
            # Its URL, asked without the request, from the site root paths kept here too.
            page._wagtail_cached_site_root_paths = _site_root_paths(state)
            if parent is not None:
                page._cached_parent_obj = parent
                parent.routed_to_child(request, page, remaining)
            if remaining and not fast:
                return page.route(request, list(remaining))
            parent = page
        if len(rows) < len(slugs):
            raise Http404
        return parent.route(request, [])
    except (Http404, Page.DoesNotExist):
        return None


def serve(request, path):
    """Wagtail's serve view, routed here (the route is what Page.route_for_request returns for
    the rest of the request)."""
    if not hasattr(request, "_wagtail_route_for_request"):
        request._wagtail_route_for_request = route(request, path)
    if not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = _site_root_paths(_state_for_use())
    return wagtail_views.serve(request, path)


def site_root_paths() -> list:
    """Site.get_site_root_paths(), kept with this process's routing caches (checked once a
    request): what page URLs are made from (ChildRoutingMixin._get_site_root_paths)."""
    return _site_root_paths(_state_for_use())


def _site_root_paths(state: _State) -> list:
    """Site.get_site_root_paths(), which Wagtail reads from the cache for the first page URL of
    every request (and of every page asked for its URL without the request): they change only
    with sites, locales and pages, as this process's caches do, so they are kept with them."""
    if state.site_root_paths is None:
        state.site_root_paths = Site.get_site_root_paths()
    return state.site_root_paths


# --- View restrictions --------------------------------------------------------------------------
def _restricted_paths(state: _State) -> frozenset[str]:
    """Tree paths of the pages whose view restrictions apply to them and below them: the
    restricted pages that are not aliases, and the aliases of restricted pages (Wagtail checks an
    alias's original's restrictions, never its own)."""
    if state.restricted_paths is None:
        restricted = set(PageViewRestriction.objects.values_list("page_id", flat=True))
        paths = set()
        if restricted:
            paths.update(
                Page.objects.filter(id__in=restricted, alias_of__isnull=True).values_list(
                    "path", flat=True
                )
            )
            frontier = restricted
            # Aliases of aliases (Wagtail resolves them in turn), however deep.
            while frontier:
                aliases = list(
                    Page.objects.filter(alias_of_id__in=frontier).values_list("id", "path")
                )
                frontier = {pk for pk, _path in aliases} - restricted
                restricted |= frontier
                paths.update(path for _pk, path in aliases)
        state.restricted_paths = frozenset(paths)
    return state.restricted_paths


def may_be_restricted(page: Page) -> bool:
    """Whether a view restriction may apply to `page` (it or one of its ancestors, after aliases);
    False is certain."""
    paths = _restricted_paths(_state_for_use())
    if not paths:
        return False
    path, step = page.path, page.steplen
    return any(path[:end] in paths for end in range(step, len(path) + 1, step))
