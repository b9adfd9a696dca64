#!/usr/bin/env python3
"""Recomputes a specstore snapshot id from an export document, written from docs/format.md alone.

Usage: recompute.py EXPORT_FILE

Checks that every object hashes to its key (section 2, with this file's own RFC 8785 canonicalisation, section 1),
rebuilds the manifest tree from the spec objects (section 4) and the root from the kind definitions (v2), and prints the
snapshot id it computes. Both root formats are read: specstore/snapshot/v1 and specstore/snapshot/v2. Exit status: 0 when
that id equals the document's "snapshot" and every object checked out, 1 when anything differs, 2 on unreadable input.
Standard library only (json, hashlib, sys), so it shares no code with the TypeScript implementation.
"""

import hashlib
import json
import sys

SNAPSHOT_FORMAT = "specstore/snapshot/v2"
SNAPSHOT_FORMAT_V1 = "specstore/snapshot/v1"
KIND_FORMAT = "specstore/kind/v1"
EXPORT_FORMAT = "specstore/export/v1"
LEAF_CAPACITY = 32
MAX_DEPTH = 64
MAX_SAFE_INTEGER = 2**53 - 1
HEX_DIGITS = "0123456789abcdef"


class NotJson(Exception):
    """A value that canonical JSON does not admit (section 1)."""


# --- Section 1: canonical JSON (RFC 8785) ---------------------------------------------------------------------------

SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def canonical_string(text):
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            raise NotJson("string contains a lone surrogate")
    out = ['"']
    for char in text:
        if char in SHORT_ESCAPES:
            out.append(SHORT_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append("\\u%04x" % ord(char))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def shortest_digits(value):
    """For value > 0: the shortest round-trip decimal digits d1..dk and n such that value = 0.d1..dk * 10**n."""
    mantissa, _, exponent = repr(value).partition("e")  # Python's repr is the shortest round-trip form, as in ECMAScript
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    leading = len(digits) - len(digits.lstrip("0"))
    return digits[leading:].rstrip("0"), point - leading


def canonical_number(value):
    if isinstance(value, bool):
        raise NotJson("boolean where a number was expected")
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise NotJson("integer outside +-(2^53 - 1)")
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise NotJson("NaN or infinity")
    if value.is_integer() and abs(value) > MAX_SAFE_INTEGER:
        raise NotJson("integer outside +-(2^53 - 1)")
    if value == 0:
        return "0"  # -0 too
    sign = "-" if value < 0 else ""
    digits, n = shortest_digits(abs(value))
    k = len(digits)
    # ECMAScript Number::toString, radix 10 (ECMA-262, 6.1.6.1.20)
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        exponent = n - 1
        mark = "+" if exponent >= 0 else "-"
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        body = head + "e" + mark + str(abs(exponent))
    return sign + body


def utf16_units(key):
    encoded = key.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(encoded[i:i + 2], "big") for i in range(0, len(encoded), 2)]


def canonical_json(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return canonical_number(value)
    if isinstance(value, str):
        return canonical_string(value)
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value.keys(), key=utf16_units)  # UTF-16 code units, not code points
        return "{" + ",".join(canonical_string(key) + ":" + canonical_json(value[key]) for key in keys) + "}"
    raise NotJson("not a JSON value: %r" % (value,))


# --- Section 2: digests ---------------------------------------------------------------------------------------------

def digest(value):
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def name_hash(name):
    return hashlib.sha256(name.encode("utf-8")).hexdigest()


# --- Section 4: the manifest tree -----------------------------------------------------------------------------------

def build_node(names, entries, depth, nodes):
    """The node at `depth` holding `names`; records every node built in `nodes` (digest -> node). Returns its digest."""
    if len(names) <= LEAF_CAPACITY or depth == MAX_DEPTH:
        node = {"leaf": {name: entries[name] for name in names}}
    else:
        children = {}
        for name in names:
            children.setdefault(name_hash(name)[depth], []).append(name)
        node = {"branch": {c: build_node(children[c], entries, depth + 1, nodes) for c in HEX_DIGITS if c in children}}
    node_digest = digest(node)
    nodes[node_digest] = node
    return node_digest


def snapshot_id_of(specs, nodes, root_format, kinds, plugins):
    """specs: list of (name, version, kind, spec digest, origin or None). kinds: kind name -> definition digest and
    plugins: package -> version (v2 only). Returns the snapshot id."""
    entries = {}
    for name, version, kind, spec_digest, origin in specs:
        entry = entries.setdefault(name, {"kind": kind, "versions": {}})
        if entry["kind"] != kind:
            raise ValueError("name %s has two kinds: %s and %s" % (name, entry["kind"], kind))
        if version in entry["versions"]:
            raise ValueError("%s@%s appears twice" % (name, version))
        entry["versions"][version] = spec_digest
        if origin is not None:
            entry.setdefault("origins", {})[version] = origin  # only versions from a plugin; absent when none
    tree = build_node(sorted(entries), entries, 0, nodes)
    if root_format == SNAPSHOT_FORMAT_V1:
        root = {"format": SNAPSHOT_FORMAT_V1, "specs": len(specs), "tree": tree}
    else:
        root = {"format": SNAPSHOT_FORMAT, "specs": len(specs), "tree": tree, "kinds": kinds, "plugins": plugins}
    root_digest = digest(root)
    nodes[root_digest] = root
    return root_digest


# --- Section 5: the export document ---------------------------------------------------------------------------------

