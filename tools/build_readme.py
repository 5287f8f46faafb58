#!/usr/bin/env python3
"""Build each addon's README.rst and static/description/index.html from its readme/ fragments.

    tools/build_readme.py            write them
    tools/build_readme.py --check    exit 1 when a written file differs from what it would build

What OCA's oca-gen-addon-readme does (it is not on PyPI), for the fragments of OCA's 17.0
template: readme/DESCRIPTION.md, CONFIGURE.md, USAGE.md, ROADMAP.md, HISTORY.md,
CONTRIBUTORS.md (the ones present), in Markdown, are the one source of an addon's documentation.
README.rst has OCA's sections (the description, Configuration, Usage, Known issues / Roadmap,
Changelog, Credits with Authors, Contributors, Maintainers), and index.html, which Odoo shows on
the addon's page in Apps, is README.rst rendered by docutils. So the setup story is written once,
in openfire_google_calendar/readme/CONFIGURE.md.

The Markdown is the subset the fragments use: paragraphs, "-" and "1." lists (continuation
lines indented), "#"-headings, fenced or indented code blocks, `code`, **bold**, *emphasis*,
[links](url). Anything else fails loudly rather than render wrong.
"""

import argparse
import ast
import re
import sys
from pathlib import Path

from addons import names as addon_names

ROOT = Path(__file__).resolve().parent.parent
REPOSITORY = "https://github.com/openfire-google-calendar/openfire-google-calendar"
SECTIONS = (  # fragment, heading in README.rst (None: no heading, as OCA's DESCRIPTION)
    ("DESCRIPTION", None),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
)
SUB_UNDERLINES = "-~^"  # headings inside a fragment, its topmost level first (Credits' level)


class MarkdownError(ValueError):
    """A construct the converter does not know."""


