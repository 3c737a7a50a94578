"""POST /api/v1/imports/, GET /api/v1/imports/{reference}/ and the /imports/ page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportRun
from tests.api import client_for

from .helpers import csv_bytes, loan_row, payment_row, payments_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/"


def upload(data: bytes, name: str = "portfolio.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def accepted_then_report(client, response):
    """The 202 answer names the run and its status URL; the URL gives the report
    the worker (inline here) wrote."""
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "queued"
    assert body["status_url"].endswith(f"{URL}{body['reference']}/")
    assert response["Location"] == body["status_url"]
    report = client.get(body["status_url"])
    assert report.status_code == 200
    return report.json()


def test_admin_imports_a_file_and_sees_the_customers_in_the_api(
    admin_user, worker_inline
):
    client = client_for(admin_user)
    with worker_inline():
        response = client.post(
            URL, {"file": upload(csv_bytes([loan_row()])), "kind": "portfolio"}
        )
    body = accepted_then_report(client, response)
    assert body["status"] == "completed"
    assert body["counts"]["customers_created"] == 1
    assert body["created_by"] == "admin"
    assert body["file_name"] == "portfolio.csv"

    customers = client.get("/api/v1/customers/").json()["results"]
    assert [c["full_name"] for c in customers] == ["王小明"]
    loan = client.get("/api/v1/loans/L-1/").json()
    assert loan["days_past_due"] == 40

    detail = client.get(f"{URL}{body['reference']}/")
    assert detail.status_code == 200
    assert detail.json()["rows_loaded"] == 1
    listing = client.get(URL, {"kind": "portfolio"}).json()
    assert [r["reference"] for r in listing["results"]] == [body["reference"]]


def test_a_file_with_bad_rows_answers_the_report_and_writes_nothing(
    admin_user, worker_inline
):
    data = csv_bytes([loan_row(), loan_row(loan_reference="L-2", currency="12")])
    client = client_for(admin_user)
    with worker_inline():
        response = client.post(URL, {"file": upload(data), "kind": "portfolio"})
    body = accepted_then_report(client, response)
    assert body["status"] == "rejected"
    assert body["errors"] == [
        {
            "row": 3,
            "field": "currency",
            "message": "'12' is not an ISO 4217 currency code (e.g. CNY, USD).",
        }
    ]
    assert ImportRun.objects.get().errors_total == 1
    assert client_for(admin_user).get("/api/v1/customers/").json()["count"] == 0


def test_partial_and_payments_through_the_api(admin_user, worker_inline):
    client = client_for(admin_user)
    data = csv_bytes([loan_row(), loan_row(loan_reference="L-2", currency="12")])
    with worker_inline():
        response = client.post(
            URL, {"file": upload(data), "kind": "portfolio", "partial": "true"}
        )
    body = accepted_then_report(client, response)
    assert (body["status"], body["rows_loaded"], body["rows_rejected"]) == (
        "completed",
        1,
        1,
    )
    with worker_inline():
        response = client.post(
            URL, {"file": upload(payments_bytes([payment_row()])), "kind": "payments"}
        )
    body = accepted_then_report(client, response)
    assert body["counts"]["payments_created"] == 1


def test_a_request_without_a_file_is_a_400_naming_the_field(admin_user):
    response = client_for(admin_user).post(URL, {"kind": "portfolio"})

    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_an_unknown_kind_is_a_400(admin_user):
    response = client_for(admin_user).post(
        URL, {"file": upload(b"a\n"), "kind": "customers"}
    )

    assert response.status_code == 400
    assert "kind" in response.json()["errors"]


@pytest.mark.parametrize("persona", ["collector", "supervisor"])
def test_non_admins_may_not_import_or_read_imports(request, persona, admin_user):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    response = client.post(
        URL, {"file": upload(csv_bytes([loan_row()])), "kind": "portfolio"}
    )
    assert response.status_code == 403
    assert not ImportRun.objects.exists()

    from .helpers import run_import

    run = run_import(csv_bytes([loan_row()]))
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{run.reference}/").status_code == 403


def test_anonymous_requests_are_refused():
    from rest_framework.test import APIClient

    assert APIClient().post(URL, {}).status_code in (401, 403)


def test_the_import_page_uploads_and_shows_the_report(
    client, admin_user, worker_inline
):
    client.force_login(admin_user)
    page = client.get("/imports/")
    assert page.status_code == 200

    with worker_inline():
        response = client.post(
            "/imports/",
            {"kind": "portfolio", "file": upload(csv_bytes([loan_row()]))},
        )
    run = ImportRun.objects.get()
    # Accepted: on to the page of the queued run, which follows the worker.
    assert response.status_code == 303
    assert response["Location"] == f"/imports/{run.reference}/"
    report = client.get(response["Location"]).content.decode()
    assert "王小明" in report
    assert "C-1" in report
    # The overdue customer's new case is linked.
    from cases.models import Case

    case = Case.objects.get()
    assert f"/cases/{case.reference}/" in report


def test_the_import_page_shows_row_errors(client, admin_user, worker_inline):
    client.force_login(admin_user)
    data = csv_bytes([loan_row(mobile="12")])
    with worker_inline():
        response = client.post("/imports/", {"kind": "portfolio", "file": upload(data)})
    assert response.status_code == 303
    report = client.get(response["Location"]).content.decode()

    assert "&#x27;12&#x27; is not a valid phone number." in report
    assert "mobile" in report


def test_the_import_page_is_for_admins_only(client, collector):
    client.force_login(collector)
    assert client.get("/imports/").status_code == 403
    assert client.post("/imports/", {"kind": "portfolio"}).status_code == 403


def test_a_large_upload_is_read_from_its_temporary_file(
    admin_user, settings, worker_inline
):
    # Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    data = csv_bytes([loan_row(), loan_row(loan_reference="L-2")])
    assert len(data) > 100
    client = client_for(admin_user)
    with worker_inline():
        response = client.post(URL, {"file": upload(data), "kind": "portfolio"})
    assert accepted_then_report(client, response)["rows_loaded"] == 2


def test_an_integration_token_imports_with_the_imports_scope_only(
    admin_user, worker_inline
):
    from tests.integrations.test_tokens import bearer, issue

    allowed = bearer(issue(admin_user, "imports:write"))
    with worker_inline():
        response = allowed.post(
            URL, {"file": upload(csv_bytes([loan_row()])), "kind": "portfolio"}
        )
    body = accepted_then_report(allowed, response)
    assert body["counts"]["customers_created"] == 1

    refused = bearer(issue(admin_user, "cases:read"))
    response = refused.post(
        URL, {"file": upload(csv_bytes([loan_row()])), "kind": "portfolio"}
    )
    assert response.status_code == 403
    assert "imports:write" in response.json()["message"]
    assert ImportRun.objects.count() == 1
