"""Build cohorts for tests. `CohortFactory` knows only what every cohort needs; `make_cohort` adds
what the cohort pages need (a course, screening questions, a trainer). Test files whose cohorts
differ (open ones for the sessions tests, a track's for certificates) pass their own defaults."""

from datetime import date, timedelta

import factory

from certificates.models import CohortTrack
from cohorts.models import Cohort, CohortCourse, ScreeningQuestion
from courses.factories import make_course


class CohortFactory(factory.django.DjangoModelFactory):
    """A cohort running for sixty days from today; status, mode and capacity as the model's
    defaults. `trainers`, `courses` (in their order) and a certification `track` are linked after it
    is saved."""

    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"cohort-{n + 1}")
    title = factory.LazyAttribute(lambda cohort: f"Cohort {cohort.slug}")
    working_language = "en"
    time_zone = "UTC"
    starts_on = factory.LazyFunction(date.today)
    ends_on = factory.LazyAttribute(lambda cohort: cohort.starts_on + timedelta(days=60))

    @factory.post_generation
    def courses(self, create, extracted, **kwargs):
        for order, course in enumerate(extracted or ()):
            CohortCourse.objects.create(cohort=self, course=course, sort_order=order)

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if extracted:
            self.trainers.add(*extracted)

    @factory.post_generation
    def track(self, create, extracted, **kwargs):
        """The certification track it prepares for (certificates owns the link)."""
        if extracted is not None:
            CohortTrack.objects.create(cohort=self, track=extracted)


def make_cohort(slug="spring", *, trainer=None, course=True, courses=(), questions=True,
                starts_in=30, ends_in=90, time_zone="Europe/Madrid", mode=Cohort.Mode.APPLICATION,
                capacity=10, status=Cohort.Status.OPEN, **fields) -> Cohort:  # fmt: skip
    """A cohort open for applications, a month from now: with a course of its own
    (`{slug}-course`, one module) unless `course=False`, then `courses`; two screening questions
    unless `questions=False`. `slug=None` takes the factory's next number; `fields` win over the
    rest (`starts_on` over `starts_in`)."""
    own = [make_course(f"{slug}-course", modules=1)[0]] if course else []
    today = date.today()
    values = {
        "time_zone": time_zone, "starts_on": today + timedelta(days=starts_in),
        "ends_on": today + timedelta(days=ends_in), "mode": mode, "capacity": capacity,
        "status": status,
    }  # fmt: skip
    if slug is not None:
        values["slug"] = slug
    cohort = CohortFactory(
        **(values | fields), courses=[*own, *courses], trainers=[trainer] if trainer else []
    )
    if questions:
        ScreeningQuestion.objects.create(cohort=cohort, text="Why do you want to join?")
        ScreeningQuestion.objects.create(
            cohort=cohort, text="When can you attend?", kind=ScreeningQuestion.Kind.CHOICE,
            choices=["Mornings", "Evenings"],
        )  # fmt: skip
    return cohort
