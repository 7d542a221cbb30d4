"""Report URLs (mounted under /reports/): the uptime report for staff, the public camera register."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("uptime/", views.report_page, name="uptime"),
    path("uptime/csv/", views.report_csv, name="uptime-csv"),
    path("uptime/pdf/", views.report_pdf, name="uptime-pdf"),
    path("register/", views.register_page, name="register"),
    path("register/csv/", views.register_csv, name="register-csv"),
]
