"""Reading callgrind output files (valgrind's "Callgrind Format, Version 1", cl-format.html).

What bench/cost takes from a dump:

- the event totals: the `totals:` line (the sum of every self-cost line in the file), else the
  `summary:` line; both are kept, Ir is the one used;
- heap allocations: the `calls=` counts of every call edge whose callee (`cfn=`) is one of the C
  allocation functions, from a caller outside the allocator: not one of those functions and not one of
  glibc's malloc internals. glibc's posix_memalign and memalign call _mid_memalign, which calls malloc
  for a small alignment, and realloc(NULL, n) jumps to malloc: callgrind records these as calls into
  malloc, and counting them would count one allocation twice;
- the callers of those functions (which code allocates), for the JSON.

Name compression: `fn=(12) malloc` defines id 12 and a later `cfn=(12)` or `fn=(12)` reuses it. As in
callgrind and KCachegrind, fn/cfn share one table, ob/cob one, and fl/fi/fe/cfi/cfl one.
"""

import collections
import os
import re

# The C allocation functions counted, and the glibc names the same entry points can carry in a symbol
# table (valgrind picks one of the aliases of an address).
ALLOC_FUNCTIONS = ("malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "memalign", "valloc")
_ALIASES = {
    "__libc_malloc": "malloc",
    "__libc_calloc": "calloc",
    "__libc_realloc": "realloc",
    "__libc_memalign": "memalign",
    "__posix_memalign": "posix_memalign",
    "__libc_valloc": "valloc",
    "__libc_aligned_alloc": "aligned_alloc",
}

# glibc (malloc/malloc.c) functions that call the public entry points themselves.
_ALLOCATOR_INTERNALS = frozenset({
    "_mid_memalign", "_int_malloc", "_int_realloc", "_int_memalign", "_int_free", "sysmalloc",
    "tcache_init", "malloc_hook_ini", "realloc_hook_ini", "memalign_hook_ini", "malloc_check",
    "realloc_check", "memalign_check", "mremap_chunk",
})

_TABLE_OF = {"fn": "fn", "cfn": "fn", "ob": "ob", "cob": "ob",
             "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl", "cfl": "fl"}
_SPEC = re.compile(r"^(fn|cfn|ob|cob|fl|fi|fe|cfi|cfl)=(.*)$")
_COMPRESSED = re.compile(r"^\((\d+)\)\s*(.*)$")
_RECURSION = re.compile(r"'\d+$")          # callgrind's name of a recursion level: malloc'2
_VERSION = re.compile(r"@@?[A-Za-z0-9_.]+$")  # a symbol version: pthread_cond_broadcast@@GLIBC_2.3.2
_CLONE = re.compile(r"(\.(constprop|isra|part|cold|lto_priv)(\.\d+)?)+$")  # GCC clones: _mid_memalign.constprop.0


class CallgrindError(Exception):
    """A file that is not a usable callgrind dump."""


def _base_name(name):
    return _CLONE.sub("", _VERSION.sub("", _RECURSION.sub("", name.strip())))


def canonical_function(name):
    """The allocation function a callgrind function name stands for, or None.

    Strips callgrind's recursion suffix ('2), a symbol version (@@GLIBC_x) and GCC clone suffixes
    (.constprop.0), and maps glibc's internal aliases (__libc_malloc) to the public name."""
    base = _base_name(name)
    base = _ALIASES.get(base, base)
    return base if base in ALLOC_FUNCTIONS else None


def is_operator_new(name):
    """operator new / new[] in any overload (also a class's own, and "X::operator new(...) → malloc")."""
    base = name.split("(", 1)[0]
    return base.endswith(("operator new", "operator new[]"))


def inside_allocator(name):
    """True for an allocation function or one of glibc's malloc internals (their calls are not counted)."""
    return canonical_function(name) is not None or _base_name(name) in _ALLOCATOR_INTERNALS


class Profile:
    """What one callgrind dump says: events, totals, call edges into the allocation functions."""

    def __init__(self):
        self.events = []             # ["Ir"]
        self.positions = ["line"]    # subpositions in front of the costs of a cost line
        self.summary = None          # [int per event] from `summary:`
        self.totals = None           # [int per event] from `totals:`
        self.self_cost = []          # [int per event]: the self-cost lines summed (a cross-check)
        self.header = {}             # pid, cmd, part, trigger (desc: Trigger: ...)
        self.alloc_calls = collections.Counter()   # allocation function → calls
        self.alloc_callers = collections.Counter()  # "caller → function" → calls
        self.new_callers = collections.Counter()    # "caller → operator new…" → calls (who allocates via new)

    def event(self, name, source="totals"):
        """The count of one event from the `totals:` line (or `summary:`), falling back to the other."""
        if name not in self.events:
            raise CallgrindError(f"no event {name!r} in this dump (events: {' '.join(self.events)})")
        index = self.events.index(name)
        order = [self.totals, self.summary] if source == "totals" else [self.summary, self.totals]
        for values in order:
            if values is not None:
                return values[index] if index < len(values) else 0
        return self.self_cost[index] if index < len(self.self_cost) else 0

    @property
    def allocations(self):
        return sum(self.alloc_calls.values())

    def allocating_callers(self):
        """Counter of "caller → callee" edges that allocate: direct calls into the allocation functions,
        except those from operator new, which are shown as the calls into operator new instead (C++ code
        allocates through it; its own call into malloc says nothing about which code allocated)."""
        out = collections.Counter({k: v for k, v in self.alloc_callers.items() if not is_operator_new(k)})
        out.update(self.new_callers)
        return out


def _add(acc, values):
    if acc is None:
        return list(values)
    if len(values) > len(acc):
        acc.extend([0] * (len(values) - len(acc)))
    for i, v in enumerate(values):
        acc[i] += v
    return acc


def _numbers(text):
    return [int(tok, 0) for tok in text.split()]


class _Names:
    """The three name-compression tables."""

    def __init__(self):
        self.tables = {"fn": {}, "ob": {}, "fl": {}}

    def resolve(self, key, value):
        table = self.tables[_TABLE_OF[key]]
        match = _COMPRESSED.match(value)
        if not match:
            return value.strip()
        ident, name = match.group(1), match.group(2).strip()
        if name:
            table[ident] = name
            return name
        if ident not in table:
            raise CallgrindError(f"{key}=({ident}) refers to an id never defined")
        return table[ident]


def parse_lines(lines):
    """Parses the lines of one callgrind file (several parts are summed); returns a Profile."""
    prof, names = Profile(), _Names()
    fn = cfn = None
    skip_next_cost = False   # the line after calls= is the call's inclusive cost, not self cost
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line or line.startswith("#"):
            continue
        first = line[0]
        if first.isdigit() or first in "+-*":
            if skip_next_cost:
                skip_next_cost = False
                continue
            fields = line.split()
            prof.self_cost = _add(prof.self_cost, [int(t, 0) for t in fields[len(prof.positions):]])
            continue
        spec = _SPEC.match(line)
        if spec:
            key, value = spec.group(1), spec.group(2)
            name = names.resolve(key, value)
            if key == "fn":
                fn, cfn = name, None
            elif key == "cfn":
                cfn = name
            continue
        if line.startswith("calls="):
            count = int(line[len("calls="):].split()[0])
            callee = cfn if cfn is not None else fn
            alloc = canonical_function(callee or "")
            if alloc is not None and not inside_allocator(fn or ""):
                prof.alloc_calls[alloc] += count
                prof.alloc_callers[f"{fn} → {alloc}"] += count
            elif callee and is_operator_new(callee) and not is_operator_new(fn or ""):
                prof.new_callers[f"{fn} → {callee}"] += count
            skip_next_cost = True
            continue
        if line.startswith(("jump=", "jcnd=")):
            skip_next_cost = True    # followed by the source position line
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.strip()
        if key == "events":
            prof.events = value.split()
        elif key == "positions":
            prof.positions = value.split() or ["line"]
        elif key == "summary":
            prof.summary = _add(prof.summary, _numbers(value))
        elif key == "totals":
            prof.totals = _add(prof.totals, _numbers(value))
        elif key == "desc" and value.startswith("Trigger:"):
            prof.header["trigger"] = value[len("Trigger:"):].strip()
        elif key in ("pid", "cmd", "part", "version", "creator", "thread"):
            prof.header[key] = value
    if not prof.events:
        raise CallgrindError("no `events:` line: not a callgrind file")
    return prof


def parse_file(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return parse_lines(f)


def find_dump(out_file, pid, reason):
    """The file of the dump `callgrind_control --dump=<reason>` made in process pid.

    With --callgrind-out-file=<dir>/<name>.%p.out, callgrind writes its dumps to <dir>/<name>.<pid>.out.<n>
    (n counts up from 1; the final dump at exit goes to the file without a number). The newest numbered
    file is taken, and its `desc: Trigger:` line must name the reason."""
    path = out_file.replace("%p", str(pid))
    directory, base = os.path.split(path)
    numbered = []
    for entry in os.listdir(directory or "."):
        if entry.startswith(base + "."):
            suffix = entry[len(base) + 1:]
            if suffix.isdigit():
                numbered.append((int(suffix), os.path.join(directory, entry)))
    if not numbered:
        raise CallgrindError(f"no dump file {path}.<n> was written")
    newest = max(numbered)[1]
    with open(newest, encoding="utf-8", errors="replace") as f:
        head = [next(f, "") for _ in range(40)]
    trigger = [line.split("Trigger:", 1)[1].strip() for line in head if line.startswith("desc: Trigger:")]
    if not trigger or trigger[0] != f"dump {reason}":
        raise CallgrindError(f"{newest}: the newest dump is {trigger[0] if trigger else 'untitled'!r}, "
                             f"not 'dump {reason}'")
    return newest
