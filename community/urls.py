from django.urls import path

from . import views

app_name = "community"

SPACE = "cohorts/<slug:slug>/space/"

urlpatterns = [
    path(SPACE, views.space, name="space"),
    path(f"{SPACE}new/", views.thread_new, name="thread_new"),
    path(f"{SPACE}reports/", views.reports, name="reports"),
    path(f"{SPACE}<int:thread_id>/", views.thread, name="thread"),
    path(f"{SPACE}<int:thread_id>/pin/", views.thread_pin, name="thread_pin"),
    path(f"{SPACE}<int:thread_id>/lock/", views.thread_lock, name="thread_lock"),
    path(f"{SPACE}<int:thread_id>/mute/", views.thread_mute, name="thread_mute"),
    path(f"{SPACE}posts/<int:post_id>/hide/", views.post_hide, name="post_hide"),
    path(f"{SPACE}posts/<int:post_id>/unhide/", views.post_unhide, name="post_unhide"),
    path(f"{SPACE}posts/<int:post_id>/report/", views.post_report, name="post_report"),
    path(f"{SPACE}posts/<int:post_id>/resolve/", views.report_resolve, name="report_resolve"),
    path(f"{SPACE}posts/<int:post_id>/mute-author/", views.person_mute, name="person_mute"),
]
