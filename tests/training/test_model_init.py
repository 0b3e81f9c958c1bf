"""training.model_init: ClusterableModel's constructor without its per-instance walk of the
model's fields behaves as modelcluster's own."""

import pytest
from modelcluster.models import ClusterableModel
from wagtail.models import Page

from courses.models import CoursePage, Topic, TopicName
from training import model_init
from training.models import StandardPage


def test_installed_once_the_apps_are_ready():
    assert ClusterableModel.__init__ is model_init._init
    model_init.install()  # a second call changes nothing
    assert ClusterableModel.__init__ is model_init._init


def test_the_names_are_the_models_child_relations():
    assert model_init.child_relation_names(Topic) == {"names"}
    assert {"topics", "prerequisites"} <= model_init.child_relation_names(CoursePage)
    # Kept per model: the second call returns the same object.
    assert model_init.child_relation_names(Topic) is model_init.child_relation_names(Topic)


@pytest.mark.django_db
def test_child_relations_given_to_the_constructor_are_set_as_modelcluster_sets_them():
    topic = Topic(name="Safety", slug="safety", names=[TopicName(language="es", name="Seguridad")])
    assert topic.name == "Safety"
    assert [n.name for n in topic.names.all()] == ["Seguridad"]

    other = Topic(name="Care", slug="care")
    course = CoursePage(title="A course", slug="a-course", topics=[other])
    assert course.title == "A course"
    assert list(course.topics.all()) == [other]


@pytest.mark.django_db
def test_a_new_page_still_gets_its_content_type_and_menu_default():
    page = StandardPage(title="About", slug="about")
    assert page.content_type.model_class() is StandardPage
    assert page.show_in_menus is StandardPage.show_in_menus_default


def test_a_wrong_keyword_is_still_refused():
    with pytest.raises(TypeError):
        Topic(name="x", no_such_field=1)


@pytest.mark.django_db
def test_instances_read_from_the_database_are_whole():
    topic = Topic.objects.create(name="Listening", slug="listening")
    TopicName.objects.create(topic=topic, language="fr", name="Écoute")
    read = Topic.objects.get(pk=topic.pk)
    assert (read.name, read.slug) == ("Listening", "listening")
    assert [n.name for n in read.names.all()] == ["Écoute"]
    assert read._state.adding is False
    root = Page.objects.get(depth=1)  # made by Wagtail's migrations
    assert root.title and root.content_type_id and root._state.adding is False
