"""Instances of Wagtail pages built without walking every field of their model (issue 18).

django-modelcluster's `ClusterableModel.__init__` (every Wagtail page is one) finds the names of
the model's child relations on each call by walking `_meta.get_fields()` — for a page model,
every field and reverse relation of the page tree, ~700 isinstance checks per instance. The
module page builds 7 page instances per request and the dashboard 5, so this was about a twentieth
of their Python time. A model's fields do not change once the app registry is ready, so the names
are found once per model and kept. Behaviour is unchanged: child relations passed as keyword
arguments are still set after the fields (tests/training/test_model_init.py); an instance built
from the database, which passes no keyword argument, goes straight to Django's constructor.
"""

from django.apps import apps
from modelcluster.models import (
    ClusterableModel,
    get_all_child_m2m_relations,
    get_all_child_relations,
)

_NAMES: dict[type, frozenset[str]] = {}
_original_init = ClusterableModel.__init__


def child_relation_names(model: type) -> frozenset[str]:
    """The keyword arguments ClusterableModel's constructor treats as child relations."""
    names = _NAMES.get(model)
    if names is None:
        names = frozenset(
            [rel.get_accessor_name() for rel in get_all_child_relations(model)]
            + [field.name for field in get_all_child_m2m_relations(model)]
        )
        if apps.ready:  # before that, relations may still be added to the model
            _NAMES[model] = names
    return names


def _init(self, *args, **kwargs):
    if kwargs and not child_relation_names(type(self)).isdisjoint(kwargs):
        _original_init(self, *args, **kwargs)  # child relations given: modelcluster sets them
    else:
        super(ClusterableModel, self).__init__(*args, **kwargs)


def install() -> None:
    """Called once from TrainingConfig.ready()."""
    if ClusterableModel.__init__ is not _init:
        ClusterableModel.__init__ = _init
