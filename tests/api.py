"""Helpers shared by the API tests."""

from rest_framework.test import APIClient


def client_for(user) -> APIClient:
    """An API client authenticated as `user` (session and token paths are tested
    separately in test_api_contract)."""
    client = APIClient()
    client.force_authenticate(user)
    return client
