"""Signals cohorts sends for the apps after it (certificates listens), which it never imports."""

from django.dispatch import Signal

# Sent in the transaction that changed them, once per change however many sessions it made:
# live sessions that count toward attendance (not debriefs) were added, moved, cancelled, or
# turned into a debrief or back (cohorts.sessions). What each member of `cohort` attended out
# of how many is then different. Arguments: `cohort`, `sessions` (the LiveSession rows).
sessions_changed = Signal()
