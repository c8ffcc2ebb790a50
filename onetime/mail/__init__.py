"""Outgoing mail: secret links and account confirmations, queued in Redis and sent over SMTP."""
