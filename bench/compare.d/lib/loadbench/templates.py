"""Server configuration templates in bench/compare.d/templates: {{name}} placeholders and YAML merging.

`{{name}}` is used instead of `$name` because nginx, HAProxy and lighttpd configurations use `$` and `%`
themselves. A placeholder without a value is an error, never an empty string.
"""

import os
import re

TEMPLATE_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "templates")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_][\w-]*):")


def render(name, values):
    """The text of templates/<name> with every {{key}} replaced by str(values[key])."""
    with open(os.path.join(TEMPLATE_DIR, name)) as f:
        text = f.read()

    def value(match):
        key = match.group(1)
        if key not in values:
            raise KeyError(f"template {name}: no value for {{{{{key}}}}}")
        return str(values[key])

    return _PLACEHOLDER.sub(value, text)


def _sections(text):
    """Top-level YAML keys in order, each with its indented lines; comments and blank lines are dropped."""
    order, bodies, current = [], {}, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _TOP_LEVEL_KEY.match(line)
        if match:
            current = match.group(1)
            rest = line[match.end():].strip()
            if rest and not rest.startswith("#"):
                raise ValueError(f"top-level key {current!r} must be in block style to be merged")
            if current not in bodies:
                order.append(current)
                bodies[current] = []
        elif current is None:
            raise ValueError(f"indented line before any top-level key: {line!r}")
        else:
            bodies[current].append(line)
    return order, bodies


def merge_yaml(texts):
    """Concatenates block-style YAML documents key by key: `routes:` of every fragment become one list.

    Works for the authgate templates, whose top-level values are block mappings or block sequences; that
    keeps the fragments readable YAML on their own without a YAML library (Debian's python3 has none).
    """
    order, merged = [], {}
    for text in texts:
        keys, bodies = _sections(text)
        for key in keys:
            if key not in merged:
                order.append(key)
                merged[key] = []
            merged[key].extend(bodies[key])
    out = []
    for key in order:
        out.append(f"{key}:")
        out.extend(merged[key])
        out.append("")
    return "\n".join(out)
