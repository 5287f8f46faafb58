"""The system tier: the connector as it runs in production.

A real Odoo server process (threaded as in the demo, and prefork as deployed), the Google
emulator in a process of its own sending push notifications, and everything driven over
HTTP / JSON-RPC as the browser and the phone do: planners creating, moving and cancelling
RDVs, technicians pressing "Sync. avec Google", planners pressing "Réessayer", phone edits,
transient Google faults, the cron, push, and the Odoo server killed with SIGKILL and
restarted on the same database. At quiescence it checks that both sides hold the same RDVs,
that no edit was lost (present, or posted as a conflict's loser), and that the server kept
answering. See README.md beside this file.

Modules, one job each: ``processes`` (the emulator and Odoo servers, shared with bench/),
``client`` (JSON-RPC sessions, request outcomes, statistics), ``ledger`` (edits, RDVs, the
verdict), ``configure`` (settings, people, consent flow), ``probe`` (the acceptance probe),
``planners``, ``phone`` and ``workload`` (the load), ``checks`` (what is checked),
``mode_run`` (one mode end to end), ``cli`` (options, table, last line).

Only Python's standard library, requests and (in its own process) google_emulator. Every
loop is bounded in count and time; every address is loopback.
"""
