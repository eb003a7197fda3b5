"""The page tests reuse the API tests' small city (two districts, six parcels, one run)."""

from api.conftest import city, world  # noqa: F401  (fixtures)
