"""Copy the user-facing resource folders (ontology/, shapes/, queries/) into the package.

They live at the top of the repository so users can read and reuse them; the wheel carries
them as ofsted_kg/data/<folder>. ofsted_kg.resources finds them in either place.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCE_DIRS = ("ontology", "shapes", "queries")


class BuildWithResources(build_py):
    def run(self):
        super().run()
        here = Path(__file__).parent
        for name in RESOURCE_DIRS:
            src = here / name
            if src.is_dir():
                dst = Path(self.build_lib) / "ofsted_kg" / "data" / name
                if dst.exists():
                    shutil.rmtree(dst)
                shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithResources})
