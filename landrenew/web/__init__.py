"""The web pages (网页): Jinja2 + htmx, MapLibre GL JS and ECharts served by the app itself.

``install(app)`` mounts the static files and the page routes and makes page errors HTML.
"""

from landrenew.web.pages import install

__all__ = ["install"]
