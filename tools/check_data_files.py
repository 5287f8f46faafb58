"""Well-formedness of the addons' XML and CSV files, so a typo is caught on a
machine without Odoo, before an install fails on one with it."""

import csv
import sys
from pathlib import Path
from xml.etree import ElementTree

from addons import names as addon_names

ROOT = Path(__file__).resolve().parent.parent


def check_xml(path):
    try:
        ElementTree.parse(path)
    except ElementTree.ParseError as exc:
        return [f"{path}: {exc}"]
    return []


def check_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return [f"{path}: empty"]
    width = len(rows[0])
    return [
        f"{path}:{number}: {len(row)} columns, header has {width}"
        for number, row in enumerate(rows[1:], start=2)
        if len(row) != width
    ]


def main():
    problems, count = [], 0
    for addon in addon_names():
        for path in sorted((ROOT / addon).rglob("*")):
            if path.suffix == ".xml":
                problems += check_xml(path)
            elif path.suffix == ".csv":
                problems += check_csv(path)
            else:
                continue
            count += 1
    for problem in problems:
        print(problem)
    print(f"data files: {count} checked, {len(problems)} problems")
    return 1 if problems or not count else 0


if __name__ == "__main__":
    sys.exit(main())
