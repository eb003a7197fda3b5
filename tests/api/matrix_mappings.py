"""Permission-matrix cases of the saved field mappings (merged into test_permissions.MATRIX).

Those who upload (writers) list and read the mappings; only an administrator saves or deletes
one; anonymous callers get 401.
"""

from __future__ import annotations

from .test_permissions import Case, World, denied, get_as

MAPPING = "fields: {宗地号: parcel_code}\n"


def mappings_list(w: World, role: str) -> None:
    r = get_as(w, role, "/api/imports/mappings")
    if denied(r, role, write=True):
        return
    assert r.status_code == 200, r.text
    assert [m["name"] for m in r.json()][:2] == ["chinese", "shapefile"]


def mapping_get(w: World, role: str) -> None:
    r = get_as(w, role, "/api/imports/mappings/shapefile")
    if denied(r, role, write=True):
        return
    assert r.status_code == 200, r.text
    assert r.json()["fields"]["parcel_cod"] == "parcel_code"


def mapping_save(w: World, role: str) -> None:
    r = w.client.put(f"/api/imports/mappings/matrix-{role}", headers=w.headers(role),
                     json={"definition": MAPPING, "reason": "matrix"})
    if denied(r, role, admin_only=True):
        return
    assert r.status_code == 200, r.text
    assert r.json()["builtin"] is False and r.json()["version"] >= 1


def mapping_delete(w: World, role: str) -> None:
    if role == "admin":
        saved = w.client.put("/api/imports/mappings/matrix-gone", headers=w.headers(role),
                             json={"definition": MAPPING})
        assert saved.status_code == 200, saved.text
    r = w.client.delete("/api/imports/mappings/matrix-gone", headers=w.headers(role),
                        params={"reason": "matrix"})
    if denied(r, role, admin_only=True):
        return
    assert r.status_code == 200, r.text
    assert r.json()["deleted"] is True


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/imports/mappings"): mappings_list,
    ("GET", "/api/imports/mappings/{name}"): mapping_get,
    ("PUT", "/api/imports/mappings/{name}"): mapping_save,
    ("DELETE", "/api/imports/mappings/{name}"): mapping_delete,
}
