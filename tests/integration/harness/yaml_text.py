"""A small block-style YAML writer, so configs look like the ones users write (examples/reverse-proxy.yaml).

Strings are always double-quoted (JSON escapes are valid YAML), so no value is ever re-typed by YAML's
implicit typing ("yes", "1.2", "08"). Keys are plain.
"""
import json


def _scalar(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _is_scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _lines(value, indent: int):
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if _is_scalar(item) or (isinstance(item, list) and all(map(_is_scalar, item))):
                yield f"{pad}{key}: {_inline(item)}"
            elif isinstance(item, dict) and not item:
                yield f"{pad}{key}: {{}}"
            else:
                yield f"{pad}{key}:"
                yield from _lines(item, indent + 2)
    elif isinstance(value, list):
        for item in value:
            if _is_scalar(item):
                yield f"{pad}- {_scalar(item)}"
                continue
            nested = list(_lines(item, indent + 2))
            yield f"{pad}- {nested[0].lstrip()}"
            yield from nested[1:]
    else:
        yield f"{pad}{_scalar(value)}"


def _inline(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def dump(value: dict) -> str:
    """The YAML text of a dict of dicts, lists and scalars."""
    return "\n".join(_lines(value, 0)) + "\n"
