#!/usr/bin/env python3
"""Where the bytes of a wasm module are: per section, per crate, per function.

    python3 scripts/wasm_sizes.py MODULE.wasm [--top N] [--label TEXT] [--markdown]

MODULE.wasm needs its name section (scripts/wasm-size.sh builds one that
keeps it). A function's crate is the first path segment of its demangled
name; for a trait method (`<T as Trait>::f`) that of the type `T`, so
serde's visitors for our types count as ours. Monomorphised copies of
generic code count for the crate of the generic (`alloc::vec::Vec<T>::push`
is `alloc`). Names are demangled by `c++filt` when it is installed
(binutils), otherwise by the small legacy demangler below.
"""
import collections
import gzip
import re
import shutil
import subprocess
import sys


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def read_module(path):
    """Sections (id, custom name, bytes), function body sizes, and names."""
    data = open(path, "rb").read()
    if data[:4] != b"\0asm":
        sys.exit(f"{path}: not a wasm module")
    sections = []
    bodies = []
    names = {}
    n_imports = 0
    i = 8
    while i < len(data):
        sid = data[i]
        i += 1
        size, i = leb(data, i)
        end = i + size
        custom = ""
        if sid == 0:
            l, j = leb(data, i)
            custom = data[j : j + l].decode()
        sections.append((sid, custom, data[i:end]))
        if sid == 2:  # imports: function imports come first in the index space
            cnt, j = leb(data, i)
            for _ in range(cnt):
                for _ in range(2):  # module and field names
                    l, j = leb(data, j)
                    j += l
                kind = data[j]
                j += 1
                if kind == 0:
                    _, j = leb(data, j)
                    n_imports += 1
                elif kind in (1, 2):  # table (reftype + limits) or memory (limits)
                    if kind == 1:
                        j += 1
                    fl, j = leb(data, j)
                    _, j = leb(data, j)
                    if fl & 1:
                        _, j = leb(data, j)
                elif kind == 3:  # global: valtype + mutability
                    j += 2
                elif kind == 4:  # tag
                    j += 1
                    _, j = leb(data, j)
        elif sid == 10:
            cnt, j = leb(data, i)
            for _ in range(cnt):
                l, j2 = leb(data, j)
                bodies.append(l + (j2 - j))
                j = j2 + l
        elif custom == "name":
            l, j = leb(data, i)
            j += l
            while j < end:
                sub = data[j]
                j += 1
                ssz, j = leb(data, j)
                send = j + ssz
                if sub == 1:  # function names
                    cnt, k = leb(data, j)
                    for _ in range(cnt):
                        idx, k = leb(data, k)
                        l2, k = leb(data, k)
                        names[idx] = data[k : k + l2].decode("utf8", "replace")
                        k += l2
                j = send
        i = end
    funcs = [(sz, names.get(k + n_imports, f"func{k + n_imports}")) for k, sz in enumerate(bodies)]
    return sections, funcs


def demangle_legacy(n):
    """`_ZN3foo3barE` → `foo::bar` (Rust's legacy scheme), hash dropped."""
    m = re.match(r"_?_ZN(.*)E$", n)
    if not m:
        return n
    s, parts = m.group(1), []
    while s:
        mm = re.match(r"(\d+)", s)
        if not mm:
            break
        ln = int(mm.group(1))
        s = s[len(mm.group(1)) :]
        parts.append(s[:ln])
        s = s[ln:]
    if parts and re.fullmatch(r"h[0-9a-f]{16}", parts[-1]):
        parts.pop()
    out = "::".join(parts)
    for a, b in (("$LT$", "<"), ("$GT$", ">"), ("$RF$", "&"), ("$u20$", " "), ("$C$", ","),
                 ("$u7b$", "{"), ("$u7d$", "}"), ("$u5b$", "["), ("$u5d$", "]"), ("..", "::")):
        out = out.replace(a, b)
    return out


def demangle_all(raw):
    tool = shutil.which("c++filt")
    if tool:
        try:
            out = subprocess.run([tool], input="\n".join(raw), capture_output=True, text=True,
                                 check=True).stdout.split("\n")
            if len(out) >= len(raw):
                return [re.sub(r"\[[0-9a-f]{16}\]", "", re.sub(r"::h[0-9a-f]{16}$", "", o))
                        for o in out[: len(raw)]]
        except (OSError, subprocess.CalledProcessError):
            pass
    return [demangle_legacy(n) for n in raw]


