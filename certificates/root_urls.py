"""The certificates addresses named without the app's namespace (`{% url 'verify' %}`,
`{% url 'coordinator_desk' %}`), included by the project's URLconf (training/urls.py) beside
certificates.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("verify/<str:code>/", views.verify, name="verify"),
    path("dashboard/coordinator/", views.coordinator_desk, name="coordinator_desk"),
]
