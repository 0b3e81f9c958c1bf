from django.conf import settings
from django.conf.urls.static import static
from django.http import HttpResponseRedirect
from django.urls import include, path, reverse
from django.utils.http import urlencode
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import views


def admin_login(request):
    """The Wagtail admin has no login form of its own: allauth's is throttled and has MFA."""
    target = request.GET.get("next") or "/admin/"
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/login/", admin_login, name="wagtailadmin_login_redirect"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/two-factor-required/", views.mfa_required, name="mfa_required"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/trainer/", views.trainer_desk, name="trainer_desk"),
    path("dashboard/coordinator/", views.coordinator_desk, name="coordinator_desk"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it answers every path not matched above.
urlpatterns += [path("", include(wagtail_urls))]
