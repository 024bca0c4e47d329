"""Outgoing mail: composed here, queued in the outbox table, sent by the background sender."""
