"""Which layers the public sees (公开图层): one setting, ``public_layers``, honoured by the OGC
API, the vector tiles and the REST API alike.

A layer is ``parcels``, ``districts`` or a zone kind (``ecological_redline``, …). Anyone signed in
reads every layer (within their districts, as before); the anonymous public
(:data:`~landrenew.core.access.PUBLIC`) reads only the layers the setting names — from ``/ogc``,
``/tiles`` and ``/api`` the same — and is answered 401 (sign in) for any other, everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from landrenew.core.access import Principal
from landrenew.core.errors import ConfigurationError, NotAuthenticated
from landrenew.land.zones import ZONE_KINDS

#: Every layer, in the order the OGC API lists its collections.
LAYERS: tuple[str, ...] = ("parcels", "districts", *ZONE_KINDS)
#: What the public sees when the setting is not given: the parcels (no sensitive field, the
#: published run's categories) and the district boundaries; control lines and planning layers
#: (red lines, farmland, guideline parcels …) stay internal until the bureau names them.
DEFAULT_PUBLIC = ("parcels", "districts")


def public_set(names: Iterable[str]) -> frozenset[str]:
    """The setting's layers, checked: ``*`` means every layer; an unknown name is refused
    (naming the known ones) rather than silently leaving a layer closed."""
    names = [n.strip() for n in names if n.strip()]
    if "*" in names:
        return frozenset(LAYERS)
    unknown = [n for n in names if n not in LAYERS]
    if unknown:
        raise ConfigurationError(
            f"setting LANDRENEW_PUBLIC_LAYERS names unknown layer(s) {', '.join(unknown)}; "
            f"known: {', '.join(LAYERS)}", field="public_layers")
    return frozenset(names)


def readable(user: Principal, layer: str, public: frozenset[str]) -> bool:
    """Whether ``user`` may read ``layer``: a signed-in user any, the public only a public one."""
    return not user.is_public or layer in public


def require_layer(user: Principal, layer: str, public: frozenset[str]) -> None:
    """401 for the public reading a layer that is not public (the same answer on every face)."""
    if not readable(user, layer, public):
        raise NotAuthenticated(f"layer '{layer}' is not public: sign in to read it",
                               field="layer")


def readable_layers(user: Principal, public: frozenset[str]) -> tuple[str, ...]:
    """The layers ``user`` may read, in :data:`LAYERS` order."""
    return tuple(layer for layer in LAYERS if readable(user, layer, public))
