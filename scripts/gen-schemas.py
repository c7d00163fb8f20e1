#!/usr/bin/python3
"""Regenerates schemas/*.ovsschema from Debian's installed schema files.

The data (tables, columns, types, constraints, indexes, isRoot, maxRows,
version, cksum) is kept exactly; only the layout is ours: sorted keys,
2-space indentation, a final newline.  Run it after a Debian update of
openvswitch or ovn, check tests/compat/test_schemas.py, and commit.

Usage: scripts/gen-schemas.py [OUTDIR]   (default: schemas/ in the tree)
"""

import json
import os
import sys

SOURCES = {
    "vswitch.ovsschema": "/usr/share/openvswitch/vswitch.ovsschema",
    "ovn-nb.ovsschema": "/usr/share/ovn/ovn-nb.ovsschema",
    "ovn-sb.ovsschema": "/usr/share/ovn/ovn-sb.ovsschema",
}


def render(path):
    """The text we commit for the schema file at 'path'."""
    with open(path) as f:
        data = json.load(f)
    return json.dumps(data, sort_keys=True, indent=2,
                      ensure_ascii=False) + "\n"


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top,
                                                                "schemas")
    os.makedirs(outdir, exist_ok=True)
    for name, src in sorted(SOURCES.items()):
        text = render(src)
        with open(os.path.join(outdir, name), "w") as f:
            f.write(text)
        data = json.loads(text)
        print("%s: %s %s (%d tables)" % (name, data["name"],
                                         data["version"],
                                         len(data["tables"])))


if __name__ == "__main__":
    main()
