#!/usr/bin/env python3
"""Build the addon trees of one Odoo series from the canonical (17.0-style) addons.

    tools/build_series.py SERIES OUTDIR          write OUTDIR/<addon> for SERIES
    tools/build_series.py --check [SERIES ...]   build every (or each given) series in a
                                                 temporary directory and verify the result
    tools/build_series.py --check SERIES OUTDIR  also fail when OUTDIR differs from a fresh build
    tools/build_series.py --list                 print the supported series, one a line
    --source DIR  read the canonical addons from DIR/<addon> (default: this repository)

The addons are the installable ones of the source, in dependency order (tools/addons.py).
SERIES is 17.0, 18.0 or 19.0 ("17", "18", "19" are accepted). OUTDIR/<addon> is replaced;
nothing else in OUTDIR is touched. Exit status: 0 built (or up to date), 1 a rule met a shape
it does not know or a check failed, 2 usage error.

The canonical tree is the repository's addons (Odoo 17.0 style). Every series, 17.0
included, goes through the same path: copy, then the rules of that series. Python, JS and
tests are copied unchanged (one code line, run-time checks where series differ); only the
manifest version, data XML files and the .po occurrence lines are rewritten.

Each rule is explicit: it rewrites text of a known shape (so the generated files keep their
lines and comments) and fails loudly when it meets a shape it does not know, and the output
is verified with ElementTree against what the target series refuses. See tools/SERIES.md.
"""

import argparse
import ast
import filecmp
import re
import shutil
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

from addons import AddonError
from addons import names as addon_names

ROOT = Path(__file__).resolve().parent.parent
SERIES = ("17.0", "18.0", "19.0")
CANONICAL = "17.0"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


class RuleError(Exception):
    """A rule met a shape it does not know: fix the canonical file or teach the rule."""


def major(series):
    return int(series.split(".")[0])


# ---- manifest -----------------------------------------------------------------------------------

MANIFEST_VERSION = re.compile(r'(["\']version["\']\s*:\s*["\'])17\.0\.(\d+\.\d+\.\d+)(["\'])')


def rule_manifest_version(text, series, where):
    """ "17.0.x.y.z" -> "SERIES.x.y.z" (18 refuses 17.0.x, 19 marks it not installable)."""
    new, count = MANIFEST_VERSION.subn(rf"\g<1>{series}.\g<2>\g<3>", text)
    if count != 1:
        raise RuleError(f"{where}: expected one 'version': '17.0.x.y.z', found {count}")
    manifest = ast.literal_eval(new)
    if not manifest["version"].startswith(series + "."):
        raise RuleError(f"{where}: version rewrite gave {manifest['version']!r}")
    return new


def rule_migrations(dst, series, addon, log):
    """Migration folders: "x.y.z" (Odoo prefixes the series) stay; "17.0.x.y.z" ->
    "SERIES.x.y.z" (else 18+ would never run them); any other name is an unknown shape."""
    folder = dst / "migrations"
    if not folder.is_dir():
        return
    for sub in sorted(folder.iterdir()):
        if not sub.is_dir() or re.fullmatch(r"\d+\.\d+\.\d+", sub.name):
            continue
        match = re.fullmatch(r"17\.0\.(\d+\.\d+\.\d+)", sub.name)
        if not match:
            raise RuleError(f"{addon}/migrations/{sub.name}: unknown version folder shape")
        if series != CANONICAL:
            sub.rename(folder / f"{series}.{match.group(1)}")
            log(f"  {addon}/migrations/{sub.name}: migrations")


# ---- XML helpers --------------------------------------------------------------------------------

RECORD = re.compile(
    r'(<record\b[^>]*\bmodel="(?P<model>[^"]+)"[^>]*>)(?P<body>.*?)(</record>)', re.S
)


def parse(text, where):
    try:
        return ElementTree.fromstring(text.encode("utf-8"))
    except ElementTree.ParseError as exc:
        raise RuleError(f"{where}: not well-formed XML: {exc}") from exc


def records(root, model):
    return [rec for rec in root.iter("record") if rec.get("model") == model]


def fields_named(record, name):
    return [field for field in record.findall("field") if field.get("name") == name]


