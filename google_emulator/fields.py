"""Partial responses: the ``fields`` parameter, as Google's APIs read it.

``fields=items(id,etag,updated),nextPageToken,nextSyncToken`` keeps only those
parts of the answer: a comma-separated list of paths (``a/b/c``), each
optionally followed by a parenthesised sub-selection that applies to every
element of an array (or to an object); ``*`` selects every key. An invalid
selection is 400 ``invalidParameter``, before the call does anything.
"""

import copy

from . import errors


def _invalid(text):
    return errors.bad_request(
        "Invalid field selection %s" % text,
        reason="invalidParameter",
        location="fields",
        locationType="parameter",
    )


def parse_fields(text):
    """The selection tree of a ``fields`` value: {key: subtree or None (all)}."""
    tree, pos = _parse_list(text, 0)
    if pos != len(text) or not tree:
        raise _invalid(text)
    return tree


def _merge(tree, path, sub):
    node = tree
    for name in path[:-1]:
        child = node.get(name, {})
        if child is None:  # already "all of it"
            return
        node[name] = child
        node = child
    last = path[-1]
    if sub is None or node.get(last, {}) is None:
        node[last] = None
    else:
        existing = node.get(last) or {}
        for key, value in sub.items():
            _merge(existing, [key], value)
        node[last] = existing


def _parse_list(text, pos):
    tree = {}
    while True:
        path, pos = _parse_path(text, pos)
        sub = None
        if pos < len(text) and text[pos] == "(":
            sub, pos = _parse_list(text, pos + 1)
            if pos >= len(text) or text[pos] != ")" or not sub:
                raise _invalid(text)
            pos += 1
        _merge(tree, path, sub)
        if pos < len(text) and text[pos] == ",":
            pos += 1
            continue
        return tree, pos


def _parse_path(text, pos):
    names = []
    while True:
        start = pos
        while pos < len(text) and text[pos] not in ",()/":
            pos += 1
        name = text[start:pos].strip()
        if not name:
            raise _invalid(text)
        names.append(name)
        if pos < len(text) and text[pos] == "/":
            pos += 1
            continue
        return names, pos


def apply_fields(value, tree):
    """The parts of ``value`` (a JSON answer) that ``tree`` selects."""
    if tree is None:
        return copy.deepcopy(value)
    if isinstance(value, list):
        return [apply_fields(item, tree) for item in value]
    if not isinstance(value, dict):
        return copy.deepcopy(value)
    out = {}
    for key, sub in tree.items():
        if key == "*":
            for name, item in value.items():
                out[name] = apply_fields(item, sub)
        elif key in value:
            out[key] = apply_fields(value[key], sub)
    return out
