"""URLs of the audit page."""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
]
