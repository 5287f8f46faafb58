#!/usr/bin/env python3
"""The repository's addons, read from their manifests: the one list every tool uses.

    python3 tools/addons.py                      every addon, one a line
    python3 tools/addons.py --installable        only those a server would install
    python3 tools/addons.py --needed-by ADDON    ADDON and the addons of ours it depends on
    python3 tools/addons.py --sep ,              on one line (e.g. for --test-tags)
    --source DIR                                 the addons of DIR (default: this repository)

An addon is a folder at the top of the repository holding a __manifest__.py. They come in
dependency order (each after the addons of ours it depends on, else by name), the order in
which a list can be installed, built or copied. A new addon needs no tool changed.
"""

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class AddonError(Exception):
    """The manifests do not make an order (a cycle) or name an unknown addon."""


def manifests(source=ROOT):
    """{name: manifest dict} of the addons of ``source``."""
    return {
        path.parent.name: ast.literal_eval(path.read_text(encoding="utf-8"))
        for path in sorted(Path(source).glob("*/__manifest__.py"))
    }


def names(source=ROOT, installable=False, needed_by=None):
    """The addons of ``source`` in dependency order; ``installable``: without those whose
    manifest says "installable": False; ``needed_by``: only that addon and ours it depends
    on, directly or not."""
    found = manifests(source)
    ours = {name: [d for d in m.get("depends", []) if d in found] for name, m in found.items()}
    if needed_by is not None:
        if needed_by not in ours:
            raise AddonError(f"{needed_by}: no such addon in {source}")
        keep, todo = set(), [needed_by]
        while todo:
            name = todo.pop()
            if name not in keep:
                keep.add(name)
                todo += ours[name]
        ours = {name: deps for name, deps in ours.items() if name in keep}
    ordered, placed = [], set()
    while len(ordered) < len(ours):
        ready = [n for n in sorted(ours) if n not in placed and placed.issuperset(ours[n])]
        if not ready:
            raise AddonError("the manifests' depends make a cycle: %s" % sorted(set(ours) - placed))
        ordered.append(ready[0])
        placed.add(ready[0])
    if installable:
        ordered = [n for n in ordered if found[n].get("installable", True)]
    return ordered


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--installable", action="store_true", help="only installable addons")
    parser.add_argument("--needed-by", metavar="ADDON", help="ADDON and ours it depends on")
    parser.add_argument("--sep", default="\n", help="separator (default: a newline)")
    parser.add_argument("--source", type=Path, default=ROOT, help="where the addons are")
    args = parser.parse_args(argv)
    try:
        found = names(args.source, args.installable, args.needed_by)
    except AddonError as error:
        print(f"addons.py: {error}", file=sys.stderr)
        return 1
    if not found:
        print(f"addons.py: no addon (no */__manifest__.py) in {args.source}", file=sys.stderr)
        return 1
    print(args.sep.join(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
