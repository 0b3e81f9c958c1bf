import pytest


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path, monkeypatch):
    """Certificates' PDFs and pool exports are private files: each test gets its own folder.

    Setting ACOMPANA_PRIVATE_ROOT alone is not enough: `private_storage()` is called once, when
    the models load, so the fields' storage keeps the folder it was made with. The fields get a
    storage on the test's folder too."""
    from django.core.files.storage import FileSystemStorage

    from certificates.models import Certificate, PoolExport

    root = tmp_path / "private"
    settings.ACOMPANA_PRIVATE_ROOT = root
    storage = FileSystemStorage(location=root, base_url=None)
    for model, name in ((Certificate, "pdf"), (PoolExport, "file")):
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    return root
