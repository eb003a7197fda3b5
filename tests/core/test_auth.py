"""Users, passwords, tokens and the access policy (core, no HTTP) on both backends."""

from __future__ import annotations

import pytest

from landrenew.core import auth
from landrenew.core.access import (
    NotAuthenticated,
    PermissionDenied,
    Principal,
    district_filter,
)
from landrenew.core.errors import Conflict, InputError, NotFound, TooManyAttempts
from landrenew.core.settings import DEV_SECRET_KEY, Settings
from landrenew.core.store import Store
from landrenew.core.store.engine import utcnow
from landrenew.core.store.models import District, User
from landrenew.land.sensitive import redact, redact_evaluation


def _district(store: Store, code: str = "440703") -> None:
    with store.session() as s:
        s.add(District(code=code, name="蓬江区", updated_at=utcnow(), updated_by="t"))


def test_passwords_are_argon2_and_verified() -> None:
    h = auth.hash_password("a-long-password")
    assert h.startswith("$argon2id$") and "a-long-password" not in h
    assert auth.verify_password(h, "a-long-password")
    assert not auth.verify_password(h, "wrong-password")
    assert not auth.verify_password(None, "a-long-password")
    assert not auth.verify_password("not-a-hash", "x")


def test_create_list_disable_and_audit(store: Store) -> None:
    _district(store)
    u = auth.create_user(store, "li", "district_staff", "a-long-password",
                         districts=["440703"], actor="boss")
    assert u.districts == ("440703",) and u.is_active and u.created_by == "boss"
    with pytest.raises(Conflict):
        auth.create_user(store, "li", "viewer", "a-long-password", actor="boss")
    with pytest.raises(InputError, match="at least one district"):
        auth.create_user(store, "wang", "district_staff", "a-long-password", actor="boss")
    with pytest.raises(InputError, match="unknown district"):
        auth.create_user(store, "wang", "district_staff", "a-long-password",
                         districts=["449999"], actor="boss")
    with pytest.raises(InputError, match="only district_staff"):
        auth.create_user(store, "wang", "viewer", "a-long-password", districts=["440703"],
                         actor="boss")
    with pytest.raises(InputError, match="unknown role"):
        auth.create_user(store, "wang", "king", "a-long-password", actor="boss")
    with pytest.raises(InputError, match="10 characters"):
        auth.create_user(store, "wang", "viewer", "short", actor="boss")
    total, users = auth.list_users(store)
    assert total == 1 and users[0].name == "li"
    auth.set_active(store, "li", False, actor="boss")
    assert not auth.get_user(store, "li").is_active
    with pytest.raises(NotFound):
        auth.set_active(store, "nobody", False, actor="boss")
    with store.read_session() as s:
        from landrenew.core.store.models import AuditEvent

        actions = [e.action for e in s.query(AuditEvent).order_by(AuditEvent.id)]
        stored = s.query(User).one()
    assert actions == ["create_user", "disable_user"]
    assert stored.password_hash.startswith("$argon2id$")


def test_authenticate_and_rate_limit(store: Store) -> None:
    settings = Settings(database_url=store.url, login_max_failures=2)
    auth.create_user(store, "zhao", "viewer", "a-long-password", actor="t")
    assert auth.authenticate(store, settings, "zhao", "a-long-password", "1.2.3.4").role == "viewer"
    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            auth.authenticate(store, settings, "zhao", "bad-password", "1.2.3.4")
    with pytest.raises(TooManyAttempts):
        auth.authenticate(store, settings, "zhao", "a-long-password", "1.2.3.4")
    # another address is not blocked, and unknown users fail the same way
    assert auth.authenticate(store, settings, "zhao", "a-long-password", "5.6.7.8")
    with pytest.raises(NotAuthenticated):
        auth.authenticate(store, settings, "ghost", "a-long-password", "5.6.7.8")


def test_tokens_and_csrf() -> None:
    settings = Settings(secret_key="k" * 40)
    p = Principal("li", "viewer")
    claims = auth.read_token(settings, auth.issue_token(settings, p))
    assert claims["sub"] == "li" and claims["kind"] == "access"
    with pytest.raises(NotAuthenticated):
        auth.read_token(settings, auth.issue_token(settings, p), kind="session")
    session = auth.issue_token(settings, p, kind="session")
    token = auth.csrf_token(settings, session)
    assert auth.check_csrf(settings, session, token)
    assert not auth.check_csrf(settings, session, "0" * len(token))
    assert not auth.check_csrf(settings, session, None)
    other = auth.issue_token(settings, p, kind="session")
    assert auth.csrf_token(settings, other) != token  # bound to the session


def test_production_settings_need_a_real_secret() -> None:
    with pytest.raises(ValueError, match="secret_key"):
        Settings(mode="production")
    with pytest.raises(ValueError, match="secret_key"):
        Settings(mode="production", secret_key="")
    assert Settings(mode="production", secret_key="x" * 32,
                    ledger_key_file="/srv/landrenew/ledger.pem").secret_key != DEV_SECRET_KEY


def test_policy_scope_and_redaction() -> None:
    district = Principal("d", "district_staff", ("440703",))
    city, viewer = Principal("c", "city_staff"), Principal("v", "viewer")
    assert district_filter(city, None) is None and district_filter(district, None) == ("440703",)
    assert district_filter(district, "440703") == ("440703",)
    with pytest.raises(PermissionDenied):
        district_filter(district, "440704")
    assert not district.covers(None) and city.covers(None)
    rec = {"parcel_code": "A", "tax_10k_yuan": 1.0, "right_holder": "某公司"}
    assert redact(rec, viewer) == {"parcel_code": "A"} and redact(rec, district) == rec
    ind, reasons = redact_evaluation({"far": 0.2, "tax_per_mu": 0.3},
                                     [{"field": "tax_per_mu", "value": 0.3, "threshold": 5},
                                      {"field": "far", "value": 0.2, "threshold": 1}], viewer)
    assert ind == {"far": 0.2}
    assert reasons == [{"field": "tax_per_mu", "threshold": 5},
                       {"field": "far", "value": 0.2, "threshold": 1}]


def test_a_verified_token_is_still_checked_for_expiry_kind_and_secret(monkeypatch) -> None:
    """Tokens are verified once and kept, but a kept token still expires on time, is still
    refused where its kind does not belong, and a token kept under one secret is not good
    under another; a token with a changed signature is verified afresh and refused."""
    import time as clock

    import jwt

    settings = Settings(database_url="sqlite://", secret_key="k" * 48, mode="test")
    now = clock.time()
    token = jwt.encode({"sub": "amy", "kind": "access", "jti": "j1", "exp": int(now) + 60},
                       settings.secret_key, algorithm=auth.ALGORITHM)
    assert auth.read_token(settings, token)["sub"] == "amy"
    assert auth.read_token(settings, token)["sub"] == "amy"  # now from the kept claims
    with pytest.raises(NotAuthenticated, match="access token cannot be used here"):
        auth.read_token(settings, token, kind="session")
    other = Settings(database_url="sqlite://", secret_key="o" * 48, mode="test")
    with pytest.raises(NotAuthenticated, match="not valid"):
        auth.read_token(other, token)
    head, body, signature = token.split(".")
    forged = f"{head}.{body}.{signature[:-4]}AAAA"
    with pytest.raises(NotAuthenticated, match="not valid"):
        auth.read_token(settings, forged)
    monkeypatch.setattr(auth.time, "time", lambda: now + 61)
    with pytest.raises(NotAuthenticated, match="expired"):
        auth.read_token(settings, token)
