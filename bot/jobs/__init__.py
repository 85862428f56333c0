"""Background work: the Job protocol, the Worker loop, the login poll job. A worker gets its job list."""
