"""API v1 mount point (the API itself lives in alongside.api.*)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Alongside API", version="1", urls_namespace="api")