def reject_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise NotJson("duplicate key %r" % key)
        result[key] = value
    return result


def reject_constant(name):
    raise NotJson("%s is not JSON" % name)


def is_tree_node(value):
    return isinstance(value, dict) and len(value) == 1 and ("leaf" in value or "branch" in value)


def is_root(value):
    return isinstance(value, dict) and value.get("format") in (SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_V1)


def is_kind_definition(value):
    return isinstance(value, dict) and value.get("format") == KIND_FORMAT


def main(argv):
    if len(argv) != 2:
        print("usage: recompute.py EXPORT_FILE", file=sys.stderr)
        return 2
    try:
        with open(argv[1], "rb") as handle:
            document = json.loads(handle.read().decode("utf-8"), object_pairs_hook=reject_duplicates,
                                  parse_constant=reject_constant)
    except (OSError, ValueError, NotJson) as error:
        print("cannot read %s: %s" % (argv[1], error), file=sys.stderr)
        return 2
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        print("not a %s document" % EXPORT_FORMAT, file=sys.stderr)
        return 2
    objects = document.get("objects")
    claimed = document.get("snapshot")
    if not isinstance(objects, dict) or not isinstance(claimed, str):
        print("the document lacks \"objects\" or \"snapshot\"", file=sys.stderr)
        return 2

    ok = True
    # (a) every object hashes to its key
    for key, value in objects.items():
        try:
            actual = digest(value)
        except NotJson as error:
            print("object %s is not canonical JSON: %s" % (key, error), file=sys.stderr)
            ok = False
            continue
        if actual != key:
            print("object %s hashes to %s" % (key, actual), file=sys.stderr)
            ok = False

    # (b) the specs: every object that is neither a snapshot root, a kind definition nor a tree node. Neither the kind nor
    # the origin is part of a spec document, so both are taken from the leaf entries that list the spec's digest.
    kinds = {}
    origins = {}
    for value in objects.values():
        if is_tree_node(value) and "leaf" in value and isinstance(value["leaf"], dict):
            for entry in value["leaf"].values():
                for version, spec_digest in entry.get("versions", {}).items():
                    kinds.setdefault(spec_digest, set()).add(entry.get("kind"))
                    origins.setdefault(spec_digest, set()).add(entry.get("origins", {}).get(version))
    specs = []
    for key, value in objects.items():
        if is_root(value) or is_tree_node(value) or is_kind_definition(value):
            continue
        spec_id = value.get("id") if isinstance(value, dict) else None
        if not isinstance(spec_id, str) or "@" not in spec_id:
            print("object %s is neither a tree node, a root nor a spec with an id" % key, file=sys.stderr)
            ok = False
            continue
        name, _, version = spec_id.partition("@")
        try:
            spec_digest = digest(value)
        except NotJson:
            ok = False
            continue
        spec_kinds = kinds.get(spec_digest, set())
        if len(spec_kinds) != 1:
            print("spec %s (%s) is listed under %d kinds" % (spec_id, spec_digest, len(spec_kinds)), file=sys.stderr)
            ok = False
            continue
        spec_origins = origins.get(spec_digest, set())
        if len(spec_origins) != 1:
            print("spec %s (%s) is listed with %d origins" % (spec_id, spec_digest, len(spec_origins)), file=sys.stderr)
            ok = False
            continue
        specs.append((name, version, next(iter(spec_kinds)), spec_digest, next(iter(spec_origins))))

    # (c) the root's own members: its format, and for v2 the kind definitions (every one in the document, by name) and
    # the plugins. Plugin versions are recorded nowhere else, so they are read from the claimed root; every package a
    # leaf names as an origin must be among them.
    # The claimed root, else the document's only root (a document may claim a wrong id).
    claimed_root = objects.get(claimed)
    if not is_root(claimed_root):
        roots = [value for value in objects.values() if is_root(value)]
        if len(roots) != 1:
            print("the document has no snapshot root %s" % claimed, file=sys.stderr)
            return 1
        claimed_root = roots[0]
    root_format = claimed_root["format"]
    definitions = {}
    for key, value in objects.items():
        if is_kind_definition(value):
            name = value.get("name")
            if not isinstance(name, str) or name in definitions:
                print("kind definition %s has no name or a name already defined" % key, file=sys.stderr)
                ok = False
                continue
            definitions[name] = key
    plugins = claimed_root.get("plugins", {}) if root_format == SNAPSHOT_FORMAT else {}
    for origin_set in origins.values():
        for origin in origin_set:
            if origin is not None and origin not in plugins:
                print("a leaf names plugin %s, which the root does not list" % origin, file=sys.stderr)
                ok = False
    if root_format == SNAPSHOT_FORMAT_V1 and definitions:
        print("a v1 snapshot has no kind definitions, but the document holds %d" % len(definitions), file=sys.stderr)
        ok = False

    # (d) rebuild the tree and the root, and compare
    nodes = {}
    try:
        recomputed = snapshot_id_of(specs, nodes, root_format, definitions, plugins)
    except (ValueError, NotJson) as error:
        print("cannot build the manifest: %s" % error, file=sys.stderr)
        return 1
    print(recomputed)
    if recomputed != claimed:
        print("the document claims %s" % claimed, file=sys.stderr)
        ok = False
    missing = [node_digest for node_digest in nodes if node_digest not in objects]
    if missing:
        print("%d recomputed tree objects are not in the document, e.g. %s" % (len(missing), missing[0]), file=sys.stderr)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
