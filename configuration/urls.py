"""Browser pages of the configuration app."""

from django.urls import path  # noqa: F401

app_name = "configuration"
urlpatterns: list = []
