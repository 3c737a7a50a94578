"""What the supervisor's pages share: who may open them, and CSV answers."""

from __future__ import annotations

import csv

from django.http import HttpResponse

from core.roles import Role

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A BOM so spreadsheet programs read the Chinese names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return response
