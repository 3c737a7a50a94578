"""Migration 0008 gives packs stored before it the prior-consent and customer-
statement sections, as a new version with history."""

import importlib

import pytest
from django.apps import apps

from compliance.floors import floor_breaches
from compliance.models import RulePack

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "compliance.migrations.0008_prior_consent_and_preferences"
)


def test_a_pack_stored_without_the_sections_gets_them_as_a_new_version():
    pack = RulePack.objects.get(code="us")
    for key in migration.SECTIONS:
        pack.parameters.pop(key)
    pack.save()
    assert {b.path for b in floor_breaches("us", pack.parameters)} >= {
        "prior_consent",
        "customer_preferences",
    }
    version = pack.version

    migration.add_sections(apps, None)

    pack.refresh_from_db()
    assert pack.version == version + 1
    assert pack.parameters["prior_consent"]["caps"] == ["calls_7_in_7"]
    assert floor_breaches("us", pack.parameters) == []
    assert pack.history.first().history_change_reason.startswith("migration:")
    migration.add_sections(apps, None)  # idempotent
    pack.refresh_from_db()
    assert pack.version == version + 1
