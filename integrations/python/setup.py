"""Builds the tblog Python package: CMake builds the extension module tblog._tblog from the
repository (two folders up), setuptools packages it with the Python files.

    python3 -m venv --system-site-packages .venv
    .venv/bin/pip install --no-build-isolation ./integrations/python
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(tblog VERSION ([0-9.]+)", text).group(1)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    """Configures the repository with only the Python module on, builds it, copies it."""

    def build_extension(self, ext):
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        target = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve()
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython_EXECUTABLE={sys.executable}", "-DTBLOG_WITH_PYTHON=ON",
            "-DTBLOG_WITH_TORCH=OFF", "-DTBLOG_WITH_MPI=OFF", "-DTBLOG_BUILD_TESTS=OFF",
            "-DTBLOG_BUILD_BENCH=OFF", "-DTBLOG_BUILD_EXAMPLES=OFF", "-DTBLOG_BUILD_TOOLS=OFF",
            "-DTBLOG_INSTALL=OFF", "-DTBLOG_BUILD_SHARED=OFF",
        ]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        subprocess.check_call(configure)
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "tblog_python",
                               "--parallel", str(os.cpu_count() or 1)])
        built = build_dir / "integrations" / "python" / "package" / "tblog" / target.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)


setup(
    name="tblog",
    version=project_version(),
    description="TensorBoard event files written by a C++ thread: PyTorch's SummaryWriter, "
                "drop-in, and CNTK's progress writers",
    packages=["tblog"],
    package_data={"tblog": ["*.pyi", "py.typed"]},
    ext_modules=[CMakeExtension("tblog._tblog")],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.8",
    install_requires=["numpy"],
    extras_require={"torch": ["torch"], "figures": ["matplotlib"]},
    zip_safe=False,
)
