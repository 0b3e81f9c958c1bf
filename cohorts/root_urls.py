"""The cohorts addresses named without the app's namespace (`{% url 'trainer_desk' %}`), included
by the project's URLconf (training/urls.py) beside cohorts.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/trainer/", views.trainer_desk, name="trainer_desk"),
]
