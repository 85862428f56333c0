"""The team's background jobs: digests (and settling unknown posts), alerts, expiry reminders, tracking."""
