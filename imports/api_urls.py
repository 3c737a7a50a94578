"""API endpoints of the imports app under /api/v1/ (namespace "api")."""

from django.urls import path

from . import apis

urlpatterns = [
    path("imports/", apis.ImportListCreateApi.as_view(), name="imports"),
    path(
        "imports/<str:reference>/",
        apis.ImportDetailApi.as_view(),
        name="import-detail",
    ),
]
