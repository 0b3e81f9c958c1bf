"""Completion events that later apps (cohorts, certificates) listen to.

Sent after the transaction that recorded the completion commits, once per learner and module
or course: a receiver never sees a completion that could still be rolled back.
"""

from django.dispatch import Signal

# sender=ModulePage class; kwargs: user, module, completed_at
module_completed = Signal()
# sender=CoursePage class; kwargs: user, course, completed_at
course_completed = Signal()
