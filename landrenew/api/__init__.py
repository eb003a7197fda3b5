"""The REST API, OGC API Features and vector tiles (接口): routers over the services.

:func:`landrenew.server.create_app` composes them with the pages into the served application.
"""
