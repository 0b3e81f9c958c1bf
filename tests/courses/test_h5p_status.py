"""What the module page shows under and around an H5P exercise: a truthful status line (never
"Well done" after 0 of 1), a frame that starts only near the screen, and in low-bandwidth mode a
card that says what the exercise is and about how much it downloads. Built from database rows
and files the tests write: no shared sample packages needed."""

import re
import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from courses import services
from courses.factories import block_id, make_course, text_block
from courses.h5p import compression, origin, weight, xapi
from courses.h5p.activity import h5p_status
from courses.h5p.store import content_root, libraries_root
from courses.models import ActivityCompletion, H5PActivity, H5PLibrary, H5PStatement

pytestmark = pytest.mark.django_db


# --- The status line ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"completed": False}, ""),
        ({"completed": True}, "Completed"),
        ({"completed": True, "score_raw": 3, "score_max": 5}, "Completed · 3 of 5"),
        ({"completed": True, "score_raw": 0, "score_max": 1}, "Completed · 0 of 1"),
        ({"completed": True, "score_raw": 3, "score_max": 5, "pass_mark": 60, "passed": True},
         "3 of 5 — passed (pass mark 60%)"),
        ({"completed": False, "score_raw": 2, "score_max": 5, "pass_mark": 60, "passed": False},
         "2 of 5 — not yet passed (pass mark 60%)"),
        ({"completed": True, "score_raw": 2, "score_max": 5, "pass_mark": 60, "passed": False,
          "earlier": True},
         "Completed earlier. This time: 2 of 5 — not yet passed (pass mark 60%)"),
        # Completed under a lower pass mark than the block has now: the score, nothing claimed.
        ({"completed": True, "score_raw": 3, "score_max": 5, "pass_mark": 80, "passed": False},
         "Completed · 3 of 5"),
        ({"completed": True, "percent": 60, "pass_mark": 80}, "Completed · score 60%"),
        # Passed or not, when not said, is the points against the pass mark.
        ({"completed": False, "score_raw": 3, "score_max": 5, "pass_mark": 60},
         "3 of 5 — passed (pass mark 60%)"),
        ({"completed": False, "score_raw": 2, "score_max": 5, "pass_mark": 60},
         "2 of 5 — not yet passed (pass mark 60%)"),
        # A pass mark that is not a number is no pass mark (and no error).
        ({"completed": True, "score_raw": 1, "score_max": 2, "pass_mark": "sixty"},
         "Completed · 1 of 2"),
        ({"completed": True, "score_raw": 2.5, "score_max": 4.0}, "Completed · 2.5 of 4"),
        # Points not known (only a percentage kept with the completion).
        ({"completed": True, "percent": 75}, "Completed · score 75%"),
        ({"completed": True, "percent": 75, "pass_mark": 60},
         "Completed · score 75% (pass mark 60%)"),
        # No completion recorded and no pass mark: a score alone says nothing of completion.
        ({"completed": False, "score_raw": 1, "score_max": 1}, ""),
        # A pass mark of 0 is no pass mark.
        ({"completed": True, "score_raw": 0, "score_max": 1, "pass_mark": 0, "passed": True},
         "Completed · 0 of 1"),
    ],
)  # fmt: skip
def test_the_status_line_says_what_was_recorded(given, expected):
    assert h5p_status(**given) == expected
    assert "Well done" not in h5p_status(**given)


@pytest.mark.parametrize(
    ("value", "mark"), [(None, None), ("", None), (0, None), ("0", None), (-5, None),
                        ("sixty", None), ([], None), (60, 60), ("75", 75)],
)  # fmt: skip
def test_the_pass_mark_is_read_in_one_place(value, mark):
    assert xapi.pass_mark(value) == mark
    assert xapi.score_passes(None, value) is (mark is None)
    if mark:
        assert xapi.score_passes(mark / 100, value) and not xapi.score_passes(
            mark / 100 - 0.01, value
        )


# --- Rows the page needs ------------------------------------------------------------------------
def _library(name, major, minor, title, *, js=(), css=()) -> H5PLibrary:
    folder = f"{name}-{major}.{minor}.0-{uuid.uuid4().hex[:16]}"
    metadata = {
        "machineName": name, "majorVersion": major, "minorVersion": minor, "title": title,
        "preloadedJs": [{"path": path} for path in js],
        "preloadedCss": [{"path": path} for path in css],
    }  # fmt: skip
    return H5PLibrary.objects.create(
        machine_name=name, major_version=major, minor_version=minor, patch_version=0,
        title=title, files_hash=uuid.uuid4().hex, folder_name=folder, metadata=metadata,
        status=H5PLibrary.Status.APPROVED,
    )  # fmt: skip


