"""Platform services (平台服务): the use cases behind the REST API and, later, the pages.

Each function takes the store, the acting :class:`~landrenew.core.access.Principal` and plain
values, applies the access policy (district scope, sensitive fields) and returns plain data.
The API routes only translate HTTP to these calls and back.
"""
