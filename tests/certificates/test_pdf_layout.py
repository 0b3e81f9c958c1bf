"""PDFs made with an earlier look (before the fonts that print every script, say) are prepared
again once, when their holder opens them; a PDF of the current look is never rendered twice."""

import pytest
from django.urls import reverse

from certificates import pdf, tasks
from certificates.models import Certificate

from .factories import make_certificate, make_track

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered(volunteer):
    """A certificate whose PDF is ready, made with the current look."""
    certificate = make_certificate(volunteer, make_track(title="Peer supporter"), language="en")
    tasks.render_certificate(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.Pdf.READY and certificate.pdf_fingerprint
    return certificate


def _made_with_an_earlier_look(certificate):
    """What the stored fingerprint was before pdf.LAYOUT existed: the content alone."""
    context = pdf.context_for(certificate)
    del context["layout"]
    old = pdf.fingerprint(context)
    Certificate.objects.filter(pk=certificate.pk).update(pdf_fingerprint=old)
    return old


def test_an_earlier_look_is_prepared_again_when_the_holder_opens_the_page(
    client, volunteer, rendered, django_capture_on_commit_callbacks
):
    old = _made_with_an_earlier_look(rendered)
    before = rendered.pdf.name
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # eager Celery
        response = client.get(reverse("certificates:certificate", args=[rendered.code]))
    assert response.status_code == 200
    assert callbacks  # the render was asked for
    rendered.refresh_from_db()
    assert rendered.pdf_status == Certificate.Pdf.READY  # not left "being prepared"
    assert rendered.pdf_fingerprint not in ("", old)
    assert rendered.pdf_fingerprint == pdf.fingerprint(pdf.context_for(rendered))
    assert rendered.pdf.name != before


def test_downloading_an_earlier_look_leads_to_the_page_and_then_to_the_new_pdf(
    client, volunteer, rendered, django_capture_on_commit_callbacks
):
    _made_with_an_earlier_look(rendered)
    client.force_login(volunteer)
    url = reverse("certificates:certificate_pdf", args=[rendered.code])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:certificate", args=[rendered.code])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_pdf_of_the_current_look_is_not_rendered_again(
    client, volunteer, rendered, django_capture_on_commit_callbacks
):
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks() as callbacks:
        client.get(reverse("certificates:certificate", args=[rendered.code]))
        client.get(reverse("certificates:certificate_pdf", args=[rendered.code]))
    assert callbacks == []
    rendered.refresh_from_db()
    assert rendered.pdf_status == Certificate.Pdf.READY
