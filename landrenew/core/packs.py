"""Rule packs (规则包): one registry for every kind of pack, resolved by (kind, place, date).

Every decision the platform takes follows the rules of a place: a pack belongs to a
*jurisdiction* (a GB/T 2260 code: province ``440000``, city ``440700`` or district) and a period
(``effective_from`` … ``effective_to``), and has a *kind* (the identification standard, the
urban-village phase rules, the consolidation scheme …). :func:`resolve` picks, for a kind, a
place and a day, the most specific pack in force (district over city over province); where none
applies it refuses with :class:`NoRules`, naming the kind and the place — never another city's
rules. A pack whose ``issued_on`` is null is a draft (征求意见稿): decisions taken under it say so.

Packs are YAML files read from the package (``landrenew/rules``) and from the directories of
``LANDRENEW_RULES_PATH`` (a bureau's own packs; reading and checking the files is
:mod:`landrenew.core.packfiles`). A pack with the same id and a higher version
replaces the one it copies. A pack may name a ``parent`` whose content it extends.

Each parameter of a pack says where its number comes from (:data:`~landrenew.core.packmodels.Basis`): ``document`` (the
cited text states it), ``national`` (a named national law or standard), ``local_initial`` (a
starting value the bureau must set: never presented as if a document said it) or ``local`` (a
value the bureau has confirmed in its own pack).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from landrenew.core import places
from landrenew.core.errors import Conflict
from landrenew.core.packfiles import (
    PackError,
    builtin_dir,
    bureau_dirs,
    deep_merge,
    read_yaml,
    validation_error,
    version_key,
)
from landrenew.core.packmodels import (
    HEADER_KEYS,
    KINDS,
    PackHeader,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


# ---------------------------------------------------------------------------------- errors


class NoRules(Conflict):
    """No pack of a kind applies to a place on a day: the decision is refused (409
    ``no_rules``), naming the kind and the place."""

    code = "no_rules"

    def __init__(self, kind: str, place: str, on: dt.date) -> None:
        self.kind, self.place, self.on = kind, place, on
        k = KINDS.get(kind)
        zh, en = (k.zh, k.en) if k else (kind, kind)
        lvl = places.level(place)
        city = places.place_name(places.city_of(place) if lvl != "province" else place)
        if lvl == "district":
            where_zh, where_en = f"（{places.place_name(place)}，{on}）", f" for {places.place_name(place)}"
        else:
            where_zh, where_en = f"（{on}）", ""
        super().__init__(f"{city}没有{zh}{where_zh} | {city} has no {en} (kind {kind}){where_en} "
                         f"on {on.isoformat()}", field="district")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "kind": self.kind, "place": self.place,
                "on": self.on.isoformat()}


# ---------------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class PackInfo:
    """A pack as the registry knows it: its header, where it was read, whether a bureau wrote it."""

    header: PackHeader
    path: Path
    origin: Literal["builtin", "bureau"]

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def version(self) -> str:
        return self.header.version

    @property
    def kind(self) -> str:
        return self.header.kind

    @property
    def jurisdiction(self) -> str:
        return self.header.jurisdiction.code

    @property
    def draft(self) -> bool:
        return self.header.issued_on is None

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    def in_force(self, on: dt.date) -> bool:
        h = self.header
        return h.effective_from <= on and (h.effective_to is None or on <= h.effective_to)

    def as_dict(self) -> dict[str, Any]:
        h = self.header
        return {"pack": h.id, "version": h.version, "kind": h.kind,
                "title": h.title.model_dump(), "jurisdiction": h.jurisdiction.code,
                "jurisdiction_name": h.jurisdiction.name, "draft": self.draft,
                "issued_on": h.issued_on, "effective_from": h.effective_from,
                "effective_to": h.effective_to, "parent": h.parent, "source": self.source,
                "origin": self.origin}

    @property
    def source(self) -> str:
        """Where the pack was read, without the server's directories: the file under the
        package's ``rules`` for a shipped pack, the file name for a bureau's."""
        if self.origin == "builtin":
            try:
                return self.path.relative_to(builtin_dir()).as_posix()
            except ValueError:
                pass
        return self.path.name


def read_header(path: Path, data: Mapping[str, Any], node: yaml.Node) -> PackHeader:
    try:
        return PackHeader.model_validate({k: data[k] for k in HEADER_KEYS if k in data})
    except ValidationError as exc:
        raise validation_error(exc, path, node) from None


@dataclass
class Registry:
    """Every pack found in the built-in directory and the bureau's directories."""

    packs: dict[str, PackInfo] = field(default_factory=dict)
    shadowed: list[PackInfo] = field(default_factory=list)
    problems: list[PackError] = field(default_factory=list)
    _models: dict[tuple[str, str, str], Any] = field(default_factory=dict, repr=False)

    @classmethod
    def scan(cls, dirs: Iterable[tuple[Path, Literal["builtin", "bureau"]]]) -> Registry:
        reg = cls()
        for folder, origin in dirs:
            if not folder.is_dir():
                reg.problems.append(PackError("not a directory (LANDRENEW_RULES_PATH)",
                                              file=str(folder)))
                continue
            for path in sorted(folder.rglob("*.yaml")):
                try:
                    data, node = read_yaml(path)
                    if "kind" not in data:
                        continue  # not a rule pack (e.g. a data file beside them)
                    reg.add(PackInfo(read_header(path, data, node), path, origin))
                except PackError as exc:
                    reg.problems.append(exc)
        return reg

    def add(self, info: PackInfo) -> None:
        old = self.packs.get(info.id)
        if old is None:
            self.packs[info.id] = info
            return
        a, b = version_key(old.version), version_key(info.version)
        if a == b:
            self.problems.append(PackError(
                f"pack '{info.id}' {info.version} is also in {old.path}: a copy must raise "
                "the version to replace it", file=str(info.path), field="version"))
            return
        low, high = (old, info) if a < b else (info, old)
        self.packs[info.id] = high
        self.shadowed.append(low)

    # ------------------------------------------------------------------ reading

    def all(self, kind: str | None = None) -> list[PackInfo]:
        return sorted((p for p in self.packs.values() if kind is None or p.kind == kind),
                      key=lambda p: (p.kind, p.jurisdiction, p.header.effective_from, p.id))

    def get(self, pack_id: str) -> PackInfo:
        try:
            return self.packs[pack_id]
        except KeyError:
            raise PackError(f"no rule pack {pack_id!r} (packs: {', '.join(sorted(self.packs))})",
                            field="pack") from None

    def candidates(self, kind: str, place: str) -> list[PackInfo]:
        """Packs of ``kind`` belonging to the place or a place holding it, most specific first."""
        chain = places.lineage(place)
        found = [p for p in self.packs.values() if p.kind == kind and p.jurisdiction in chain]
        found.sort(key=lambda p: version_key(p.version), reverse=True)  # stable sorts: last key
        found.sort(key=lambda p: p.draft)                                # first, most decisive
        found.sort(key=lambda p: p.header.effective_from, reverse=True)
        found.sort(key=lambda p: chain.index(p.jurisdiction))
        return found

    def resolve(self, kind: str, place: str, on: dt.date) -> PackInfo:
        """The most specific pack of ``kind`` in force at ``place`` on ``on``; at one level the
        latest in force (then an issued pack before a draft, then the higher version)."""
        if kind not in KINDS:
            raise PackError(f"unknown kind of pack '{kind}' (known: {', '.join(KINDS)})",
                            field="kind")
        for p in self.candidates(kind, place):
            if p.in_force(on):
                return p
        raise NoRules(kind, places.check_code(place), on)

    def explain(self, kind: str, place: str, on: dt.date) -> list[tuple[PackInfo, str]]:
        """Every candidate with why it was chosen or passed over (``rules which``)."""
        out: list[tuple[PackInfo, str]] = []
        chosen = False
        for p in self.candidates(kind, place):
            if not p.in_force(on):
                end = p.header.effective_to or "open"
                why = f"not in force on {on} ({p.header.effective_from} → {end})"
            elif chosen:
                why = "a more specific or later pack applies"
            else:
                chosen = True
                why = "chosen: the most specific pack in force"
            out.append((p, why))
        return out

    def content(self, pack_id: str) -> dict[str, Any]:
        """The pack's YAML with its parents' merged beneath it (child over parent)."""
        chain: list[PackInfo] = []
        info = self.get(pack_id)
        while True:
            if any(c.id == info.id for c in chain):
                raise PackError("parent packs form a cycle", file=str(info.path), field="parent")
            chain.append(info)
            if not info.header.parent:
                break
            info = self.get(info.header.parent)
        merged: dict[str, Any] = {}
        for c in reversed(chain):
            data, _ = read_yaml(c.path)
            merged = deep_merge(merged, {k: v for k, v in data.items() if k != "parent"})
        top, _ = read_yaml(chain[0].path)
        return {**merged, **{k: top[k] for k in HEADER_KEYS if k in top}}

    def load(self, pack_id: str, model: type[ModelT]) -> ModelT:
        """The pack's content checked by ``model`` (cached); a refusal names file and field."""
        info = self.get(pack_id)
        key = (info.id, info.version, model.__qualname__)
        if key not in self._models:
            data = self.content(pack_id)
            _, node = read_yaml(info.path)
            try:
                self._models[key] = model.model_validate(data)
            except ValidationError as exc:
                raise validation_error(exc, info.path, node) from None
        return self._models[key]

    def model_of(self, kind: str) -> type[BaseModel]:
        module, _, name = KINDS[kind].model.partition(":")
        model: type[BaseModel] = getattr(import_module(module), name)
        return model

    def check(self, pack_id: str) -> Any:
        """Load a pack with its kind's model (``rules check``)."""
        info = self.get(pack_id)
        if info.kind == "identification":
            loader = import_module("landrenew.evaluation.loader")
            return loader.load_pack(info.path)
        return self.load(pack_id, self.model_of(info.kind))


