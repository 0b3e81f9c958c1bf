from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SelfCarePlan

CARRYING = [
    (1, _("1 — It weighs on me a lot")),
    (2, _("2 — It is heavy")),
    (3, _("3 — I am managing")),
    (4, _("4 — I am carrying it well")),
    (5, _("5 — Light: I feel fine")),
]
ENERGY = [
    (1, _("1 — Exhausted")),
    (2, _("2 — Low")),
    (3, _("3 — So-so")),
    (4, _("4 — Good")),
    (5, _("5 — Full of energy")),
]
YES_NO = [("no", _("No, not now")), ("yes", _("Yes, I would like to talk with a trainer"))]


class CheckInForm(forms.Form):
    carrying = forms.TypedChoiceField(
        label=_("How are you carrying this?"), choices=CARRYING, coerce=int,
        widget=forms.RadioSelect,
    )  # fmt: skip
    energy = forms.TypedChoiceField(label=_("Your energy"), choices=ENERGY, coerce=int,
                                    widget=forms.RadioSelect)  # fmt: skip
    wants_debrief = forms.ChoiceField(
        label=_("Would you like a debrief?"), choices=YES_NO, initial="no",
        widget=forms.RadioSelect,
        help_text=_("If you say yes, you choose next what to tell your trainers, and nothing "
                    "is sent until you confirm. Your answers here are never sent."),
    )  # fmt: skip
    note = forms.CharField(
        label=_("A note for yourself (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only you can read it."),
    )  # fmt: skip


class DebriefForm(forms.Form):
    cohort = forms.TypedChoiceField(label=_("Which cohort's trainers?"), coerce=int, choices=())
    message = forms.CharField(
        label=_("What you would like to tell them (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only this is sent, with your display name. Say as little or as much as "
                    "you like: they will contact you."),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("Yes, send this request to my cohort's trainers"),
        error_messages={"required": _("Tick this box to send the request.")},
    )  # fmt: skip

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [(c.pk, c.title) for c in cohorts]
        if len(cohorts) == 1:
            self.fields["cohort"].widget = forms.HiddenInput()
            self.fields["cohort"].initial = cohorts[0].pk


class PlanForm(forms.ModelForm):
    class Meta:
        model = SelfCarePlan
        fields = ["signals", "what_helps", "who_to_call"]
        labels = {
            "signals": _("Signals that tell me I need to take care of myself"),
            "what_helps": _("What helps me"),
            "who_to_call": _("Who I can call"),
        }
        help_texts = {
            "signals": _("For example: I sleep badly, I avoid messages, I feel numb or on edge."),
            "what_helps": _("For example: a walk, time away from screens, music, a friend."),
            "who_to_call": _("People or services you trust. Written here, only you see them."),
        }
        widgets = {name: forms.Textarea(attrs={"rows": 4})
                   for name in ("signals", "what_helps", "who_to_call")}  # fmt: skip


class CareSettingsForm(forms.Form):
    weekly_checkins = forms.BooleanField(
        label=_("Invite members to a private weekly check-in"), required=False,
        help_text=_("Members see a gentle invitation on their dashboard once a week. You only "
                    "ever see totals of at least five answers, never one person's answers."),
    )  # fmt: skip
