"""Imports under /api/v1/imports/ (admins): upload a file, read the runs.

The upload (at most IMPORT_MAX_BYTES) is stored and loaded by a worker: the answer
is 202 with the run's reference and its status URL. The run's `status` goes queued,
running (`rows_read` of about `rows_expected`), then completed, rejected (nothing
written, `errors` name each row and column), dry_run, or failed (`failure_reason`).
A malformed request (no file, unknown kind, a file too large) is a 400 error body
naming the field. Larger files belong to the import_portfolio command.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import errors, parse
from core.permissions import ROLE_PERMISSIONS
from core.roles import Role, user_has_role

from . import selectors, services
from .models import ImportRun
from .serializers import (
    ImportAcceptedSerializer,
    ImportInputSerializer,
    ImportRunSerializer,
)

# Written out because, without COMPONENT_SPLIT_REQUEST, drf-spectacular would describe
# the serializer's FileField as a URI rather than as the uploaded bytes.
UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "minLength": 1,
            "description": "A UTF-8 CSV file (docs/imports.md); not empty.",
        },
        "kind": {"type": "string", "enum": ImportRun.Kind.values},
        "partial": {
            "type": "boolean",
            "default": False,
            "description": "Load the valid rows and report the bad ones.",
        },
        "dry_run": {
            "type": "boolean",
            "default": False,
            "description": "Check and count, write nothing.",
        },
    },
    "required": ["file", "kind"],
}


class IsAdmin(BasePermission):
    message = "Only admins may do this."

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, Role.ADMIN)


ADMIN_PERMISSIONS = [*ROLE_PERMISSIONS, IsAdmin]


class ImportListCreateApi(generics.ListAPIView):
    permission_classes = ADMIN_PERMISSIONS
    required_scopes = {"GET": "imports:write", "POST": "imports:write"}
    serializer_class = ImportRunSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["kind", "status", "source"]
    ordering_fields = ["started_at", "rows_total"]

    def get_queryset(self):
        return selectors.import_run_list()

    @extend_schema(
        operation_id="imports_list",
        summary="Import runs, newest first (admin)",
        responses={200: ImportRunSerializer(many=True), **errors(403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="imports_create",
        summary="Import a portfolio or payments CSV file (admin)",
        description=(
            "Multipart upload: `file`, `kind` (portfolio or payments), optional "
            "`partial` and `dry_run`. Answers 202 with the run's reference and "
            "status URL; a worker loads the file (see imports_retrieve for its "
            "progress and report). Columns are documented in docs/imports.md."
        ),
        request={"multipart/form-data": UPLOAD_SCHEMA},
        responses={202: ImportAcceptedSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = parse(ImportInputSerializer, request.data)
        upload = data["file"]
        run = services.import_submit(
            kind=data["kind"],
            file=upload.file,
            file_name=upload.name,
            size=upload.size,
            source=ImportRun.Source.API,
            actor=request.user,
            partial=data["partial"],
            dry_run=data["dry_run"],
        )
        url = request.build_absolute_uri(
            reverse("api:import-detail", args=[run.reference])
        )
        return Response(
            {"reference": run.reference, "status": run.status, "status_url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )


class ImportDetailApi(generics.RetrieveAPIView):
    permission_classes = ADMIN_PERMISSIONS
    required_scopes = {"GET": "imports:write"}
    serializer_class = ImportRunSerializer
    lookup_field = "reference"

    def get_queryset(self):
        return selectors.import_run_list()

    @extend_schema(
        operation_id="imports_retrieve",
        summary="One import run with its report (admin)",
        responses={200: ImportRunSerializer, **errors(403, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
