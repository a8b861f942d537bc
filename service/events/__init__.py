"""The outbox: every change to a core entity writes its event in the same transaction."""
