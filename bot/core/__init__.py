"""What the product knows, Slack-free: grammar, accounts, usage answers, analysis, login, charts."""
