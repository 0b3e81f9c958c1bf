from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("care/", views.care_home, name="home"),
    path("care/check-in/", views.check_in, name="check_in"),
    path("care/check-ins/<int:pk>/delete/", views.check_in_delete, name="check_in_delete"),
    path("care/check-ins/delete/", views.check_ins_delete_all, name="check_ins_delete_all"),
    path("care/debrief/", views.debrief, name="debrief"),
    path("care/plan/", views.plan, name="plan"),
    path("care/plan/delete/", views.plan_delete, name="plan_delete"),
    path("care/resources/", views.resources, name="resources"),
    path("dashboard/trainer/cohorts/<slug:slug>/care/", views.trainer_care, name="trainer_care"),
    path("dashboard/trainer/cohorts/<slug:slug>/care/requests/<int:pk>/handled/",
         views.trainer_debrief_handled, name="trainer_debrief_handled"),
]  # fmt: skip
