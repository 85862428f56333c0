"""Local stand-ins that run without the cloud: the QwenCloud simulator and the local Slack workspace.

They import nothing else from bot; only bot/cli and the tests import them."""
