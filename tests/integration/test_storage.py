from __future__ import annotations

import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, inspect, select, update

from bot.base.errors import ConfigError
from bot.qwencloud.models import DeviceCode, DeviceCredentials, QwenUser
from bot.storage.app_state import AppStateStore
from bot.storage.credentials import CredentialStore
from bot.storage.crypto import Crypto, DecryptionFailed
from bot.storage.db import credential, make_engine, normalise_url, pending_login
from bot.storage.migrate import current_revision, head_revision, upgrade
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget, PendingLoginStore
from bot.storage.rotate import rotate_all
from tests.conftest import T0

ALICE = Owner("T1", "U1")
BOB = Owner("T1", "U2")
TOKEN = "sk-plaintext-access-token-123456"


def creds(token: str = TOKEN, aliyun: str = "alice@aliyun") -> DeviceCredentials:
    return DeviceCredentials(token, T0 + timedelta(hours=12), QwenUser("uid-1", "a@example.com", aliyun))


def code(token: str = "devtok-secret-abcdef") -> DeviceCode:
    return DeviceCode(
        token=token, verification_url="http://sim/verify?user_code=ABCD", expires_in=600, interval=5
    )


def test_migrations_create_tables_and_reach_head(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert {"credential", "pending_login", "app_state", "alembic_version"} <= names
    assert current_revision(engine) == head_revision() is not None
    assert upgrade(engine) == head_revision()  # idempotent


def test_migrations_create_the_slack_oauth_store_tables(engine: Engine) -> None:
    """Bolt's installation and OAuth state stores find their tables (and indexes) made by our migrations."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    stores = (
        SQLAlchemyInstallationStore(client_id="111.222", engine=engine).metadata,
        SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine).metadata,
    )
    inspector = inspect(engine)
    for table in (t for md in stores for t in md.tables.values()):
        assert [c["name"] for c in inspector.get_columns(table.name)] == [c.name for c in table.columns]
        found = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes(table.name)}
        for ix in table.indexes:
            assert found[ix.name] == [c.name for c in ix.columns]


def test_slack_oauth_migration_keeps_tables_bolt_already_created(sqlite_url: str) -> None:
    """A SQLite file whose Bolt tables came from create_all (before 0004) upgrades without touching them."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    eng = make_engine(sqlite_url)
    try:
        upgrade(eng, "0003_cache")
        SQLAlchemyInstallationStore(client_id="111.222", engine=eng).create_tables()
        SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=eng).create_tables()
        assert upgrade(eng) == head_revision()
        names = set(inspect(eng).get_table_names())
        assert {"slack_installations", "slack_bots", "slack_oauth_states"} <= names
    finally:
        eng.dispose()


def test_credentials_put_get_delete(engine: Engine, crypto: Crypto, clock) -> None:
    store = CredentialStore(engine=engine, crypto=crypto, clock=clock)
    assert store.get(ALICE) is None
    stored = store.put(ALICE, creds())
    assert stored.access_token == TOKEN and stored.user.aliyun_id == "alice@aliyun"
    assert stored.expires_at == T0 + timedelta(hours=12) and stored.expires_at.tzinfo is not None
    assert TOKEN not in repr(stored)
    clock.advance(timedelta(minutes=1))
    again = store.put(ALICE, creds("sk-second", "alice2"))
    assert again.access_token == "sk-second" and again.created_at == stored.created_at
    assert again.updated_at > stored.updated_at
    assert store.get(BOB) is None
    assert store.delete(ALICE) is True and store.delete(ALICE) is False
    assert store.get(ALICE) is None


def test_list_for_team_returns_team_accounts_only(engine: Engine, crypto: Crypto, clock) -> None:
    store = CredentialStore(engine=engine, crypto=crypto, clock=clock)
    store.put(Owner.team_account("T1", "prod"), creds("a"))
    store.put(Owner.team_account("T1", "dev"), creds("b"))
    store.put(Owner.team_account("T2", "other"), creds("c"))
    store.put(ALICE, creds("d"))
    found = store.list_for_team("T1")
    assert [c.owner.account_name for c in found] == ["dev", "prod"]
    assert [c.access_token for c in found] == ["b", "a"]


