from django.urls import path

from training import notification_views

from . import announcement_views, invitation_views, progress_views, session_views, views

app_name = "cohorts"

urlpatterns = [
    path("cohorts/", views.cohort_list, name="list"),
    path("cohorts/<slug:slug>/", views.cohort_detail, name="detail"),
    path("cohorts/<slug:slug>/apply/", views.cohort_apply, name="apply"),
    path("cohorts/<slug:slug>/join/", views.cohort_join, name="join"),
    path("cohorts/<slug:slug>/withdraw/", views.cohort_withdraw, name="withdraw"),
    # After the cohort's own addresses: a token always holds a ".", which no action name does.
    path("cohorts/invitations/<str:token>/", invitation_views.invitation, name="invitation"),
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
    path(
        "dashboard/trainer/cohorts/<slug:slug>/invitations/<int:pk>/",
        invitation_views.trainer_invitation,
        name="trainer_invitation",
    ),
    path("cohorts/<slug:slug>/sessions/<int:pk>.ics", session_views.session_ics,
         name="session_ics"),
    path("cohorts/<slug:slug>/sessions/<int:pk>/caught-up/", session_views.session_caught_up,
         name="session_caught_up"),
    path("calendar/", session_views.calendar_settings, name="calendar"),
    path("notifications/", notification_views.notification_settings, name="notification_settings"),
    path("calendar/<str:token>.ics", session_views.calendar_feed, name="calendar_feed_url"),
    path("dashboard/trainer/cohorts/<slug:slug>/sessions/", session_views.trainer_sessions,
         name="trainer_sessions"),
    path("dashboard/trainer/cohorts/<slug:slug>/sessions/new/",
         session_views.trainer_session_new, name="trainer_session_new"),
    path("dashboard/trainer/cohorts/<slug:slug>/sessions/<int:pk>/",
         session_views.trainer_session_edit, name="trainer_session_edit"),
    path("dashboard/trainer/cohorts/<slug:slug>/sessions/<int:pk>/cancel/",
         session_views.trainer_session_cancel, name="trainer_session_cancel"),
    path("dashboard/trainer/cohorts/<slug:slug>/sessions/<int:pk>/after/",
         session_views.trainer_session_after, name="trainer_session_after"),
    path("dashboard/trainer/cohorts/<slug:slug>/sessions/<int:pk>/attendance/",
         session_views.trainer_attendance, name="trainer_attendance"),
    path("dashboard/trainer/cohorts/<slug:slug>/progress/", progress_views.trainer_progress,
         name="trainer_progress"),
    path("dashboard/trainer/cohorts/<slug:slug>/progress/export.csv",
         progress_views.trainer_progress_csv, name="trainer_progress_csv"),
    path("dashboard/trainer/cohorts/<slug:slug>/members/<int:user_id>/",
         progress_views.trainer_member, name="trainer_member"),
    path("dashboard/trainer/cohorts/<slug:slug>/members/<int:user_id>/place/",
         views.trainer_member_place, name="trainer_member_place"),
    path("dashboard/trainer/cohorts/<slug:slug>/members/<int:user_id>/skills/<int:skill_id>/",
         progress_views.trainer_sign_off, name="trainer_sign_off"),
    path("dashboard/trainer/cohorts/<slug:slug>/skills/", progress_views.trainer_skills,
         name="trainer_skills"),
    path("dashboard/trainer/cohorts/<slug:slug>/releases/", progress_views.trainer_releases,
         name="trainer_releases"),
    path("dashboard/trainer/cohorts/<slug:slug>/enrol/", progress_views.trainer_enrol,
         name="trainer_enrol"),
    path("dashboard/trainer/cohorts/<slug:slug>/messages/", announcement_views.trainer_messages,
         name="trainer_messages"),
    path("dashboard/trainer/cohorts/<slug:slug>/members/<int:user_id>/reflections/<int:pk>/"
         "reply/", announcement_views.trainer_reflection_reply, name="trainer_reflection_reply"),
]  # fmt: skip
