"""Personas shared by every test: collector, teammate, supervisor, admin, outsider."""

import pytest
from django.db import connection

from tests.cases.factories import TeamFactory, UserFactory, WorkQueueFactory


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only and Redis-only tests where those services are not set."""
    import os

    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_redis = pytest.mark.skip(reason="needs Redis (set REDIS_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """The test client runs a request in the test's own thread, and LocaleMiddleware
    leaves the request's language active in it: a test that asks for a page in
    Chinese would otherwise make the next test's messages Chinese."""
    from django.utils import translation

    yield
    translation.deactivate()


def _reference_data_install() -> None:
    """Re-run the reference-data installers (all idempotent): transactional tests
    flush the database at teardown, so a database kept with --reuse-db would
    otherwise start the next session without role groups, rule packs or the
    default ladder."""
    from django.apps import apps

    from compliance.pack_defaults import rule_packs_install
    from core.role_grants import roles_install
    from escalation.reference import approval_authority_install, default_ladder_install

    roles_install(apps)
    rule_packs_install(apps)
    default_ladder_install(apps)
    approval_authority_install(apps)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _reference_data_install()
        # Transactional tests with serialized_rollback restore the state saved when
        # the test database was set up: on a kept database that was before the
        # installers ran, so every such test after the first started without rule
        # packs or roles. Save it again with them.
        if hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = (
                connection.creation.serialize_db_to_string()
            )


@pytest.fixture
def gateway():
    """A recording SMS gateway on 127.0.0.1 (tests/fakes/sms_gateway.py)."""
    from tests.fakes.sms_gateway import RecordingGateway

    with RecordingGateway() as gw:
        yield gw


@pytest.fixture
def any_hour():
    """Open the cn window all day: for tests about delivery, not the clock."""
    from compliance.models import RulePack

    pack = RulePack.objects.get(code="cn")
    pack.parameters["contact_window"]["enabled"] = False
    pack.version += 1
    pack.save()


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def team(db):
    return TeamFactory(name="Shanghai A")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Beijing B")


@pytest.fixture
def queue(team):
    return WorkQueueFactory(code="early", name="Early arrears", team=team)


@pytest.fixture
def other_queue(other_team):
    return WorkQueueFactory(code="late", name="Late arrears", team=other_team)


@pytest.fixture
def collector(team):
    user = UserFactory(username="collector", roles=["collector"])
    team.members.add(user)
    return user


@pytest.fixture
def teammate(team):
    user = UserFactory(username="teammate", roles=["collector"])
    team.members.add(user)
    return user


@pytest.fixture
def outsider(other_team):
    user = UserFactory(username="outsider", roles=["collector"])
    other_team.members.add(user)
    return user


@pytest.fixture
def supervisor(team):
    user = UserFactory(username="supervisor", roles=["supervisor"])
    team.supervisors.add(user)
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", roles=["admin"], is_staff=True)
