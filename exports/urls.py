"""Public evidence URLs (mounted under /evidence/): the published key and the verification page."""

from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("public-key.pem", views.public_key_pem, name="public-key"),
    path("key/", views.key_page, name="key"),
    path("verify/", views.verify_page, name="verify"),
]
