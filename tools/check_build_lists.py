#!/usr/bin/env python3
"""Fails when the CMake and Bazel builds list different source files.

birthright keeps two builds by hand (STYLE.md habit 15): CMake for developers and CI,
Bazel for embedders. This check compares

  * every .c/.cc/.cpp path named in any CMakeLists.txt in the tree (the
    set(BIRTHRIGHT_*_SRCS ...) blocks and any other literal source argument), with
  * every .c/.cc/.cpp path named in any BUILD / BUILD.bazel file in the tree,

and also requires every .cc/.c file on disk under src/ and tests/ to be in both, and every
header under include/, src/ and tests/ to be in a BUILD file (Bazel's sandbox hides undeclared
headers; CMake does not list headers at all).

A file that only one build can have on purpose is declared next to the target in the
BUILD file, with a reason:

    # cmake-only: bindings/python/_core.cc  (pybind11 is not wired into Bazel)
    # bazel-only: some/file.cc  (why)

Usage: tools/check_build_lists.py [--root DIR]. Exit 0 when the lists agree, 1 on drift
(with a message saying which file to add where), 2 on a usage error. Python 3 stdlib only.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

SOURCE_EXTS = (".c", ".cc", ".cpp", ".cxx")
HEADER_EXTS = (".h", ".hh", ".hpp")
# Directories whose .cc files must be built by both systems.
REQUIRED_SOURCE_DIRS = ("src", "tests")
# Directories whose headers must be declared to Bazel.
REQUIRED_HEADER_DIRS = ("include", "src", "tests")
# Never descend into these (build trees, VCS, Bazel's convenience symlinks, stubs).
SKIP_DIRS = {".git", ".cache", "node_modules", "__pycache__", "third_party"}

CMAKE_ROOT_VARS = ("${PROJECT_SOURCE_DIR}", "${CMAKE_SOURCE_DIR}",
                   "${birthright_SOURCE_DIR}", "${BIRTHRIGHT_SOURCE_DIR}")
CMAKE_DIR_VARS = ("${CMAKE_CURRENT_SOURCE_DIR}", "${CMAKE_CURRENT_LIST_DIR}")


def walk(root: Path):
    """Yields files under root, skipping build trees and other noise."""
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        keep = []
        for d in dirnames:
            if d in SKIP_DIRS or d.startswith("bazel-") or d.startswith("."):
                continue
            if rel == Path(".") and (d == "build" or d.startswith("build-")
                                     or d.startswith("cmake-build")):
                continue
            # Any directory holding a CMakeCache.txt is a CMake build tree.
            if (Path(dirpath) / d / "CMakeCache.txt").exists():
                continue
            keep.append(d)
        dirnames[:] = sorted(keep)
        for f in sorted(filenames):
            yield Path(dirpath) / f


def strip_cmake_comments(text: str) -> str:
    """Removes # comments (not inside quotes) and [[...]] bracket comments."""
    text = re.sub(r"#\[(=*)\[.*?\]\1\]", "", text, flags=re.S)
    out = []
    for line in text.splitlines():
        in_quote = False
        cut = len(line)
        for i, ch in enumerate(line):
            if ch == '"' and (i == 0 or line[i - 1] != "\\"):
                in_quote = not in_quote
            elif ch == "#" and not in_quote:
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def resolve_cmake_path(token: str, cmake_dir: Path, root: Path) -> str | None:
    """Maps a CMake source argument to a root-relative path, or None if generated."""
    token = token.strip('"')
    if "BINARY_DIR" in token:
        return None  # generated at build time, e.g. flatc output
    for var in CMAKE_ROOT_VARS:
        if token.startswith(var + "/"):
            rest = token[len(var) + 1:]
            return None if "${" in rest else rest
    for var in CMAKE_DIR_VARS:
        if token.startswith(var + "/"):
            rest = token[len(var) + 1:]
            if "${" in rest:
                return None
            return (cmake_dir / rest).relative_to(root).as_posix()
    if "${" in token:
        return None  # a variable we cannot expand; its list is parsed elsewhere
    # tests/CMakeLists.txt writes paths relative to the project root; a subdirectory may
    # also write them relative to itself. Prefer whichever exists.
    from_root = root / token
    from_dir = cmake_dir / token
    if not from_root.exists() and from_dir.exists():
        return from_dir.relative_to(root).as_posix()
    if cmake_dir != root and not from_root.exists():
        return from_dir.relative_to(root).as_posix()
    return Path(token).as_posix()


def cmake_sources(root: Path) -> dict[str, list[str]]:
    """Returns {root-relative source path: [CMake files naming it]}."""
    found: dict[str, list[str]] = {}
    for f in walk(root):
        if f.name != "CMakeLists.txt" and f.suffix != ".cmake":
            continue
        text = strip_cmake_comments(f.read_text(encoding="utf-8"))
        for token in re.findall(r'"[^"\n]*"|[^\s()"]+', text):
            bare = token.strip('"')
            if not bare.endswith(SOURCE_EXTS):
                continue
            path = resolve_cmake_path(bare, f.parent, root)
            if path is not None:
                found.setdefault(path, []).append(f.relative_to(root).as_posix())
    return found


def strip_starlark_comments(text: str) -> tuple[str, list[str]]:
    """Returns (text without comments, the comment bodies)."""
    code, comments = [], []
    for line in text.splitlines():
        in_quote = None
        cut = len(line)
        for i, ch in enumerate(line):
            if in_quote:
                if ch == in_quote and line[i - 1] != "\\":
                    in_quote = None
            elif ch in "\"'":
                in_quote = ch
            elif ch == "#":
                cut = i
                break
        code.append(line[:cut])
        if cut < len(line):
            comments.append(line[cut + 1:].strip())
    return "\n".join(code), comments