def test_row_copied_to_another_user_does_not_decrypt(engine: Engine, crypto: Crypto, clock) -> None:
    store = CredentialStore(engine=engine, crypto=crypto, clock=clock)
    store.put(ALICE, creds())
    store.put(BOB, creds("bob-token"))
    with engine.begin() as conn:
        alice_ct = conn.execute(select(credential.c.ciphertext).where(credential.c.user_id == "U1")).scalar()
        conn.execute(update(credential).where(credential.c.user_id == "U2").values(ciphertext=alice_ct))
    with pytest.raises(DecryptionFailed):
        store.get(BOB)
    assert store.get(ALICE) is not None


def test_no_plaintext_secret_in_sqlite_file(sqlite_url: str, crypto: Crypto, clock) -> None:
    eng = make_engine(sqlite_url)
    upgrade(eng)
    CredentialStore(engine=eng, crypto=crypto, clock=clock).put(ALICE, creds())
    PendingLoginStore(engine=eng, crypto=crypto).create(
        owner=ALICE,
        purpose="personal",
        code=code(),
        code_verifier="verifier-secret-xyz",
        notify=NotifyTarget(),
        now=T0,
    )
    eng.dispose()
    raw = Path(sqlite_url.removeprefix("sqlite:///")).read_bytes()
    assert b"alice@aliyun" in raw  # the file is readable: the check below can fail
    for secret in (TOKEN, "devtok-secret-abcdef", "verifier-secret-xyz"):
        assert secret.encode() not in raw


def test_pending_create_get_active_and_secrets(engine: Engine, crypto: Crypto) -> None:
    store = PendingLoginStore(engine=engine, crypto=crypto)
    row = store.create(
        owner=ALICE,
        purpose="personal",
        code=code(),
        code_verifier="v1",
        notify=NotifyTarget(response_url="https://hooks/x", dm="U1"),
        now=T0,
    )
    assert row.device_token == "devtok-secret-abcdef" and row.code_verifier == "v1"
    assert row.next_poll_at == T0 + timedelta(seconds=5) and row.expires_at == T0 + timedelta(seconds=600)
    assert row.notify.dm == "U1" and "devtok" not in repr(row)
    assert store.get_active_for_owner(ALICE, now=T0) == row
    assert store.get_active_for_owner(BOB, now=T0) is None
    assert store.get_active_for_owner(ALICE, now=T0, purpose="team_account", account_name="x") is None
    assert store.get_active_for_owner(ALICE, now=T0 + timedelta(seconds=600)) is None


def test_claim_due_lease_and_finish(engine: Engine, crypto: Crypto) -> None:
    store = PendingLoginStore(engine=engine, crypto=crypto)
    row = store.create(
        owner=ALICE, purpose="personal", code=code(), code_verifier="v", notify=NotifyTarget(), now=T0
    )
    lease = timedelta(seconds=60)
    assert store.claim_due(worker_id="w1", now=T0, lease=lease) == []  # not due yet
    due = T0 + timedelta(seconds=5)
    [claimed] = store.claim_due(worker_id="w1", now=due, lease=lease)
    assert claimed.id == row.id and claimed.lease_owner == "w1"
    assert store.claim_due(worker_id="w2", now=due, lease=lease) == []  # held
    assert store.reschedule(claimed, worker_id="w2", next_poll_at=due, interval=5, failures=0) is False
    later = due + timedelta(seconds=61)  # lease ran out: another worker may take over
    [taken] = store.claim_due(worker_id="w2", now=later, lease=lease)
    assert store.finish(claimed, worker_id="w1", status="complete", now=later) is False
    assert store.finish(taken, worker_id="w2", status="denied", now=later) is True
    final = store.get(row.id)
    assert final is not None and final.status == "denied" and final.device_token == ""
    assert store.claim_due(worker_id="w3", now=later + timedelta(hours=1), lease=lease) == []


def test_app_state_client_id_is_persistent(engine: Engine, clock) -> None:
    store = AppStateStore(engine=engine, clock=clock)
    first = store.get_or_create("qwencloud.client_id", lambda: "id-1")
    assert store.get_or_create("qwencloud.client_id", lambda: "id-2") == first == "id-1"


def test_rotate_all_reencrypts_with_newest_key(engine: Engine, clock) -> None:
    old = Fernet.generate_key()
    new = Fernet.generate_key()
    old_crypto = Crypto([old])
    CredentialStore(engine=engine, crypto=old_crypto, clock=clock).put(ALICE, creds())
    PendingLoginStore(engine=engine, crypto=old_crypto).create(
        owner=ALICE, purpose="personal", code=code(), code_verifier="v", notify=NotifyTarget(), now=T0
    )
    both = Crypto([new, old])
    report = rotate_all(engine, both)
    assert (report.credentials, report.pending_logins, report.already_current) == (1, 1, 0)
    only_new = Crypto([new])
    assert CredentialStore(engine=engine, crypto=only_new, clock=clock).get(ALICE).access_token == TOKEN
    with engine.connect() as conn:
        assert set(conn.execute(select(pending_login.c.key_id)).scalars()) == {only_new.primary_key_id}