def sub_in_records(text, model, pattern, repl, where, expected):
    """Apply pattern -> repl inside the body of every <record model=MODEL>; the number of
    replacements must equal `expected` (counted on the parsed tree), else the shape is unknown."""
    total = 0

    def one(match):
        nonlocal total
        if match.group("model") != model:
            return match.group(0)
        body, count = re.subn(pattern, repl, match.group("body"))
        total += count
        return match.group(1) + body + match.group(4)

    new = RECORD.sub(one, text)
    if total != expected:
        raise RuleError(
            f"{where}: {model}: rewrote {total} occurrences of {pattern!r}, "
            f"the parsed file has {expected}"
        )
    return new


def arch_elements(root):
    """Every element inside a view's arch, with the arch's root."""
    for rec in records(root, "ir.ui.view"):
        for field in fields_named(rec, "arch"):
            for top in field:
                yield from ((top, node) for node in top.iter())


# ---- XML rules ----------------------------------------------------------------------------------


def rule_tree_to_list(text, root, where):
    """18+: <tree> is refused, <list> is its name (17 has no <list>)."""
    expected = 0
    for _top, node in arch_elements(root):
        if node.tag == "tree":
            expected += 1
        for attr in ("expr", "position"):
            if "tree" in (node.get(attr) or "") and attr == "expr":
                raise RuleError(
                    f"{where}: xpath expr {node.get('expr')!r} names 'tree': "
                    f"unknown shape, write it without the view type"
                )
    for field in root.iter("field"):
        if field.get("name") == "view_type":
            raise RuleError(f"{where}: a 'view_type' field: unknown shape")
    opened = len(re.findall(r"<tree(?=[\s>/])", text))
    if opened != expected:
        raise RuleError(
            f"{where}: {opened} '<tree' in the text, {expected} <tree> elements in "
            f"view archs: a <tree> outside an arch is an unknown shape"
        )
    text = re.sub(r"<tree(?=[\s>/])", "<list", text)
    return text.replace("</tree>", "</list>")


VIEW_MODE = re.compile(r'(<field\s+name="view_mode"\s*>)([^<]*)(</field>)')


def rule_view_mode_list(text, root, where):
    """18+: act_window view_mode 'tree' -> 'list'."""
    expected = sum(
        1
        for rec in records(root, "ir.actions.act_window")
        for field in fields_named(rec, "view_mode")
    )
    count = 0

    def one(match):
        nonlocal count
        count += 1
        modes = [mode.strip() for mode in match.group(2).split(",")]
        if not all(re.fullmatch(r"[a-z_]+", mode) for mode in modes):
            raise RuleError(f"{where}: view_mode {match.group(2)!r}: unknown shape")
        modes = ["list" if mode == "tree" else mode for mode in modes]
        return match.group(1) + ",".join(modes) + match.group(3)

    text = VIEW_MODE.sub(one, text)
    if count != expected:
        raise RuleError(
            f"{where}: {count} view_mode fields in the text, {expected} in "
            f"ir.actions.act_window records"
        )
    for rec in records(root, "ir.actions.act_window"):
        if fields_named(rec, "views"):
            raise RuleError(f"{where}: act_window 'views' field: unknown shape")
    return text


def rule_cron_fields(text, root, where):
    """18+: ir.cron lost numbercall and doall (a run-forever cron is the only kind)."""
    expected = 0
    for rec in records(root, "ir.cron"):
        for name in ("numbercall", "doall"):
            for field in fields_named(rec, name):
                value = field.get("eval", field.text)
                if (name, str(value).strip()) not in (("numbercall", "-1"), ("doall", "False")):
                    raise RuleError(
                        f"{where}: ir.cron {name}={value!r}: only numbercall -1 and "
                        f"doall False mean the same in 18+"
                    )
                expected += 1
    return sub_in_records(
        text,
        "ir.cron",
        r'\n[ \t]*<field\s+name="(?:numbercall|doall)"[^>]*?(?:/>|>[^<]*</field>)',
        "",
        where,
        expected,
    )


CHATTER_FIELDS = {"message_follower_ids", "activity_ids", "message_ids"}
OE_CHATTER = re.compile(r'<div\s+class="oe_chatter"\s*>\s*(?:<field\s+name="\w+"\s*/>\s*)+</div>')


