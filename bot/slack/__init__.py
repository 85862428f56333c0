"""Everything besides handlers that imports slack_bolt / slack_sdk: Bolt app factory, installation store,
Web API clients and posters, the login notifier, the ack-first executor, middleware."""
