"""Imports under /api/v1/imports/ (admins): upload a file, read the runs.

The upload is processed in the request and answers 201 with the run, whatever the
file held: the run's `status` says whether it was loaded (completed), refused with
nothing written (rejected, `errors` name each row and column) or only checked
(dry_run). A malformed request (no file, unknown kind) is a 400 error body. Large
files (hundreds of thousands of rows) belong to the import_portfolio command.
"""

from __future__ import annotations

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
from .serializers import ImportInputSerializer, ImportRunSerializer

# Written out because, without COMPONENT_SPLIT_REQUEST, drf-spectacular would describe
# the serializer's FileField as a URI rather than as the uploaded bytes.
UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "A UTF-8 CSV file (docs/imports.md).",
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
            "`partial` and `dry_run`. Answers 201 with the import run: `status` "
            "completed, rejected (nothing written; `errors` name row and column) or "
            "dry_run. Columns are documented in docs/imports.md."
        ),
        request={"multipart/form-data": UPLOAD_SCHEMA},
        responses={201: ImportRunSerializer, **errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        data = parse(ImportInputSerializer, request.data)
        upload = data["file"]
        run = services.import_run(
            kind=data["kind"],
            file=upload.file,
            file_name=upload.name,
            source=ImportRun.Source.API,
            actor=request.user,
            partial=data["partial"],
            dry_run=data["dry_run"],
        )
        return Response(ImportRunSerializer(run).data, status=status.HTTP_201_CREATED)


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
