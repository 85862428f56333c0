"""Chat words -> Command objects: usage questions (usage.py) and team commands (team.py)."""
