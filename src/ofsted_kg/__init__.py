"""ofsted-kg: a knowledge graph of Ofsted's inspection reports on children's services."""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("ofsted-kg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

PARSER_VERSION = "0.1.0"
