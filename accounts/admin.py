"""Admin of operator scopes (which elderships an Operator sees)."""

from django.contrib import admin

from .models import OperatorScope


@admin.register(OperatorScope)
class OperatorScopeAdmin(admin.ModelAdmin):
    list_display = ["user"]
    filter_horizontal = ["elderships"]
    autocomplete_fields = ["user"]