def crate_of(name):
    if name.endswith(" shim") or name.startswith("driver_"):
        # wasm-bindgen's export wrappers, named after the export; wasm-opt
        # inlines into them whatever only that export calls.
        return "exports (shims + inlined)"
    if name.startswith(("__wbg_", "__wbindgen", "__externref", "wasm_bindgen::")):
        return "wasm_bindgen"
    if re.match(r"__(u|)(div|mod|mul|lshr|ashl|ashr)[a-z]*[0-9]$", name) or name in ("memcmp", "memcpy", "memset", "memmove"):
        return "compiler_builtins"
    if re.match(r"func\d+$", name):
        return "unnamed (wasm-bindgen glue)"
    # A blanket impl (`<T as Trait>::f`, `<&T as Trait>::f`): the trait's crate.
    m = re.match(r"<&?(?:mut )?T as ([A-Za-z_][A-Za-z0-9_]*)::", name)
    if m:
        return m.group(1)
    s = name
    while True:
        s = s.lstrip("<&*[( ")
        for p in ("mut ", "const ", "dyn ", "impl "):
            if s.startswith(p):
                s = s[len(p) :]
                break
        else:
            break
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", s)
    if m:
        return m.group(1)
    if re.match(r"(u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64|bool|char|str)\b", s):
        return "core"  # methods of primitive types
    return "other"


def gz(b):
    return len(gzip.compress(b, 9))


SECTION_NAMES = {1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
                 7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "data count"}


def main():
    args = sys.argv[1:]
    top, label, markdown, path = 25, None, False, None
    while args:
        a = args.pop(0)
        if a == "--top":
            top = int(args.pop(0))
        elif a == "--label":
            label = args.pop(0)
        elif a == "--markdown":
            markdown = True
        else:
            path = a
    if not path:
        sys.exit(__doc__)
    sections, funcs = read_module(path)
    names = demangle_all([n for _, n in funcs])
    funcs = [(sz, d) for (sz, _), d in zip(funcs, names)]
    code = sum(sz for sz, _ in funcs)
    by_crate = collections.Counter()
    count = collections.Counter()
    for sz, n in funcs:
        c = crate_of(n)
        by_crate[c] += sz
        count[c] += 1

    h = (lambda t: f"\n{t}\n") if not markdown else (lambda t: f"\n**{t}**\n")
    print(h(label or path))
    rows = [(SECTION_NAMES.get(sid, f"custom `{c}`" if sid == 0 else str(sid)), len(b), gz(b))
            for sid, c, b in sections]
    print("| section | bytes | gzip -9 alone |\n|---|---:|---:|")
    for n, b, g in rows:
        if b >= 64:
            print(f"| {n} | {b:,} | {g:,} |")
    print(f"| (whole module) | {sum(len(b) for _, _, b in sections):,} | "
          f"{gz(open(path, 'rb').read()):,} |")

    print(h(f"code by crate: {code:,} bytes in {len(funcs):,} functions"))
    print("| crate | bytes | share | functions |\n|---|---:|---:|---:|")
    for c, s in by_crate.most_common():
        if s * 200 >= code:  # 0.5 % and up; the rest in one row
            print(f"| {c} | {s:,} | {100 * s / code:.1f} % | {count[c]} |")
    rest = [(c, s) for c, s in by_crate.items() if s * 200 < code]
    if rest:
        print(f"| {len(rest)} others | {sum(s for _, s in rest):,} | "
              f"{100 * sum(s for _, s in rest) / code:.1f} % | {sum(count[c] for c, _ in rest)} |")

    print(h(f"largest {top} functions"))
    print("| bytes | function |\n|---:|---|")
    for sz, n in sorted(funcs, reverse=True)[:top]:
        n = n if len(n) <= 140 else n[:137] + "..."
        print(f"| {sz:,} | `{n.replace('|', '/')}` |")


if __name__ == "__main__":
    main()
