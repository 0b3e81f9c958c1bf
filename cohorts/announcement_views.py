"""Trainers' messages: announcements to a cohort's members, waitlist or applicants, and answers
to reflections members shared. Only the cohort's trainers: anyone else gets a 404."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from training.permissions import role_required
from training.roles import Role

from . import announcements
from .models import Announcement
from .services import CohortError
from .views import _trained_cohort

PER_PAGE = 20


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["audience", "language", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {
            "language": gettext_lazy(
                "The message is sent as you write it, in this language. The greeting and the "
                "footer of the email are in each person's own language."
            ),
            "subject": gettext_lazy(
                "It heads your message in the email and on the cohort's page. The email's "
                "subject line is always “A message from your cohort's trainers”: lock screens "
                "and shared inboxes never show your words."
            ),
        }

    def __init__(self, *args, counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].max_length = announcements.MAX_BODY_LENGTH
        self.fields["body"].widget.attrs["maxlength"] = announcements.MAX_BODY_LENGTH
        if counts is not None:
            self.fields["audience"].choices = [
                (value, _("%(audience)s (%(count)s)") % {"audience": label,
                                                         "count": counts.get(value, 0)})
                for value, label in Announcement.Audience.choices
            ]  # fmt: skip


@role_required(Role.TRAINER)
@never_cache
def trainer_messages(request, slug):
    """Write to the cohort's people, and what was written before (a fixed number of queries)."""
    cohort = _trained_cohort(request, slug)
    counts = announcements.audience_counts(cohort)
    form = AnnouncementForm(
        request.POST or None, counts=counts,
        initial={"language": cohort.working_language,
                 "audience": request.GET.get("to", Announcement.Audience.MEMBERS)},
    )  # fmt: skip
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                announcements.announcement_send(
                    cohort=cohort, by=request.user, audience=data["audience"],
                    subject=data["subject"], body=data["body"], language=data["language"],
                    request=request,
                )  # fmt: skip
            except CohortError as error:
                messages.error(request, str(error))
                status = 400
            else:
                count = counts.get(data["audience"], 0)
                messages.success(
                    request,
                    ngettext("Your message is on its way to %(count)s person. It is kept below.",
                             "Your message is on its way to %(count)s people. It is kept below.",
                             count) % {"count": count},
                )  # fmt: skip
                return HttpResponseRedirect(reverse("cohorts:trainer_messages", args=[slug]))
        else:
            status = 400
    # What was written before, newest first, a page at a time (a wrong page number: the
    # nearest page, never an error).
    page = Paginator(cohort.announcements.select_related("sent_by"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "cohorts/trainer/messages.html",
        {"cohort": cohort, "form": form, "announcements": page.object_list, "page": page,
         "counts": counts},
        status=status,
    )  # fmt: skip


@role_required(Role.TRAINER)
@require_POST
def trainer_reflection_reply(request, slug, user_id, pk):
    """Answer (or take back the answer to) a reflection a member of this cohort shared."""
    cohort = _trained_cohort(request, slug)
    reflection = announcements.shared_reflection(cohort, user_id=user_id, pk=pk)
    if reflection is None:
        raise Http404
    text = request.POST.get("reply", "")
    if request.POST.get("action") == "remove":
        text = ""
    try:
        reflection = announcements.reflection_answer(
            cohort=cohort, reflection=reflection, by=request.user, text=text, request=request
        )
    except CohortError as error:
        messages.error(request, str(error))
    else:
        if reflection.reply:
            messages.success(request, _("Your answer is saved. Only this person and their "
                                        "cohort's trainers can read it."))  # fmt: skip
        else:
            messages.info(request, _("Your answer is taken back."))
    return HttpResponseRedirect(
        reverse("cohorts:trainer_member", args=[cohort.slug, user_id]) + f"#reflection-{pk}"
    )
