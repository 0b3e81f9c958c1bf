from django.conf import settings
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import include, path, re_path, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.static import serve as static_serve
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from certificates import views as certificate_views

from . import views


def to_allauth_login(request):
    """Wagtail's own login forms (admin and front end) are replaced by allauth's, which is
    throttled, checks email verification and asks for the second factor. A POST signs nobody in.
    """
    target = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/login/", to_allauth_login, name="wagtailadmin_login_redirect"),
    path("_util/login/", to_allauth_login, name="wagtailcore_login_redirect"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/two-factor-required/", views.mfa_required, name="mfa_required"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/2fa/totp/activate/", views.activate_totp),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("learn/", include("courses.urls")),
    path("", include("cohorts.urls")),
    path("", include("certificates.urls")),
    path("verify/<str:code>/", certificate_views.verify, name="verify"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/trainer/", views.trainer_desk, name="trainer_desk"),
    path("dashboard/coordinator/", views.coordinator_desk, name="coordinator_desk"),
]

if settings.DEBUG or settings.ACOMPANA_SERVE_MEDIA:
    urlpatterns += [
        re_path(
            r"^media/(?P<path>.*)$",
            never_cache(static_serve) if settings.DEBUG else static_serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# Wagtail's page serving comes last: it answers every path not matched above. Serving a page
# reads; the few writes it makes (a learner's visit) are single statements, so it runs without
# a transaction (ATOMIC_REQUESTS would add BEGIN and COMMIT to every page view).
urlpatterns += [
    re_path(
        wagtail_urls.serve_pattern,
        transaction.non_atomic_requests(wagtail_views.serve),
        name="wagtail_serve",
    ),
    path("", include(wagtail_urls)),
]
