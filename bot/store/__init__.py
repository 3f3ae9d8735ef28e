"""The state store: event claims, digest slots, and the query log."""

from bot.store.store import SlotRecord, Store, StoreError

__all__ = ["SlotRecord", "Store", "StoreError"]
