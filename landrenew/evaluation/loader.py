"""Loading identification packs (认定标准) from YAML: line-accurate refusals, inheritance (继承).

A pack is named by id (found through the one registry, :mod:`landrenew.core.packs`) or by the path
of a YAML file (a trial pack); a file's ``parent`` is looked up next to it first, then in the
registry. Every refusal names the file and the line of the offending key.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from landrenew.core import packs as registry_
from landrenew.core.errors import ConfigurationError
from landrenew.core.packfiles import PackError, line_of, read_yaml
from landrenew.evaluation.packs import PackFile, Parameter, Potential, Rule, RulePack

KIND = "identification"

__all__ = ["PackError", "builtin_packs", "find_pack", "load_pack", "pack_for_date"]


def builtin_packs() -> list[str]:
    """Ids of the identification packs the registry holds (shipped and the bureau's)."""
    return sorted(p.id for p in registry_.registry().all(KIND))


def find_pack(ref: str | Path, near: Path | None = None) -> Path:
    """Path of a pack given its id or file path; an id is looked up next to ``near`` first (a
    trial pack's parent), then in the registry."""
    p = Path(ref)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return p
    if near is not None:
        for c in (near / f"{ref}.yaml", near / str(ref) / "low_efficiency.yaml"):
            if c.is_file():
                return c
    reg = registry_.registry()
    info = reg.packs.get(str(ref))
    if info is not None and info.kind == KIND:
        return info.path
    known = ", ".join(builtin_packs())
    raise PackError(f"no rule pack {str(ref)!r} (identification packs: {known})", file=str(ref))


def _loc_str(loc: tuple[Any, ...]) -> str:
    """``rules[0].when.all[1].op`` from a pydantic location (union tags removed)."""
    type_tags = {"compare", "Parameter", "bool", "int", "float", "str", "list[any]", "date"}
    out, last = "", None
    for p in loc:
        if isinstance(p, int):
            out += f"[{p}]"
        elif p in type_tags or (p == last and p in ("all", "any", "not", "known", "missing")):
            continue
        else:
            out += ("." if out else "") + str(p)
        last = p
    return out


def parse_pack_file(path: Path) -> tuple[PackFile, yaml.Node]:
    """Read and validate one pack file (no inheritance)."""
    data, node = read_yaml(path)
    try:
        return PackFile.model_validate(data), node
    except ValidationError as exc:
        err = _best_error(exc.errors())
        loc = tuple(err["loc"])
        raise PackError(_message(err), file=str(path), line=line_of(node, loc),
                        field=_loc_str(loc) or None) from None


def _best_error(errors: list[Any]) -> Any:
    """The most specific error (longest location), preferring unknown keys and missing ones."""
    rank = {"extra_forbidden": 2, "missing": 1}
    return max(errors, key=lambda e: (len(e["loc"]), rank.get(e["type"], 0)))


def _message(err: Any) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key (not part of the rule-pack schema)"
    if err["type"] == "missing":
        return "required key is missing"
    return str(err["msg"]).removeprefix("Value error, ")


# ------------------------------------------------------------------------------ resolution


def load_pack(ref: str | Path) -> RulePack:
    """Load a pack by id or path, resolve its parents and check it as a whole (kept while the
    file is unchanged)."""
    path = find_pack(ref)
    return _load_file(str(path.resolve()), path.stat().st_mtime_ns)


@cache
def _load_file(path_text: str, mtime_ns: int) -> RulePack:
    chain: list[tuple[PackFile, Path, yaml.Node]] = []
    path = Path(path_text)
    seen: set[Path] = set()
    while True:
        if path.resolve() in seen:
            raise PackError("parent packs form a cycle", file=str(path))
        seen.add(path.resolve())
        pf, node = parse_pack_file(path)
        chain.append((pf, path, node))
        if not pf.parent:
            break
        try:
            path = find_pack(pf.parent, near=path.parent)
        except PackError as exc:
            raise PackError(f"parent pack {pf.parent!r} not found", file=str(path),
                            line=line_of(node, ("parent",))) from exc
    return _merge(chain)


def _merge(chain: list[tuple[PackFile, Path, yaml.Node]]) -> RulePack:
    merged: dict[str, Any] = {k: {} for k in ("categories", "flags", "zone_kinds",
                                              "land_use_groups", "land_classes", "districts")}
    params: dict[str, Parameter] = {}
    rules: list[Rule] = []
    sources: dict[str, str] = {}
    target_far: dict[str, Any] = {}
    for pf, path, node in reversed(chain):  # root first
        for key in merged:
            merged[key].update(getattr(pf, key))
        for i, rule in enumerate(pf.rules):
            sources[rule.id] = f"{path}:{line_of(node, ('rules', i))}"
            for name, spec in rule.parameters.items():
                params[name] = _param(name, spec, params.get(name), pf.id, path, node,
                                      ("rules", i, "parameters", name))
                sources[f"param:{name}"] = f"{path}:{line_of(node, ('rules', i, 'parameters', name))}"
            idx = next((j for j, r in enumerate(rules) if r.id == rule.id), None)
            if idx is None:
                rules.append(rule)
            else:
                rules[idx] = rule
        for name, spec in pf.parameters.items():
            params[name] = _param(name, spec, params.get(name), pf.id, path, node,
                                  ("parameters", name))
            sources[f"param:{name}"] = f"{path}:{line_of(node, ('parameters', name))}"
        for j, rid in enumerate(pf.disable):
            if all(r.id != rid for r in rules):
                raise PackError(f"cannot disable unknown rule '{rid}'", file=str(path),
                                line=line_of(node, ("disable", j)))
            rules = [r for r in rules if r.id != rid]
        if pf.potential:
            target_far.update({t.land_use: t for t in pf.potential.target_far})
    top = chain[0][0]
    pack = RulePack(
        id=top.id, version=top.version, title=top.title, jurisdiction=top.jurisdiction,
        effective_from=top.effective_from, effective_to=top.effective_to,
        issued_on=top.issued_on,
        chain=[(pf.id, pf.version) for pf, _, _ in chain], parameters=params, rules=rules,
        potential=Potential(target_far=list(target_far.values())), sources=sources, **merged,
    )
    check_pack(pack)
    return pack


def _param(name: str, spec: Any, old: Parameter | None, pack_id: str, path: Path,
           node: yaml.Node, loc: tuple[Any, ...]) -> Parameter:
    if isinstance(spec, Parameter):
        return spec.model_copy(update={"set_by": pack_id})
    if old is None:
        return Parameter(value=spec, basis="local_initial", set_by=pack_id)
    if isinstance(old.value, list) != isinstance(spec, list) or (
        isinstance(old.value, int | float) and not isinstance(spec, int | float)
    ):
        raise PackError(f"parameter '{name}' must stay a {type(old.value).__name__}",
                        file=str(path), line=line_of(node, loc), field=name)
    return old.model_copy(update={"value": spec, "set_by": pack_id})


def check_pack(pack: RulePack) -> None:
    """Whole-pack checks: codes, parameters and land-use groups that rules refer to exist."""

    def fail(rule_id: str, msg: str, field: str | None = None) -> None:
        file, _, line = pack.sources.get(rule_id, ":").rpartition(":")
        raise PackError(msg, file=file or None, line=int(line) if line.isdigit() else None,
                        field=field)

    seen: set[str] = set()
    for rule in pack.rules:
        if rule.id in seen:
            fail(rule.id, f"duplicate rule id '{rule.id}'", "id")
        seen.add(rule.id)
        catalogue = pack.categories if rule.category else pack.flags
        if rule.output not in catalogue:
            fail(rule.id, f"rule '{rule.id}' sets unknown {rule.kind} '{rule.output}' "
                 f"(known: {', '.join(catalogue)})", rule.kind)
        for name in sorted(rule.param_names() - set(pack.parameters)):
            fail(rule.id, f"rule '{rule.id}' uses undefined parameter '{name}'", "when")
        for item in rule.applies_to:
            if item not in pack.land_use_groups and not (item.isdigit() and len(item) in (2, 4, 6)):
                fail(rule.id, f"rule '{rule.id}' applies to unknown land-use group or code "
                     f"'{item}'", "applies_to")
        for f in sorted(rule.fields()):
            for prefix in ("ratio_", "overlap_m2_"):
                if f.startswith(prefix) and f.removeprefix(prefix) not in pack.zone_kinds:
                    fail(rule.id, f"rule '{rule.id}' reads '{f}' but zone kind "
                         f"'{f.removeprefix(prefix)}' is not declared", "when")
    for t in pack.potential.target_far:
        if t.param not in pack.parameters:
            raise PackError(f"potential target FAR uses undefined parameter '{t.param}'",
                            file=pack.sources.get(pack.id))


def pack_for_date(pack: RulePack, on: dt.date) -> None:
    """Refuse to apply a pack outside its effective dates."""
    if not pack.is_effective(on):
        end = pack.effective_to.isoformat() if pack.effective_to else "open"
        raise ConfigurationError(
            f"rule pack '{pack.id}' {pack.version} is in force {pack.effective_from} → {end}, "
            f"not on {on.isoformat()}", field="as_of")
