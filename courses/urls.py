from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("courses/<int:course_id>/start/", views.course_start, name="start"),
    path("modules/<int:module_id>/content-notes/", views.content_notes, name="content_notes"),
    path("modules/<int:module_id>/done/", views.mark_done, name="mark_done"),
    path("modules/<int:module_id>/quiz/<str:activity_id>/", views.quiz_submit, name="quiz_submit"),
    path(
        "modules/<int:module_id>/reflection/<str:activity_id>/",
        views.reflection_save,
        name="reflection_save",
    ),
    path("modules/<int:module_id>/h5p/<str:activity_id>/xapi/", views.h5p_xapi, name="h5p_xapi"),
    path("modules/<int:module_id>/h5p/<str:activity_id>/state/", views.h5p_state, name="h5p_state"),
    path(
        "modules/<int:module_id>/h5p/<str:activity_id>/launch/",
        views.h5p_launch,
        name="h5p_launch",
    ),
]
