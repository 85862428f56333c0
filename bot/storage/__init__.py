"""Storage: tables and migrations, encryption at rest, credentials, durable pending logins."""

from bot.storage.credentials import CredentialStore, StoredCredential
from bot.storage.owner import Owner
from bot.storage.pending import NotifyTarget, PendingLogin, PendingLoginStore

__all__ = [
    "CredentialStore",
    "NotifyTarget",
    "Owner",
    "PendingLogin",
    "PendingLoginStore",
    "StoredCredential",
]
