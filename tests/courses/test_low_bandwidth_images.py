"""Low-bandwidth mode: an image block shows a small placeholder with the image's description and
a "Show image" link; the page itself downloads no image bytes."""

import re

import pytest
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from courses import services
from courses.factories import block_id, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def image_module(volunteer):
    image = Image.objects.create(title="Two hands", file=get_test_image_file())
    course, modules = make_course("images", modules=1, body=lambda i: [{
        "type": "image", "id": block_id("image/i"),
        "value": {"image": image.pk, "alt_text": "Two hands holding a cup of tea",
                  "caption": "Listening over tea"},
    }])  # fmt: skip
    services.enrolment_create(user=volunteer, course=course)
    modules[0].save_revision().publish()  # a live revision: blocks are served from the cache
    return modules[0]


def _images(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", html)


def test_the_image_shows_normally(client, volunteer, image_module):
    client.force_login(volunteer)
    body = client.get(image_module.url).content.decode()
    assert any('alt="Two hands holding a cup of tea"' in tag and "src=" in tag
               for tag in _images(body))  # fmt: skip
    assert "Show image" not in body


def test_low_bandwidth_shows_a_placeholder_and_downloads_no_image(client, volunteer,
                                                                  image_module):  # fmt: skip
    client.force_login(volunteer)
    client.get(image_module.url)  # the full page is in the cache now
    volunteer.low_bandwidth = True
    volunteer.save()
    body = client.get(image_module.url).content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    assert not _images(main)  # no <img>: the browser fetches nothing
    assert "Show image" in main
    assert "Two hands holding a cup of tea" in main and "Listening over tea" in main
    # Without JavaScript, the button is a link to the image itself.
    link = re.search(r'<a class="button secondary" href="([^"]+)" data-show-image', main)
    assert link and link.group(1).endswith(".webp")
