"""``python -m google_emulator``: run the emulator for the demo.

Prints ``Google emulator running at http://HOST:PORT`` and serves until Ctrl-C.
"""

import argparse
import sys

from .faults import PER_PROJECT_PER_MINUTE, PER_USER_PER_MINUTE
from .server import Emulator


def build_parser():
    """Command line options (see README.md)."""
    parser = argparse.ArgumentParser(
        prog="python -m google_emulator",
        description="Local Google Calendar v3 + OAuth 2.0 emulator (plain HTTP).",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; keep it loopback)",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed for generated calendar and event ids"
    )
    parser.add_argument(
        "--token-ttl",
        type=int,
        default=3600,
        help="access token lifetime in seconds (default 3600)",
    )
    parser.add_argument("--client-id", help="register this OAuth client")
    parser.add_argument("--client-secret", default="", help="secret of --client-id")
    parser.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        help="allowed redirect URI of --client-id (repeatable)",
    )
    parser.add_argument(
        "--account", action="append", default=[], help="create this Google account (repeatable)"
    )
    parser.add_argument(
        "--time-zone", default="UTC", help="time zone of the accounts' primary calendars"
    )
    parser.add_argument(
        "--quota-per-user",
        type=_limit,
        default=PER_USER_PER_MINUTE,
        help="requests per minute per user per project (default %d, as "
        "Google; 'none' = unlimited)" % PER_USER_PER_MINUTE,
    )
    parser.add_argument(
        "--quota-per-project",
        type=_limit,
        default=PER_PROJECT_PER_MINUTE,
        help="requests per minute per project, i.e. OAuth client "
        "(default %d, as Google; 'none' = unlimited)" % PER_PROJECT_PER_MINUTE,
    )
    parser.add_argument(
        "--quota-status",
        type=int,
        choices=(403, 429),
        default=403,
        help="status of a refusal over the quotas (default 403)",
    )
    parser.add_argument("--no-quotas", action="store_true", help="no per-minute quota at all")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def _limit(text):
    """A quota on the command line: a non-negative integer, or none."""
    if text.lower() in ("none", "off", "unlimited"):
        return None
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("a quota cannot be negative")
    return value


def main(argv=None):
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    per_user, per_project = args.quota_per_user, args.quota_per_project
    if args.no_quotas:
        per_user = per_project = None
    emu = Emulator(
        seed=args.seed,
        access_token_ttl=args.token_ttl,
        verbose=args.verbose,
        quota_per_user=per_user,
        quota_per_project=per_project,
        quota_status=args.quota_status,
    )
    if args.client_id:
        emu.add_client(args.client_id, args.client_secret, args.redirect_uri)
    for email in args.account:
        emu.add_account(email, args.time_zone)
    emu.start(host=args.host, port=args.port)
    sys.stdout.write("Google emulator running at %s\n" % emu.base_url)
    sys.stdout.flush()
    try:
        emu.serve_forever()
    except KeyboardInterrupt:
        sys.stderr.write("stopped\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
