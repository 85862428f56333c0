"""qwen-usage-bot: QwenCloud usage in Slack and the terminal."""

__version__ = "0.1.0"
USER_AGENT = f"qwen-usage-bot/{__version__}"
