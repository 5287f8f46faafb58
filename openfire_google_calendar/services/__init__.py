# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the models use and are not models: the sync's entry point and its Odoo
side, the OAuth flow, the RDV conversion."""
