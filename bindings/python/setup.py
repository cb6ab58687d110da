"""Builds birthright's `_core` extension with the project's own CMake, so that
`pip install --no-build-isolation --no-index --no-deps bindings/python` works
offline (no scikit-build; BUILD-NOTES.md). Metadata lives in pyproject.toml.

Environment: BIRTHRIGHT_SOURCE_DIR (default: two levels up), CMAKE (cmake
binary), CMAKE_BUILD_PARALLEL_LEVEL (jobs, default 2).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
SOURCE_DIR = Path(os.environ.get("BIRTHRIGHT_SOURCE_DIR", HERE.parent.parent))


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        target = Path(self.get_ext_fullpath(ext.name)).resolve()
        out_dir = target.parent
        build_dir = Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        cmake = os.environ.get("CMAKE", "cmake")
        configure = [
            cmake, "-S", str(SOURCE_DIR), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DBIRTHRIGHT_BUILD_TESTS=OFF",
            "-DBIRTHRIGHT_BUILD_BENCH=OFF",
            "-DBIRTHRIGHT_BUILD_PYTHON=ON",
            f"-DPython_EXECUTABLE={sys.executable}",
            f"-DBIRTHRIGHT_PYTHON_OUT={out_dir}",
        ]
        if _have("ninja"):
            configure += ["-G", "Ninja"]
        subprocess.run(configure, check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        subprocess.run([cmake, "--build", str(build_dir), "--target", "birthright_python",
                        "--parallel", jobs], check=True)
        built = next(out_dir.glob("_core*.so"), None)
        if built is None:
            raise RuntimeError(f"CMake did not produce _core in {out_dir}")
        if built != target:
            built.replace(target)


def _have(tool: str) -> bool:
    from shutil import which

    return which(tool) is not None


setup(
    ext_modules=[Extension("birthright._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
)
