from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.base.config import Secret, Settings
from bot.base.errors import ConfigError
from bot.storage.crypto import Crypto, DecryptionFailed, key_id
from bot.storage.keys import KEY_FILE_NAME, KEYRING_SERVICE, KEYRING_USERNAME, load_keys
from bot.storage.owner import Owner


def _key() -> bytes:
    return Fernet.generate_key()


def test_key_id_is_first_8_hex_of_sha256() -> None:
    import hashlib

    k = _key()
    assert key_id(k) == hashlib.sha256(k).hexdigest()[:8]
    assert key_id(k) != key_id(_key())


def test_round_trip_and_key_id_of_newest() -> None:
    new, old = _key(), _key()
    crypto = Crypto([new, old])
    sealed = crypto.seal("sk-secret", context="a")
    assert sealed.key_id == key_id(new)
    assert "sk-secret" not in sealed.ciphertext
    assert crypto.open(sealed.ciphertext, context="a") == "sk-secret"


def test_ciphertext_is_bound_to_its_owner() -> None:
    crypto = Crypto([_key()])
    alice, bob = Owner("T1", "U1"), Owner("T1", "U2")
    sealed = crypto.seal("tok", context=alice.context("credential"))
    with pytest.raises(DecryptionFailed, match="another owner"):
        crypto.open(sealed.ciphertext, context=bob.context("credential"))
    with pytest.raises(DecryptionFailed):
        crypto.open(sealed.ciphertext, context=Owner("T2", "U1").context("credential"))


def test_old_key_still_decrypts_and_rotate_moves_to_newest() -> None:
    old, new = _key(), _key()
    sealed = Crypto([old]).seal("tok", context="c")
    both = Crypto([new, old])
    assert both.open(sealed.ciphertext, context="c") == "tok"
    rotated = both.rotate(sealed.ciphertext)
    assert rotated.key_id == key_id(new)
    assert Crypto([new]).open(rotated.ciphertext, context="c") == "tok"


def test_missing_key_is_a_config_error() -> None:
    sealed = Crypto([_key()]).seal("tok", context="c")
    with pytest.raises(DecryptionFailed) as info:
        Crypto([_key()]).open(sealed.ciphertext, context="c")
    assert info.value.exit_code == 4


def test_keys_from_env_newest_first(tmp_path: Path) -> None:
    a, b = _key().decode(), _key().decode()
    settings = Settings(data_dir=tmp_path, database_url="sqlite:///x.db", encryption_keys=Secret(f"{a}, {b}"))
    keys = load_keys(settings, keyring_backend=None)
    assert keys.source == "env"
    assert keys.keys == (a.encode(), b.encode())
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_bad_env_key_is_config_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="sqlite:///x.db", encryption_keys=Secret("nope"))
    with pytest.raises(ConfigError, match="not a Fernet key"):
        load_keys(settings, keyring_backend=None)


class FakeKeyring:
    def __init__(self, value: str | None = None) -> None:
        self.value = value

    def get_password(self, service: str, user: str) -> str | None:
        assert (service, user) == (KEYRING_SERVICE, KEYRING_USERNAME)
        return self.value

    def set_password(self, service: str, user: str, value: str) -> None:
        self.value = value


def test_keyring_is_used_and_created_for_local_sqlite(tmp_path: Path) -> None:
    ring = FakeKeyring()
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db")
    first = load_keys(settings, keyring_backend=ring)
    assert first.source == "keyring" and ring.value is not None
    assert load_keys(settings, keyring_backend=ring).keys == first.keys
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_key_file_for_local_sqlite_mode_0600_and_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path / "d", database_url=f"sqlite:///{tmp_path}/d/x.db")
    first = load_keys(settings, keyring_backend=None)
    path = tmp_path / "d" / KEY_FILE_NAME
    assert first.source == "file"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "created key file" in caplog.text
    assert load_keys(settings, keyring_backend=None).keys == first.keys


def test_shared_database_without_keys_is_config_error(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="postgresql://u@h/db")
    with pytest.raises(ConfigError, match="QWEN_BOT_ENCRYPTION_KEYS") as info:
        load_keys(settings, keyring_backend=FakeKeyring())
    assert info.value.exit_code == 4
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_shared_database_uses_existing_keyring_key(tmp_path: Path) -> None:
    k = _key().decode()
    settings = Settings(data_dir=tmp_path, database_url="postgresql://u@h/db")
    assert load_keys(settings, keyring_backend=FakeKeyring(k)).keys == (k.encode(),)


def test_repr_hides_keys() -> None:
    k = _key()
    assert k.decode() not in repr(Crypto([k]))
