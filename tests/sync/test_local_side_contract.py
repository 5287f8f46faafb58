"""The LocalSide contract (sync/local_side_contract.py) against the in-memory
Odoo of these tests; the Odoo tier runs the same suite against the ORM."""

import unittest

from sync.local_side_contract import LocalSideContract
from sync_helpers import MemoryOdoo


class TestMemoryOdooContract(LocalSideContract, unittest.TestCase):
    """MemoryOdoo keeps the promises the Odoo side keeps."""

    def setUp(self):
        self.store = MemoryOdoo()
        self.store.stamps = True

    def new_side(self):
        return self.store

    def plan_rdv(self, **fields):
        return self.store.create(**fields)

    def replan_rdv(self, key, **fields):
        self.store.edit(key, **fields)

    def drop_rdv(self, key):
        self.store.unlink(key)

    def plan_series(self, summary, start, end, rule):
        return self.store.create(summary=summary, start=start, end=end, recurrence=(rule,))

    def conflict_notes(self, key):
        return "\n".join(self.store.chatter[key])
