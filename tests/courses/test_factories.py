"""The page factories (wagtail-factories) tests build courses with, and `make_course` on them."""

import pytest

from courses.factories import (
    CoursePageFactory,
    ModulePageFactory,
    block_id,
    catalog,
    make_course,
)
from courses.models import CoursePage

pytestmark = pytest.mark.django_db


def test_a_course_is_published_in_the_catalogue_in_english():
    course = CoursePageFactory()
    assert course.live
    assert course.get_parent().pk == catalog().pk
    assert [language.language for language in course.course_languages.all()] == ["en"]


def test_a_module_comes_in_a_new_course_with_a_text_a_quiz_and_a_reflection():
    module = ModulePageFactory()
    assert isinstance(module.get_parent().specific, CoursePage)
    assert module.live
    assert [block.block_type for block in module.body] == ["rich_text", "quiz", "reflection"]


def test_make_course_keeps_its_block_ids_and_languages():
    course, modules = make_course("listening", modules=2, languages=("en", "es"))
    assert [module.slug for module in modules] == ["module-1", "module-2"]
    assert [module.get_parent().pk for module in modules] == [course.pk, course.pk]
    assert modules[1].body[1].id == block_id("listening/1/quiz")
    assert sorted(language.language for language in course.course_languages.all()) == ["en", "es"]