def bazel_label_to_path(label: str, package: str) -> str | None:
    if label.startswith("@"):
        return None  # another repository
    if label.startswith("//"):
        pkg, _, name = label[2:].partition(":")
        if not name:
            return None
        return f"{pkg}/{name}" if pkg else name
    name = label[1:] if label.startswith(":") else label
    return f"{package}/{name}" if package else name


def bazel_files(root: Path) -> tuple[dict[str, list[str]], set[str], set[str], list[str]]:
    """Returns (sources and headers -> BUILD files, cmake-only, bazel-only, glob users)."""
    found: dict[str, list[str]] = {}
    cmake_only: set[str] = set()
    bazel_only: set[str] = set()
    glob_users: list[str] = []
    for f in walk(root):
        if f.name not in ("BUILD", "BUILD.bazel"):
            continue
        package = f.parent.relative_to(root).as_posix()
        package = "" if package == "." else package
        code, comments = strip_starlark_comments(f.read_text(encoding="utf-8"))
        for c in comments:
            m = re.match(r"(cmake|bazel)-only:\s*(\S+)", c)
            if m:
                (cmake_only if m.group(1) == "cmake" else bazel_only).add(m.group(2))
        # A wildcard pattern for sources ("src/**/*.cc") means a glob that hides files.
        if re.search(r"[\"'][^\"'\n]*\*[^\"'\n]*\.(c|cc|cpp|cxx)[\"']", code):
            glob_users.append(f.relative_to(root).as_posix())
        for s in re.findall(r'"([^"\n]*)"|\'([^\'\n]*)\'', code):
            s = s[0] or s[1]
            if (not s.endswith(SOURCE_EXTS + HEADER_EXTS) or "*" in s
                    or Path(s.rpartition(":")[2]).name.startswith(".")):
                continue  # not a file name, e.g. a glob or a bare ".cc" suffix
            path = bazel_label_to_path(s, package)
            if path is not None:
                found.setdefault(path, []).append(f.relative_to(root).as_posix())
    return found, cmake_only, bazel_only, glob_users


def on_disk(root: Path, dirs, exts) -> set[str]:
    out = set()
    for d in dirs:
        if (root / d).is_dir():
            for f in walk(root / d):
                if f.suffix in exts:
                    out.add(f.relative_to(root).as_posix())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=Path(__file__).resolve().parent.parent,
                        type=Path, help="project root (default: this script's ../)")
    args = parser.parse_args()
    root = args.root.resolve()
    if not (root / "CMakeLists.txt").exists():
        print(f"check_build_lists: no CMakeLists.txt in {root}", file=sys.stderr)
        return 2

    cmake = cmake_sources(root)
    bazel_all, cmake_only, bazel_only, glob_users = bazel_files(root)
    bazel = {p: v for p, v in bazel_all.items() if p.endswith(SOURCE_EXTS)}
    bazel_headers = {p for p in bazel_all if p.endswith(HEADER_EXTS)}

    problems: list[str] = []

    def report(title: str, paths, hint: str):
        paths = sorted(paths)
        if paths:
            problems.append(f"{title}:\n" + "".join(f"    {p}\n" for p in paths)
                            + f"  -> {hint}")

    report("In CMake but not in Bazel",
           set(cmake) - set(bazel) - cmake_only,
           "add them to the matching target in BUILD.bazel (or declare "
           "'# cmake-only: PATH  (reason)' there)")
    report("In Bazel but not in CMake",
           set(bazel) - set(cmake) - bazel_only,
           "add them to the matching BIRTHRIGHT_*_SRCS list in CMakeLists.txt or "
           "tests/CMakeLists.txt (or declare '# bazel-only: PATH  (reason)' in BUILD.bazel)")
    report("Listed in a build file but missing on disk",
           {p for p in set(cmake) | set(bazel) if not (root / p).exists()},
           "remove them from the build files, or add the file")
    report("On disk under " + "/, ".join(REQUIRED_SOURCE_DIRS) + "/ but in no CMake list",
           on_disk(root, REQUIRED_SOURCE_DIRS, SOURCE_EXTS) - set(cmake) - bazel_only,
           "add them to a BIRTHRIGHT_*_SRCS list (and to BUILD.bazel), or delete them")
    report("On disk under " + "/, ".join(REQUIRED_SOURCE_DIRS) + "/ but in no BUILD file",
           on_disk(root, REQUIRED_SOURCE_DIRS, SOURCE_EXTS) - set(bazel) - cmake_only,
           "add them to BUILD.bazel")
    report("Headers on disk under " + "/, ".join(REQUIRED_HEADER_DIRS)
           + "/ but in no BUILD file (Bazel's sandbox hides them)",
           on_disk(root, REQUIRED_HEADER_DIRS, HEADER_EXTS) - bazel_headers,
           "add them to hdrs (or srcs, for a binary's private header) in BUILD.bazel")
    for g in glob_users:
        problems.append(f"{g} globs source files; list them explicitly so this check "
                        "can see them")

    n_cmake, n_bazel = len(cmake), len(bazel)
    if problems:
        print("check_build_lists: CMake and Bazel builds have drifted.\n", file=sys.stderr)
        print("\n\n".join(problems), file=sys.stderr)
        print(f"\n({n_cmake} sources in CMake lists, {n_bazel} in BUILD files)",
              file=sys.stderr)
        return 1
    print(f"check_build_lists: OK ({n_cmake} sources in CMake lists, {n_bazel} in BUILD "
          f"files, {len(bazel_headers)} headers declared to Bazel)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
