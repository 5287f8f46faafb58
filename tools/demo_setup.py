"""Configure the demo database for tools/demo.sh.

Run by tools/demo.sh through `odoo-bin shell` (which provides `env`), with the settings in
environment variables, because `odoo-bin shell` reads its script from stdin and takes no
arguments:

    DEMO_ODOO_URL        the Odoo URL, e.g. http://127.0.0.1:8069
    DEMO_EMULATOR_URL    the emulator URL, e.g. http://127.0.0.1:8765
    DEMO_CLIENT_ID       the OAuth client registered in the emulator
    DEMO_CLIENT_SECRET   its secret
    DEMO_LANG            optional, e.g. fr_FR: install it and give it to the demo users

It does what an integrator does by hand (README, "The setup story"): the Client ID and
secret of General Settings, the Google endpoints pointed at the emulator, the two settings
"(OF) Recurring RDVs" and "(OF) Google Calendar", and it sets passwords so people can log in.
The emulator keeps its state in memory, so a reused database still holds tokens, calendar
ids and event links of an emulator that is gone: they are forgotten, and the first
"Sync. with Google" starts clean.

Last line printed: `demo-setup: ok <email> <email> ...`, the Google accounts the emulator
must know (the demo technicians and the administrator).
"""

import os

PREFIX = "openfire_google_calendar."
# login -> password; the technicians come from openfire_planning's demo data.
PASSWORDS = {
    "admin": "admin",
    "jean.dupont@example.com": "jean",
    "sophie.martin@example.com": "sophie",
    "karim.benali@example.com": "karim",
}

env = globals()["env"]  # given by odoo-bin shell
odoo_url = os.environ["DEMO_ODOO_URL"].rstrip("/")
emulator_url = os.environ["DEMO_EMULATOR_URL"].rstrip("/")
params = env["ir.config_parameter"].sudo()

# The OAuth redirect URI is <web.base.url>/google_account/authentication and must be the one
# registered in the emulator; freeze it, or an admin login from another host name rewrites it.
params.set_param("web.base.url", odoo_url)
params.set_param("web.base.url.freeze", "True")
params.set_param("google_calendar_client_id", os.environ["DEMO_CLIENT_ID"])
params.set_param("google_calendar_client_secret", os.environ["DEMO_CLIENT_SECRET"])
for key, path in (
    ("auth_uri", "/o/oauth2/auth"),
    ("token_uri", "/token"),
    ("revoke_uri", "/revoke"),
    ("api_endpoint", "/calendar/v3/"),
):
    params.set_param(PREFIX + key, emulator_url + path)
# Push notifications: the emulator POSTs to Odoo, the cron syncs at once.
params.set_param(PREFIX + "push_base_url", odoo_url)
# Settings an admin may have changed in a reused database are kept.
for key, default in (("conflict_policy", "odoo"), ("calendar_name", "Interventions")):
    if not params.get_param(PREFIX + key):
        params.set_param(PREFIX + key, default)

# What ticking "(OF) Recurring RDVs" and "(OF) Google Calendar" does.
env.ref("base.group_user").write(
    {
        "implied_ids": [
            (4, env.ref("openfire_planning.group_of_planning_recurring").id),
            (4, env.ref("openfire_google_calendar.group_of_planning_google").id),
        ]
    }
)

users = env["res.users"].sudo().with_context(active_test=False)
emails = []
for login, password in PASSWORDS.items():
    user = users.search([("login", "=", login)], limit=1)
    if not user:
        raise SystemExit(
            "demo-setup: no user %r; the database needs openfire_planning's demo "
            "data (run tools/demo.sh --reset)" % login
        )
    user.write({"password": password, "active": True})
    if user.email:
        emails.append(user.email)

lang = os.environ.get("DEMO_LANG")
if lang:
    languages = env["res.lang"].with_context(active_test=False).search([("code", "=", lang)])
    if not languages:
        raise SystemExit("demo-setup: unknown language %r (e.g. fr_FR)" % lang)
    installer = env["base.language.install"].create(
        {"lang_ids": [(6, 0, languages.ids)], "overwrite": False}
    )
    installer.lang_install()
    users.search([("login", "in", list(PASSWORDS))]).write({"lang": lang})

# The technicians' availability (their busy time and absences in Google) is read.
params.set_param(PREFIX + "availability", "1")

# A fresh emulator: forget every user's tokens, calendar and event links.
for account in env["of.google.account"].sudo().search([]):
    account._forget_everything()  # pylint: disable=protected-access

env.cr.commit()
print("demo-setup: ok " + " ".join(emails))
