from django.urls import path

from . import offline, views

app_name = "courses"

# The activities' actions before they had one address: (old route, action, old name).
_OLD_ACTIONS = [
    ("quiz/<str:activity_id>/", "submit", "quiz_submit"),
    ("reflection/<str:activity_id>/", "save", "reflection_save"),
    ("h5p/<str:activity_id>/xapi/", "xapi", "h5p_xapi"),
    ("h5p/<str:activity_id>/state/", "state", "h5p_state"),
    ("h5p/<str:activity_id>/launch/", "launch", "h5p_launch"),
]
ACTION_ROUTE = "modules/<int:module_id>/activities/<str:activity_id>/"

urlpatterns = [
    path("courses/<int:course_id>/start/", views.course_start, name="start"),
    # What the course's copy saved for offline reading holds (courses.offline).
    path("courses/<int:course_id>/offline/", offline.course_offline, name="offline"),
    path("modules/<int:module_id>/content-notes/", views.content_notes, name="content_notes"),
    path("modules/<int:module_id>/done/", views.mark_done, name="mark_done"),
    # Whatever a learner does to an activity (courses.activities, each kind's `actions`).
    path(ACTION_ROUTE + "<slug:action>/", views.activity_action, name="activity_action"),
    # The old names give the same address (the pattern above answers it), for code that still
    # reverses them…
    *(
        path(ACTION_ROUTE + f"{action}/", views.activity_action, {"action": action}, name=name)
        for _route, action, name in _OLD_ACTIONS
    ),
    # …and the old addresses are still answered, by the same dispatcher (a page left open in a
    # browser since before, its script's queue of unsent statements).
    *(
        path(f"modules/<int:module_id>/{route}", views.activity_action, {"action": action})
        for route, action, _name in _OLD_ACTIONS
    ),
]
