"""landrenew — low-efficiency land redevelopment platform (低效用地再开发平台).

A package cut by domain (``land``, ``evaluation``, ``projects`` …) over a small ``core``
(settings, store, spatial, audit).
"""

__version__ = "0.1.0"