def _write(path, size, compressed=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    if compressed is not None:
        path.with_name(path.name + ".br").write_bytes(b"b" * compressed)


@pytest.fixture
def activity():
    main = _library("H5P.QuestionSet", 1, 20, "Question Set", js=["js/qs.js"], css=["qs.css"])
    helper = _library("H5P.Question", 1, 5, "Question", js=["scripts/question.js"])
    _write(libraries_root() / main.folder / "js" / "qs.js", 40_000, compressed=8_000)
    _write(libraries_root() / main.folder / "qs.css", 3_000)  # no sibling: the file's size
    _write(libraries_root() / helper.folder / "scripts" / "question.js", 10_000, compressed=2_000)
    # Not preloaded: never counted.
    _write(libraries_root() / main.folder / "library.json", 50_000)
    made = H5PActivity.objects.create(
        title="Five questions", language="en", package="uploads/x.h5p",
        status=H5PActivity.Status.READY, main_library="H5P.QuestionSet 1.20",
    )  # fmt: skip
    made.libraries.set([main, helper])
    folder = content_root() / str(made.uuid)
    _write(folder / "content.json", 6_000, compressed=1_000)
    _write(folder / "images" / "photo.jpg", 20_000)
    cache.delete(f"h5p-weight:1:{made.uuid}")
    return made


def test_the_weight_counts_preloaded_files_and_content_at_their_compressed_size(activity):
    found = weight.activity_weight(activity)
    content = 1_000 + 20_000
    libraries = 8_000 + 3_000 + 2_000
    assert found.bytes == weight.player_size() + content + libraries
    assert weight.player_size() > 10_000, "the player's bundles count, compressed"
    assert found.type_title == "Question Set"
    assert found.kilobytes == -(-found.bytes // 1024)


def test_the_weight_is_cached_by_activity(activity, django_assert_num_queries):
    first = weight.activity_weight(activity)
    with django_assert_num_queries(0):
        assert weight.activity_weight(activity) == first
    weight.weight_forget(activity.uuid)
    with django_assert_num_queries(1):
        weight.activity_weight(activity)


def test_a_missing_file_weighs_nothing(tmp_path):
    assert weight.transfer_size(tmp_path / "gone.js") == 0


@pytest.fixture
def module(activity):
    course, (page,) = make_course("status", modules=1, body=lambda i: [
        text_block("status/text"),
        {"type": "h5p", "id": block_id("status/h5p"),
         "value": {"activity": str(activity.uuid), "pass_mark": 60, "required": True}},
    ])  # fmt: skip
    return course, page


@pytest.fixture
def learner(client, volunteer, module):
    course, _page = module
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    return volunteer


def _status(body: str) -> str:
    found = re.search(r'<p class="h5p-status muted" aria-live="polite">(.*?)</p>', body, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_frame_starts_only_near_the_screen(client, learner, module, activity):
    _course, page = module
    body = client.get(page.url).content.decode()
    frame = re.search(r"<iframe[^>]*>", body, re.S).group(0)
    assert f'data-src="http://h5p.testserver/h5p/play/{activity.uuid}/' in frame
    assert not re.search(r"\ssrc=", frame), "no address until the block is near the screen"
    assert 'data-msg-loading="Loading the exercise…"' in body
    assert "Start exercise" not in body  # no card outside low-bandwidth mode
    assert "This exercise needs JavaScript" in body  # said inside <noscript>


def test_in_low_bandwidth_mode_a_card_says_what_and_how_much(client, learner, module, activity):
    _course, page = module
    learner.low_bandwidth = True
    learner.save(update_fields=["low_bandwidth"])
    body = client.get(page.url).content.decode()
    kilobytes = weight.activity_weight(activity).kilobytes
    assert "Question set" in body  # a usual type, named by the platform (translatable)
    assert f"about {kilobytes} KB to download" in body
    assert "Start exercise" in body
    assert not re.search(r"<iframe[^>]*\ssrc=", body, re.S)


def _statement(activity, raw, maximum, *, counted):
    return {
        "id": str(uuid.uuid4()), "actor": {}, "verb": {"id": xapi.ANSWERED},
        "object": {"id": xapi.object_iri(activity.uuid)},
        "result": {"score": {"raw": raw, "max": maximum, "scaled": raw / maximum}},
    }  # fmt: skip


def _record(learner, page, activity, raw, maximum, *, counted=False):
    H5PStatement.objects.create(
        id=uuid.uuid4(), user=learner, module=page, activity_id=block_id("status/h5p"),
        h5p_activity=activity, verb=xapi.ANSWERED, score_scaled=raw / maximum, counted=counted,
        raw=_statement(activity, raw, maximum, counted=counted),
    )  # fmt: skip


def test_a_score_below_the_pass_mark_shows_as_not_yet_passed(client, learner, module, activity):
    _course, page = module
    assert _status(client.get(page.url).content.decode()) == ""
    _record(learner, page, activity, 2, 5)
    body = client.get(page.url).content.decode()
    assert _status(body) == "2 of 5 — not yet passed (pass mark 60%)"
    assert "Well done" not in body


def test_a_recorded_completion_shows_its_score_and_pass_mark(client, learner, module, activity):
    course, page = module
    _record(learner, page, activity, 3, 5, counted=True)
    _record(learner, page, activity, 1, 5)  # a later, lower try: the completion stands
    services.activity_complete(
        user=learner, module=page, course=course, activity_id=block_id("status/h5p"),
        kind="h5p", score=60,
    )  # fmt: skip
    body = client.get(page.url).content.decode()
    assert _status(body) == "✓ 3 of 5 — passed (pass mark 60%)"


def test_a_completion_whose_statements_are_gone_shows_its_percentage(
    client, learner, module, activity
):
    _course, page = module
    ActivityCompletion.objects.create(user=learner, module=page, kind="h5p", score=80,
                                      activity_id=block_id("status/h5p"))  # fmt: skip
    body = client.get(page.url).content.decode()
    assert _status(body) == "✓ Completed · score 80% (pass mark 60%)"


def test_a_score_that_reached_the_pass_mark_but_did_not_count_is_not_called_not_passed(
    client, learner, module, activity
):
    """A statement may not count for another reason than its score (the module was closed then):
    the status compares the score with the pass mark."""
    _course, page = module
    _record(learner, page, activity, 4, 5)
    assert _status(client.get(page.url).content.decode()) == "4 of 5 — passed (pass mark 60%)"


def test_a_completion_under_a_lower_pass_mark_does_not_claim_the_new_one(
    client, volunteer, activity
):
    """An editor raised the pass mark from 60% to 80% after the learner completed with 3 of 5."""
    course, (page,) = make_course("raised", modules=1, body=lambda i: [
        {"type": "h5p", "id": block_id("raised/h5p"),
         "value": {"activity": str(activity.uuid), "pass_mark": 80, "required": True}},
    ])  # fmt: skip
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    H5PStatement.objects.create(
        id=uuid.uuid4(), user=volunteer, module=page, activity_id=block_id("raised/h5p"),
        h5p_activity=activity, verb=xapi.ANSWERED, score_scaled=0.6, counted=True,
        raw=_statement(activity, 3, 5, counted=True),
    )  # fmt: skip
    services.activity_complete(
        user=volunteer, module=page, course=course, activity_id=block_id("raised/h5p"),
        kind="h5p", score=60,
    )  # fmt: skip
    body = client.get(page.url).content.decode()
    assert _status(body) == "✓ Completed · 3 of 5"
    assert "Pass mark: 80%." in body


def test_the_latest_score_of_each_block_is_found_on_any_database(client, learner, module, activity):
    """One query picks each block's row (the counted one, else the latest): no DISTINCT ON, which
    only PostgreSQL knows (`make run` uses SQLite)."""
    _course, page = module
    _record(learner, page, activity, 1, 5)
    _record(learner, page, activity, 2, 5)
    assert (
        _status(client.get(page.url).content.decode()) == "2 of 5 — not yet passed (pass mark 60%)"
    )


# --- A page open for a long time ----------------------------------------------------------------
def test_a_fresh_launch_brings_a_fresh_player_address(client, learner, module, activity, settings):
    """The frame may start long after the page was served (lazy, on tap, "Try again"): the
    launch endpoint gives a new player address with the new token."""

    _course, page = module
    url = reverse("courses:h5p_launch", args=[page.pk, block_id("status/h5p")])
    data = client.get(url).json()
    assert data["ok"] and data["token"]
    assert data["player_url"].startswith(f"http://h5p.testserver/h5p/play/{activity.uuid}/")
    launch = data["player_url"].rstrip("/").rsplit("/", 1)[1]
    checked = xapi.player_launch_check(launch, activity_uuid=str(activity.uuid))
    assert checked.user_id == learner.pk


# --- Accessibility of the block -----------------------------------------------------------------
def test_the_blocks_controls_are_told_apart_and_the_live_region_is_there_from_the_start(
    client, learner, module, activity
):
    _course, page = module
    learner.low_bandwidth = True
    learner.save(update_fields=["low_bandwidth"])
    body = client.get(page.url).content.decode()
    title_id = f"h5p-title-{block_id('status/h5p')}"
    button = re.search(r"<button[^>]*data-h5p-start[^>]*>", body).group(0)
    assert f'aria-describedby="{title_id}"' in button
    assert f'id="{title_id}"' in body
    # Empty, but in the page (not hidden): text put in it later is announced.
    loading = re.search(r"<p[^>]*data-h5p-loading[^>]*>(.*?)</p>", body, re.S)
    assert loading.group(1) == "" and " hidden" not in loading.group(0)
    assert 'aria-live="polite"' in loading.group(0)


# --- One copy of each helper --------------------------------------------------------------------
def test_the_players_weight_uses_the_copies_the_origin_serves(settings):
    """The player's size is that of the compressed copies the H5P origin keeps in memory (one
    compression per process, shared), not a compression of its own."""

    weight._player_size.cache_clear()
    compression._memory.clear()
    size = weight.player_size()
    assert size > 10_000
    assert any(key[0] == str(origin.RELAY) for key in compression._memory)
    assert weight.RELAY is origin.RELAY