def rule_chatter(text, root, where):
    """18+: <div class="oe_chatter"> with its fields -> <chatter/>."""
    expected = 0
    for _top, node in arch_elements(root):
        if "oe_chatter" in (node.get("class") or "").split():
            names = {child.get("name") for child in node}
            if (
                node.tag != "div"
                or any(child.tag != "field" for child in node)
                or not names <= CHATTER_FIELDS
                or len(node.attrib) != 1
            ):
                raise RuleError(f"{where}: oe_chatter div with other content: unknown shape")
            expected += 1
    text, count = OE_CHATTER.subn("<chatter/>", text)
    if count != expected:
        raise RuleError(f"{where}: rewrote {count} oe_chatter divs, the parsed file has {expected}")
    return text


def privilege_id(category_xmlid):
    return "res_groups_privilege_" + category_xmlid.removeprefix("module_category_")


def rule_group_privilege(text, root, where):
    """19: res.groups.category_id is gone. A group in base.module_category_hidden loses the
    field; a group in a category of this file gets a res.groups.privilege (same name and
    sequence, in that category), created right after the category record."""
    categories = {rec.get("id"): rec for rec in records(root, "ir.module.category")}
    used, expected = [], 0
    for rec in records(root, "res.groups"):
        for field in fields_named(rec, "category_id"):
            ref = field.get("ref")
            if ref is None or len(field.attrib) != 2:
                raise RuleError(
                    f"{where}: res.groups {rec.get('id')}: category_id without a "
                    f"plain ref: unknown shape"
                )
            if ref != "base.module_category_hidden" and ref not in categories:
                raise RuleError(
                    f"{where}: res.groups {rec.get('id')}: category {ref!r} is not "
                    f"defined in this file: unknown shape"
                )
            if ref != "base.module_category_hidden" and ref not in used:
                used.append(ref)
            expected += 1

    def field(match):
        if match.group(2) == "base.module_category_hidden":
            return ""
        return f'{match.group(1)}<field name="privilege_id" ref="{privilege_id(match.group(2))}"/>'

    text = sub_in_records(
        text,
        "res.groups",
        r'(\n?[ \t]*)<field\s+name="category_id"\s+ref="([^"]+)"\s*/>',
        field,
        where,
        expected,
    )
    for ref in used:
        category = categories[ref]
        names = fields_named(category, "name")
        if len(names) != 1 or not (names[0].text or "").strip():
            raise RuleError(f"{where}: category {ref}: no name: unknown shape")
        sequence = fields_named(category, "sequence")
        pattern = re.compile(
            r'([ \t]*)<record\s+id="'
            + re.escape(ref)
            + r'"\s+model="ir.module.category"\s*>.*?</record>',
            re.S,
        )
        match = pattern.search(text)
        if not match:
            raise RuleError(f"{where}: category record {ref}: unknown shape")
        indent = match.group(1)
        lines = [
            f'{indent}<record id="{privilege_id(ref)}" model="res.groups.privilege">',
            f'{indent}    <field name="name">{names[0].text.strip()}</field>',
        ]
        if sequence:
            value = (sequence[0].get("eval") or sequence[0].text or "").strip()
            if not re.fullmatch(r"\d+", value):
                raise RuleError(f"{where}: category {ref}: sequence {value!r}: unknown shape")
            lines.append(f'{indent}    <field name="sequence" eval="{value}"/>')
        lines += [f'{indent}    <field name="category_id" ref="{ref}"/>', f"{indent}</record>"]
        text = text[: match.end()] + "\n" + "\n".join(lines) + text[match.end() :]
    return text


def rule_rename_field(model, old, new):
    def rule(text, root, where):
        expected = sum(len(fields_named(rec, old)) for rec in records(root, model))
        return sub_in_records(
            text, model, rf'(<field\s+name="){old}(?=")', rf"\g<1>{new}", where, expected
        )

    rule.__doc__ = f"19: {model}.{old} -> {new}."
    rule.__name__ = f"rule_{model.replace('.', '_')}_{old}"
    return rule


SEARCH_GROUP = re.compile(
    r'<group\s+(?:expand="[01]"\s+string="[^"]*"|string="[^"]*"\s+expand="[01]")\s*>'
)


def rule_search_group(text, root, where):
    """19: a search view's <group> takes no expand/string (they were presentation only)."""
    expected = 0
    for top, node in arch_elements(root):
        if top.tag != "search":
            continue
        for group in node.findall("group"):
            if group.attrib:
                if set(group.attrib) != {"expand", "string"}:
                    raise RuleError(f"{where}: search <group {group.attrib}>: unknown shape")
                expected += 1
    text, count = SEARCH_GROUP.subn("<group>", text)
    if count != expected:
        raise RuleError(f"{where}: rewrote {count} search groups, the parsed file has {expected}")
    return text


