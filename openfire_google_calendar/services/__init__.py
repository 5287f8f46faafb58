"""What the models use and are not models: the sync's entry point and its Odoo
side, the OAuth flow, the RDV conversion."""
