from django.urls import path

from . import api, converters, pool_views, views  # noqa: F401 - converters registers itself

app_name = "certificates"

urlpatterns = [
    # The volunteer
    path("certification/", views.mine, name="mine"),
    path("certification/agreements/<slug:slug>/", views.agreement, name="agreement"),
    path("certification/certificates/<certificate_code:code>/", views.certificate,
         name="certificate"),
    path("certification/certificates/<certificate_code:code>/retry/", views.certificate_retry,
         name="certificate_retry"),
    path("certification/certificates/<certificate_code:code>/language/",
         views.certificate_language, name="certificate_language"),
    path("certification/certificates/<certificate_code:code>/pdf/", views.certificate_pdf,
         name="certificate_pdf"),
    path("certification/pool/", views.pool_settings, name="pool"),
    path("certification/pool/email/<str:token>/", views.pool_email_confirm,
         name="pool_email_confirm"),
    # Coordinators
    path("dashboard/coordinator/queue/", views.queue, name="queue"),
    path("dashboard/coordinator/tracks/<slug:slug>/", views.track_people, name="track"),
    path("dashboard/coordinator/tracks/<slug:slug>/people/<int:user_id>/", views.track_person,
         name="track_person"),
    path("dashboard/coordinator/tracks/<slug:slug>/people/<int:user_id>/exception/",
         views.grant_exception, name="grant_exception"),
    path("dashboard/coordinator/tracks/<slug:slug>/people/<int:user_id>/exception/"
         "<int:exception_id>/withdraw/", views.withdraw_exception, name="withdraw_exception"),
    path("dashboard/coordinator/tracks/<slug:slug>/people/<int:user_id>/requests/"
         "<int:request_id>/", views.decide, name="decide"),
    path("dashboard/coordinator/tracks/<slug:slug>/people/<int:user_id>/certificates/"
         "<certificate_code:code>/revoke/", views.revoke, name="revoke"),
    path("dashboard/coordinator/tracks/<slug:slug>/people/<int:user_id>/certificates/"
         "<certificate_code:code>/pdf/", views.person_pdf, name="person_pdf"),
    # The responder pool
    path("pool/", pool_views.pool_list, name="pool_list"),
    path("pool/export.csv", pool_views.export_csv, name="export_csv"),
    path("pool/export.json", pool_views.export_json, name="export_json"),
    path("pool/export/xlsx/", pool_views.export_xlsx, name="export_xlsx"),
    path("pool/exports/<int:export_id>/", pool_views.export_status, name="export"),
    path("pool/exports/<int:export_id>/download/", pool_views.export_download,
         name="export_download"),
    path("pool/log/", pool_views.access_log, name="access_log"),
    path("pool/log/<int:entry_id>/", pool_views.access_log_entry, name="access_log_entry"),
    path("pool/tokens/", pool_views.tokens, name="tokens"),
    path("pool/tokens/<int:token_id>/revoke/", pool_views.token_revoke, name="token_revoke"),
    path("api/v1/responders/", api.responders, name="api_responders"),
]  # fmt: skip
