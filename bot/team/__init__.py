"""Team features: digests, alerts, reminders, tracking, team accounts, App Home data, team commands.

They post through the `Poster` protocol (outbox.py), never slack_sdk; bootstrap wires the Slack posters."""