def rule_target_inline(text, root, where):
    """19: act_window target "inline" is gone; the settings open in the main window."""
    expected = sum(
        1
        for rec in records(root, "ir.actions.act_window")
        for field in fields_named(rec, "target")
        if field.text == "inline"
    )
    return sub_in_records(
        text,
        "ir.actions.act_window",
        r'\n[ \t]*<field\s+name="target"\s*>inline</field>',
        "",
        where,
        expected,
    )


XML_RULES = {
    18: [rule_tree_to_list, rule_view_mode_list, rule_cron_fields, rule_chatter],
    19: [
        rule_group_privilege,
        rule_rename_field("res.groups", "users", "user_ids"),
        rule_rename_field("res.users", "groups_id", "group_ids"),
        rule_search_group,
        rule_target_inline,
    ],
}


def xml_rules(series):
    """The rules of a series are those of every series after 17 up to it."""
    return [
        rule
        for since, rules in sorted(XML_RULES.items())
        if since <= major(series)
        for rule in rules
    ]


# ---- .po occurrences ----------------------------------------------------------------------------

PO_CATEGORY = re.compile(r"^#: model:ir\.module\.category,name:(\w+)\.(\w+)$", re.M)


def rule_po_privilege(text, categories_with_privilege, where):
    """19: the privilege made from a category is translated like the category."""

    def one(match):
        module, xmlid = match.group(1), match.group(2)
        if xmlid not in categories_with_privilege:
            return match.group(0)
        return (
            match.group(0) + f"\n#: model:res.groups.privilege,name:{module}.{privilege_id(xmlid)}"
        )

    return PO_CATEGORY.sub(one, text)


# ---- verification of a built tree ---------------------------------------------------------------


def problems_17(root):
    """17 has no <list> and no <chatter>."""
    return [
        f"<{node.tag}> in a 17.0 view"
        for _top, node in arch_elements(root)
        if node.tag in ("list", "chatter")
    ]


def problems_18(root):
    """What 18 refuses: <tree>, oe_chatter, view_mode tree, ir.cron numbercall/doall."""
    problems = []
    for _top, node in arch_elements(root):
        if node.tag == "tree":
            problems.append("<tree> in a view")
        if "oe_chatter" in (node.get("class") or ""):
            problems.append("oe_chatter div")
    problems += [
        "view_mode tree"
        for rec in records(root, "ir.actions.act_window")
        for field in fields_named(rec, "view_mode")
        if "tree" in (field.text or "").split(",")
    ]
    problems += [
        "ir.cron numbercall/doall"
        for rec in records(root, "ir.cron")
        if fields_named(rec, "numbercall") or fields_named(rec, "doall")
    ]
    return problems


def problems_19(root):
    """What 19 refuses or ignores: group categories and users, users' groups_id, search
    group attributes, target inline."""
    problems = [
        f"res.groups {rec.get('id')}: category_id/users"
        for rec in records(root, "res.groups")
        if fields_named(rec, "category_id") or fields_named(rec, "users")
    ]
    problems += [
        f"res.users {rec.get('id')}: groups_id"
        for rec in records(root, "res.users")
        if fields_named(rec, "groups_id")
    ]
    problems += [
        "search <group> with attributes"
        for top, node in arch_elements(root)
        if top.tag == "search" and node.tag == "group" and node.attrib
    ]
    problems += [
        "target inline"
        for rec in records(root, "ir.actions.act_window")
        if any(field.text == "inline" for field in fields_named(rec, "target"))
    ]
    return problems


def verify_xml(root, series, where):
    """What the target series refuses must be gone (a rule that silently missed one)."""
    if major(series) < 18:
        problems = problems_17(root)
    else:
        problems = problems_18(root) + (problems_19(root) if major(series) >= 19 else [])
    if problems:
        raise RuleError(f"{where}: built for {series} but still has: {', '.join(problems)}")


# ---- the build ----------------------------------------------------------------------------------


def data_files(manifest):
    return [
        name for key in ("data", "demo") for name in manifest.get(key, []) if name.endswith(".xml")
    ]


