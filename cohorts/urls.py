from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("cohorts/", views.cohort_list, name="list"),
    path("cohorts/<slug:slug>/", views.cohort_detail, name="detail"),
    path("cohorts/<slug:slug>/apply/", views.cohort_apply, name="apply"),
    path("cohorts/<slug:slug>/join/", views.cohort_join, name="join"),
    path("cohorts/<slug:slug>/withdraw/", views.cohort_withdraw, name="withdraw"),
    path("dashboard/trainer/cohorts/new/", views.trainer_cohort_new, name="trainer_cohort_new"),
    path("dashboard/trainer/cohorts/<slug:slug>/", views.trainer_cohort, name="trainer_cohort"),
    path(
        "dashboard/trainer/cohorts/<slug:slug>/edit/",
        views.trainer_cohort_edit,
        name="trainer_cohort_edit",
    ),
    path(
        "dashboard/trainer/cohorts/<slug:slug>/questions/",
        views.trainer_questions,
        name="trainer_questions",
    ),
    path(
        "dashboard/trainer/cohorts/<slug:slug>/codes/",
        views.trainer_codes,
        name="trainer_codes",
    ),
]
