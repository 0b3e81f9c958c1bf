"""Replace Wagtail's placeholder welcome page with the platform's home page."""

from django.db import migrations


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("training.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    if HomePage.objects.exists():
        return
    # Wagtail's first migration creates a "Welcome to your new Wagtail site!" page at depth 2.
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="training")
    locale = Locale.objects.order_by("pk").first()
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="Acompaña",
        draft_title="Acompaña",
        slug="home",
        content_type=content_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        intro="Training and certification for peer supporters.",
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(
        hostname="localhost", root_page=home, is_default_site=True, site_name="Acompaña"
    )


def remove_home_page(apps, schema_editor):
    apps.get_model("training.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_homepage"),
        ("wagtailcore", "0094_alter_page_locale"),
    ]

    operations = [migrations.RunPython(create_home_page, remove_home_page)]
