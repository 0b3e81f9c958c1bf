"""Care for the people who accompany others (issue 22): private well-being check-ins, debrief
requests to a cohort's trainers, a private self-care plan, each cohort's choice of weekly
check-ins, and a page of support resources that editors keep in Wagtail.

What a person answers in a check-in is theirs only: no view, export or admin screen shows one
to anybody else; trainers read anonymous totals of batches of CARE_MIN_GROUP people's answers,
frozen when the batch formed (CheckInBatch, care.selectors).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from training.models import ChildRoutingMixin

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class CareSettings(models.Model):
    """A cohort's care choices, set by its trainers."""

    cohort = models.OneToOneField(
        "cohorts.Cohort", on_delete=models.CASCADE, related_name="care_settings"
    )
    weekly_checkins = models.BooleanField(
        _("weekly check-ins"),
        default=False,
        help_text=_(
            "Once a week, members are invited on their dashboard to a private check-in. You "
            "only ever see totals of at least five answers, never one person's answers."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("care settings")
        verbose_name_plural = _("care settings")

    def __str__(self):
        return f"{self.cohort_id} · weekly={self.weekly_checkins}"


class CheckInBatch(models.Model):
    """Five people's answers in one group of a cohort (its check-ins after one heavy module, or
    after none), frozen into anonymous totals when the fifth person answered (care.services):
    how many answers, the sums of carrying and energy, how many wanted a debrief. The trainers'
    totals are these rows added up (care.selectors), never the check-ins.

    An aggregate of at least five people is anonymous data, not any one person's: deleting an
    answer (by the person, all of theirs, with the account, by the retention purge) deletes the
    person's own row as promised and leaves the batch as it is, so that nothing a trainer sees
    moves when someone deletes (their erasure's time is predictable). Batches go by a rule no
    person's action triggers: the daily purge deletes those formed longer ago than
    ACOMPANA_CHECKIN_RETENTION_DAYS. (What batches cannot do, against a trainer who controls
    four members: README, "Community and care".)"""

    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.CASCADE, related_name="+")
    # The group, set once: the heavy module's pk, 0 for none. Deleting the module page changes
    # nothing of it (`module` then empties): its batches stay in the cohort's totals, unlisted.
    module_key = models.PositiveIntegerField(default=0, db_default=0)
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    formed_at = models.DateTimeField(default=timezone.now)
    # The frozen totals (db_default: rows of the previous release's processes count for none).
    answers = models.PositiveSmallIntegerField(default=0, db_default=0)
    carrying_sum = models.PositiveSmallIntegerField(default=0, db_default=0)
    energy_sum = models.PositiveSmallIntegerField(default=0, db_default=0)
    debriefs = models.PositiveSmallIntegerField(default=0, db_default=0)
    # NOTE: no longer used (batches are never dropped now; always empty). Kept so that the
    # previous release's processes still run during an upgrade (README, "Upgrading"); a later
    # release removes it, its migration listed in tests/test_migrations_safe.py IGNORED.
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Answers on the 1 to 5 scales: each sum between one and five per answer.
            models.CheckConstraint(
                condition=Q(carrying_sum__gte=F("answers"), carrying_sum__lte=F("answers") * 5,
                            energy_sum__gte=F("answers"), energy_sum__lte=F("answers") * 5,
                            debriefs__lte=F("answers")),
                name="care_batch_totals",
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"check-in batch {self.pk}"


class CheckIn(models.Model):
    """One private check-in: how the person carries what they learn, their energy, whether they
    would like a debrief. Only the person ever reads it."""

    class Kind(models.TextChoices):
        AFTER_MODULE = "after_module", _("After a heavy module")
        WEEKLY = "weekly", _("Weekly check-in")
        OWN = "own", _("On my own")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_checkins"
    )
    # The cohort and group it counts in for the trainers' aggregates (never shown singly): the
    # group is `module_key` (the heavy module's pk, 0 for none), set once and never changed, so
    # that deleting the module page (`module` then empties) moves no answer to another group.
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    module_key = models.PositiveIntegerField(default=0, db_default=0)
    # The batch it was counted in (CheckInBatch), set once, never moved to another. Deleting the
    # check-in leaves the batch's totals as they are.
    batch = models.ForeignKey(
        CheckInBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkins"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OWN)
    carrying = models.PositiveSmallIntegerField(_("how are you carrying this?"), validators=SCALE)
    energy = models.PositiveSmallIntegerField(_("your energy"), validators=SCALE)
    wants_debrief = models.BooleanField(_("would you like a debrief?"), default=False)
    note = models.TextField(_("a note for yourself"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "kind", "cohort", "-created_at"],
                                name="care_checkin_due")]  # fmt: skip
        constraints = [
            models.CheckConstraint(condition=Q(carrying__gte=1, carrying__lte=5),
                                   name="care_checkin_carrying_scale"),
            models.CheckConstraint(condition=Q(energy__gte=1, energy__lte=5),
                                   name="care_checkin_energy_scale"),
        ]  # fmt: skip

    def __str__(self):
        return f"check-in {self.pk}"


class DebriefRequest(models.Model):
    """A person asked their cohort's trainers to talk. It holds only what the person chose to
    say; nothing links it to their check-ins."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_debrief_requests"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.CASCADE, related_name="care_debrief_requests"
    )
    message = models.TextField(_("what you would like to say"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open request per person and cohort: a second one waits for the first.
            models.UniqueConstraint(fields=["user", "cohort"], condition=Q(handled_at__isnull=True),
                                    name="care_one_open_debrief_request"),
        ]  # fmt: skip

    def __str__(self):
        return f"debrief request {self.pk}"


class SelfCarePlan(models.Model):
    """A person's own self-care plan: never shown to anyone else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_plan"
    )
    signals = models.TextField(_("signals that I need to take care of myself"), blank=True,
                               max_length=4000)  # fmt: skip
    what_helps = models.TextField(_("what helps me"), blank=True, max_length=4000)
    who_to_call = models.TextField(_("who I can call"), blank=True, max_length=4000)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"self-care plan {self.pk}"

    @property
    def empty(self) -> bool:
        return not (self.signals or self.what_helps or self.who_to_call)


# --- Support resources (a Wagtail page editors keep) ---------------------------------------------
class ResourceBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Name"), max_length=200)
    description = blocks.TextBlock(label=_("Description"), required=False)
    region = blocks.CharBlock(label=_("Region"), max_length=120, required=False,
                              help_text=_("A country, a region, or “Everywhere”."))  # fmt: skip
    languages = blocks.CharBlock(label=_("Languages"), max_length=200, required=False,
                                 help_text=_("The languages it answers in."))  # fmt: skip
    link = blocks.URLBlock(label=_("Link"), required=False)
    phone = blocks.CharBlock(label=_("Phone"), max_length=60, required=False)

    class Meta:
        icon = "help"
        label = _("Resource")
        template = "care/blocks/resource.html"


class SupportResourcesPage(ChildRoutingMixin, Page):
    """Where to find support: helplines, counselling, peer groups, by region and language."""

    introduction = models.TextField(_("introduction"), blank=True)
    resources = StreamField([("resource", ResourceBlock())], verbose_name=_("resources"),
                            blank=True)  # fmt: skip

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("resources")]
    parent_page_types = ["training.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("support resources page")