def build_addon(addon, series, outdir, log, source=ROOT):
    src, dst = source / addon, outdir / addon
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=IGNORED)
    manifest_path = dst / "__manifest__.py"
    canonical = manifest_path.read_text(encoding="utf-8")
    manifest_path.write_text(
        rule_manifest_version(canonical, series, f"{addon}/__manifest__.py"), encoding="utf-8"
    )
    manifest = ast.literal_eval(canonical)
    rule_migrations(dst, series, addon, log)
    for name in data_files(manifest):
        path, where = dst / name, f"{addon}/{name}"
        text = path.read_text(encoding="utf-8")
        new = text
        for rule in xml_rules(series):
            before = new
            new = rule(new, parse(new, where), where)
            if new != before:
                log(f"  {where}: {rule.__name__.removeprefix('rule_')}")
        verify_xml(parse(new, where), series, where)
        if new != text:
            path.write_text(new, encoding="utf-8")
    with_privilege = with_privilege_categories(dst, manifest)
    for path in sorted((dst / "i18n").glob("*.po*")) if with_privilege else []:
        text = path.read_text(encoding="utf-8")
        new = rule_po_privilege(text, with_privilege, path.name)
        if new != text:
            path.write_text(new, encoding="utf-8")
            log(f"  {addon}/i18n/{path.name}: po_privilege")
    return dst


def with_privilege_categories(dst, manifest):
    """Categories (local xmlids) that got a privilege in this addon's built data files."""
    found = set()
    for name in data_files(manifest):
        root = parse((dst / name).read_text(encoding="utf-8"), name)
        for rec in records(root, "res.groups.privilege"):
            for field in fields_named(rec, "category_id"):
                if privilege_id(field.get("ref")) == rec.get("id"):
                    found.add(field.get("ref"))
    return found


def build(series, outdir, log=lambda line: None, source=ROOT):
    outdir.mkdir(parents=True, exist_ok=True)
    log(f"build {series} -> {outdir}")
    addons = addon_names(source, installable=True)
    if not addons:
        raise AddonError(f"no installable addon in {source}")
    return [build_addon(addon, series, outdir, log, source) for addon in addons]


def same_tree(left, right):
    cmp = filecmp.dircmp(left, right, ignore=["__pycache__"])
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _match, mismatch, errors = filecmp.cmpfiles(left, right, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(left / sub, right / sub) for sub in cmp.common_dirs)


def normalize_series(value):
    value = value if "." in value else value + ".0"
    if value not in SERIES:
        raise argparse.ArgumentTypeError(
            f"unsupported series {value!r} (one of {', '.join(SERIES)})"
        )
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("series", nargs="*", help="17.0, 18.0 or 19.0")
    parser.add_argument(
        "--check",
        action="store_true",
        help="build in a temporary directory and verify (no OUTDIR written)",
    )
    parser.add_argument("--list", action="store_true", help="print the supported series")
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="directory holding the canonical addons (default: the repository)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(SERIES))
        return 0
    log = (lambda line: None) if args.quiet else (lambda line: print(line, file=sys.stderr))
    try:
        if args.check:
            outdir = None
            if len(args.series) == 2 and not re.fullmatch(r"\d+(\.0)?", args.series[1]):
                outdir = Path(args.series[1])
                wanted = [normalize_series(args.series[0])]
            else:
                wanted = [normalize_series(s) for s in args.series] or list(SERIES)
            with tempfile.TemporaryDirectory() as tmp:
                for series in wanted:
                    built = Path(tmp) / series
                    build(series, built, log, args.source)
                    if outdir is not None:
                        stale = [
                            addon
                            for addon in addon_names(args.source, installable=True)
                            if not (outdir / addon).is_dir()
                            or not same_tree(built / addon, outdir / addon)
                        ]
                        if stale:
                            print(
                                f"{outdir}: out of date for {series}: {', '.join(stale)} "
                                f"(rebuild: tools/build_series.py {series} {outdir})",
                                file=sys.stderr,
                            )
                            return 1
            print(f"build_series: ok ({', '.join(wanted)})")
            return 0
        if len(args.series) != 2:
            parser.print_usage(sys.stderr)
            print("build_series.py: error: SERIES OUTDIR expected", file=sys.stderr)
            return 2
        build(normalize_series(args.series[0]), Path(args.series[1]), log, args.source)
        return 0
    except argparse.ArgumentTypeError as exc:
        print(f"build_series.py: error: {exc}", file=sys.stderr)
        return 2
    except (RuleError, AddonError) as exc:
        print(f"build_series.py: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
