#!/usr/bin/env python3
"""Lists the function definitions in src/ longer than a limit (default 80 lines).

    python3 scripts/long-functions.py [LIMIT] [FOLDER ...]

A definition is a line at the outer levels (up to four spaces in) that ends a
signature with "{"; its body runs to the matching "}", counted with string and
character literals removed. A heuristic, not a parser: it misses lambdas and
functions whose signature spans lines, which is where a reviewer's eye goes.
Prints "lines file:line signature" per function, longest first; exits 1 if any.
"""
import os
import re
import sys

SIGNATURE = re.compile(r"^ {0,4}[A-Za-z_~].*\)\s*(const)?\s*(noexcept)?\s*(override)?\s*\{\s*$")
STATEMENT = re.compile(r"^\s*(if|for|while|switch|else|do|namespace|struct|class|enum|return)\b")
LITERAL = re.compile(r"'(\\.|[^'])'|\"(\\.|[^\"])*\"")


def long_functions(path, limit):
    lines = open(path, errors="ignore").read().split("\n")
    i = 0
    while i < len(lines):
        if SIGNATURE.match(lines[i]) and not STATEMENT.match(lines[i]):
            depth, j = 0, i
            while j < len(lines):
                code = LITERAL.sub("", lines[j].split("//")[0])
                depth += code.count("{") - code.count("}")
                if depth <= 0:
                    break
                j += 1
            if j - i + 1 > limit:
                yield j - i + 1, i + 1, lines[i].strip()
            i = j + 1
        else:
            i += 1


def main(argv):
    limit = int(argv[1]) if len(argv) > 1 else 80
    folders = argv[2:] or ["src"]
    found = []
    for folder in folders:
        for root, _, files in os.walk(folder):
            for name in sorted(files):
                if name.endswith((".cpp", ".h")):
                    path = os.path.join(root, name)
                    found += [(n, path, line, sig) for n, line, sig in long_functions(path, limit)]
    for n, path, line, sig in sorted(found, reverse=True):
        print(f"{n:4d} {path}:{line} {sig[:90]}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