def test_normalise_url() -> None:
    assert normalise_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
    with pytest.raises(Exception, match="Unsupported"):
        normalise_url("mysql://h/db")


def test_sqlite_directory_is_created(tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path}/a/b/c.db")
    upgrade(eng)
    eng.dispose()
    assert stat.S_IMODE((tmp_path / "a" / "b" / "c.db").stat().st_mode) == 0o600


@pytest.mark.postgres
def test_two_workers_never_claim_the_same_row_postgres(postgres_url: str) -> None:
    _two_workers_race(postgres_url)


def test_two_workers_never_claim_the_same_row_sqlite(sqlite_url: str) -> None:
    _two_workers_race(sqlite_url)


def _two_workers_race(url: str) -> None:
    crypto = Crypto([Fernet.generate_key()])
    engines = [make_engine(url), make_engine(url)]
    upgrade(engines[0])
    store0 = PendingLoginStore(engine=engines[0], crypto=crypto)
    ids = {
        store0.create(
            owner=Owner("T", f"U{i}"),
            purpose="personal",
            code=code(f"tok{i}"),
            code_verifier="v",
            notify=NotifyTarget(),
            now=T0,
        ).id
        for i in range(30)
    }
    due = T0 + timedelta(seconds=10)
    results: dict[str, list[str]] = {"w0": [], "w1": []}
    barrier = threading.Barrier(2)

    def work(name: str, eng: Engine) -> None:
        store = PendingLoginStore(engine=eng, crypto=crypto)
        barrier.wait()
        while True:
            rows = store.claim_due(worker_id=name, now=due, lease=timedelta(minutes=5), limit=3)
            if not rows:
                return
            results[name].extend(r.id for r in rows)

    threads = [threading.Thread(target=work, args=(f"w{i}", engines[i])) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    for eng in engines:
        eng.dispose()
    claimed = results["w0"] + results["w1"]
    assert len(claimed) == len(set(claimed)) == 30  # every row once, none twice
    assert set(claimed) == ids


def test_aware_datetimes_round_trip(engine: Engine, crypto: Crypto) -> None:
    store = PendingLoginStore(engine=engine, crypto=crypto)
    odd = datetime(2026, 4, 10, 20, 0, tzinfo=UTC)
    row = store.create(
        owner=ALICE, purpose="personal", code=code(), code_verifier="v", notify=NotifyTarget(), now=odd
    )
    assert row.created_at == odd and row.created_at.utcoffset() == timedelta(0)


def test_concurrent_create_unless_active_keeps_one_flow(db_url: str) -> None:
    crypto = Crypto([Fernet.generate_key()])
    engines = [make_engine(db_url) for _ in range(4)]
    upgrade(engines[0])
    barrier = threading.Barrier(4)
    results: list[tuple[str, bool]] = []

    def start(i: int) -> None:
        store = PendingLoginStore(engine=engines[i], crypto=crypto)
        barrier.wait(timeout=10)
        row, reused = store.create_unless_active(
            owner=ALICE,
            purpose="personal",
            code=code(f"tok{i}"),
            code_verifier="v",
            notify=NotifyTarget(),
            now=T0,
        )
        results.append((row.id, reused))

    threads = [threading.Thread(target=start, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    for eng in engines:
        eng.dispose()
    assert len(results) == 4
    assert len({row_id for row_id, _ in results}) == 1  # one flow, one link for everyone
    assert sorted(reused for _, reused in results) == [False, True, True, True]


def test_open_database_checks_the_schema_without_alembic_when_at_head(db_url: str, make_settings) -> None:
    from bot.bootstrap import open_database
    from bot.storage.schema import at_head

    settings = make_settings(database_url=db_url)
    if db_url.startswith("sqlite"):
        engine = open_database(settings)  # a new SQLite file is migrated on open
    else:
        with pytest.raises(ConfigError, match="qwen-bot migrate"):
            open_database(settings)  # a shared database is never migrated behind the operator's back
        engine = make_engine(db_url)
        upgrade(engine)
        engine.dispose()
        engine = open_database(settings)
    assert at_head(engine) and current_revision(engine) == head_revision()
    engine.dispose()