def inline(text):
    """Markdown inline markup to reStructuredText."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append("``%s``" % part[1:-1])
            continue
        part = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"`\1 <\2>`__", part)
        part = re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"*\1*", part)
        if "_" in part:  # a trailing underscore is a reference in RST
            part = re.sub(r"(\w)_(?=\s|$)", r"\1\\_", part)
        out.append(part)
    return "".join(out)


def md_to_rst(markdown, where):
    """Convert one fragment; returns RST text (no trailing blank line)."""
    lines = markdown.rstrip("\n").split("\n")
    levels = [len(m.group(1)) for m in (re.match(r"^(#{1,3}) ", x) for x in lines) if m]
    top = min(levels, default=1)
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            out.append("")
            i += 1
            continue
        if stripped.startswith("```"):
            i += 1
            block = []
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            if i == len(lines):
                raise MarkdownError(f"{where}: unclosed ``` block")
            i += 1
            out += ["::", ""] + [("    " + b).rstrip() for b in block] + [""]
            continue
        if line.startswith("    ") and (not out or out[-1] == ""):
            block = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                block.append(lines[i][4:])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out += ["::", ""] + [("    " + b).rstrip() for b in block] + [""]
            continue
        heading = re.match(r"^(#{1,3}) (.+)$", line)
        if heading:
            title = inline(heading.group(2).strip())
            mark = SUB_UNDERLINES[len(heading.group(1)) - top]
            out += [title, mark * len(title), ""]
            i += 1
            continue
        if re.match(r"^\s*(<|\||\+|=)", line) and not re.match(r"^\s*<\w+>", line):
            raise MarkdownError(f"{where}: unsupported Markdown: {line!r}")
        item = re.match(r"^(\s*)(-|\*|\d+\.) (.*)$", line)
        if item:
            indent, marker, rest = item.groups()
            marker = "#." if marker[0].isdigit() else "-"
            out.append(f"{indent}{marker} {inline(rest)}")
            i += 1
            # continuation lines of the item keep its text's indentation
            while (
                i < len(lines) and lines[i].strip() and not re.match(r"^\s*(-|\*|\d+\.) ", lines[i])
            ):
                out.append(indent + " " * (len(marker) + 1) + inline(lines[i].strip()))
                i += 1
            continue
        out.append(inline(line))
        i += 1
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def heading(title, mark, over=False):
    bar = mark * len(title)
    return (f"{bar}\n{title}\n{bar}" if over else f"{title}\n{bar}") + "\n"


def build_rst(addon_dir):
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text(encoding="utf-8"))
    readme = addon_dir / "readme"
    parts = [
        ".. This file is built by tools/build_readme.py from the readme/ fragments: edit those.\n",
        heading(manifest["name"], "=", over=True),
        f"{inline(manifest['summary'])}\n",
        (
            f"**Maturity** {manifest['development_status']} · "
            if manifest.get("development_status")
            else ""
        )
        + f"**License** {manifest['license']} · "
        + f"`Source <{REPOSITORY}/tree/main/{addon_dir.name}>`__\n",
        "**Table of contents**\n\n.. contents::\n   :local:\n",
    ]
    for fragment, title in SECTIONS:
        path = readme / f"{fragment}.md"
        if not path.exists():
            continue
        body = md_to_rst(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
        parts.append((heading(title, "=") + "\n" if title else "") + body + "\n")
    credits = [heading("Credits", "="), heading("Authors", "-")]
    credits.append("".join(f"- {a.strip()}\n" for a in manifest["author"].split(",")))
    contributors = readme / "CONTRIBUTORS.md"
    if contributors.exists():
        credits.append(heading("Contributors", "-"))
        credits.append(
            md_to_rst(contributors.read_text(encoding="utf-8"), str(contributors)) + "\n"
        )
    credits.append(heading("Maintainers", "-"))
    maintainers = manifest.get("maintainers") or []
    who = ", ".join(f"`{m} <https://github.com/{m}>`__" for m in maintainers) or "its authors"
    credits.append(
        f"This module is maintained by {who}, in the repository\n"
        f"`openfire-google-calendar <{manifest.get('website', REPOSITORY)}>`__, where issues"
        " and\ncontributions are welcome.\n"
    )
    parts.append("\n".join(credits))
    return "\n".join(parts)


def build_html(rst, source):
    """README.rst rendered the way OCA's index.html is: docutils, stylesheet embedded."""
    from docutils.core import publish_string

    html = publish_string(
        rst,
        source_path=source,
        writer_name="html5",
        settings_overrides={
            "generator": False,
            "datestamp": False,
            "source_link": False,
            "embed_stylesheet": False,
            "stylesheet_path": "",
            "report_level": 2,  # warnings are errors below
            "halt_level": 2,
            "output_encoding": "unicode",
            "doctitle_xform": True,
        },
    )
    # Odoo 17+ warns about an XML declaration in index.html; the docutils version is not part
    # of what the file says.
    html = re.sub(r"^<\?xml[^>]*>\n", "", html)
    return re.sub(r'<meta name="generator"[^>]*>\n', "", html)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when a file is not up to date")
    args = parser.parse_args(argv)
    stale = []
    for name in addon_names():
        addon_dir = ROOT / name
        rst = build_rst(addon_dir)
        try:
            html = build_html(rst, str(addon_dir / "README.rst"))
        except Exception as error:  # docutils reports RST errors as SystemMessage
            print(f"build_readme: {name}/README.rst is not valid RST: {error}", file=sys.stderr)
            return 1
        for path, text in (
            (addon_dir / "README.rst", rst),
            (addon_dir / "static" / "description" / "index.html", html),
        ):
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            if args.check:
                stale.append(str(path.relative_to(ROOT)))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)  # a new addon's static/description
                path.write_text(text, encoding="utf-8")
                print(f"build_readme: wrote {path.relative_to(ROOT)}")
    if stale:
        print(
            "build_readme: not up to date with readme/ (run tools/build_readme.py): "
            + ", ".join(stale),
            file=sys.stderr,
        )
        return 1
    if args.check:
        print("build_readme: README.rst and index.html up to date with readme/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
