"""``python -m google_emulator`` starts, prints its URL and serves."""

import os
import subprocess
import sys

import requests

import google_emulator

REPO = os.path.dirname(os.path.dirname(os.path.abspath(google_emulator.__file__)))


def test_command_line_prints_base_url_and_serves():
    command = [
        sys.executable,
        "-m",
        "google_emulator",
        "--port",
        "0",
        "--seed",
        "3",
        "--account",
        "demo@example.com",
        "--client-id",
        "odoo",
        "--client-secret",
        "s",
        "--redirect-uri",
        "http://127.0.0.1:8069/cb",
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
    ) as process:
        try:
            line = process.stdout.readline().strip()
            assert line.startswith("Google emulator running at http://127.0.0.1:")
            base_url = line.rsplit(" ", 1)[1]
            accounts = requests.get(base_url + "/_emulator/accounts", timeout=10).json()
            assert accounts["accounts"][0]["email"] == "demo@example.com"
            assert "demo@example.com" in requests.get(base_url + "/", timeout=10).text
        finally:
            process.terminate()
            process.wait(timeout=10)