@cache
def _registry(rules_path: str | None) -> Registry:
    dirs: list[tuple[Path, Literal["builtin", "bureau"]]] = [(builtin_dir(), "builtin")]
    dirs += [(d, "bureau") for d in bureau_dirs(rules_path)]
    return Registry.scan(dirs)


def registry() -> Registry:
    """The registry for this deployment's ``LANDRENEW_RULES_PATH`` (read once per path)."""
    from landrenew.core.settings import get_settings

    return _registry(get_settings().rules_path)


def reload() -> None:
    """Forget every pack read (after a bureau edits its packs, and in tests)."""
    from landrenew.core.settings import get_settings

    _registry.cache_clear()
    get_settings.cache_clear()


def resolve(kind: str, place: str, on: dt.date) -> PackInfo:
    """The pack of ``kind`` that decides at ``place`` (a district, city or province code) on
    ``on``; :class:`NoRules` where none applies."""
    return registry().resolve(kind, place, on)


def load(pack_id: str, model: type[ModelT]) -> ModelT:
    return registry().load(pack_id, model)


def resolve_load(kind: str, place: str, on: dt.date, model: type[ModelT]) -> ModelT:
    """The content of the pack that decides (see :func:`resolve`)."""
    return load(resolve(kind, place, on).id, model)


def provenance(info: PackInfo) -> dict[str, Any]:
    """What a stored decision keeps of the pack it used."""
    return {"pack": info.id, "pack_version": info.version, "jurisdiction": info.jurisdiction,
            "draft": info.draft}


def unconfirmed(pack: Any) -> list[tuple[str, Any]]:
    """The ``local_initial`` numbers of a loaded pack, wherever they sit (top-level parameters,
    a provision's rate …): ``(path, parameter)``, in the pack's order."""
    out: list[tuple[str, Any]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, BaseModel):
            if getattr(node, "basis", None) == "local_initial" and hasattr(node, "value"):
                out.append((path, node))
                return
            for name in type(node).model_fields:
                walk(getattr(node, name), f"{path}.{name}" if path else name)
        elif isinstance(node, Mapping):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, (list, tuple)):
            for i, v in enumerate(node):
                code = getattr(v, "code", None) or getattr(v, "id", None)
                walk(v, f"{path}[{code if isinstance(code, str) else i}]")

    walk(getattr(pack, "parameters", None) or {}, "")
    for name in ("provisions",):
        if hasattr(pack, name):
            walk(getattr(pack, name), name)
    return out
