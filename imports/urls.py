"""Browser pages of the imports app."""

from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.import_index, name="index"),
    path("<str:reference>/", views.import_detail, name="detail"),
    path("<str:reference>/restart/", views.import_restart, name="restart"),
]
