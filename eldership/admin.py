"""Admin for elderships."""

from django.contrib import admin

from .models import Eldership


@admin.register(Eldership)
class EldershipAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "centre_latitude", "centre_longitude"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
