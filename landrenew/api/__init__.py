"""The REST API (接口) over the platform services: ``create_app(settings)`` builds it."""

from landrenew.api.app import create_app

__all__ = ["create_app"]
