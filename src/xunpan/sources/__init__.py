"""Importers: recognise each input file's layout from its header rows and turn it into a raw table.

`parse_file` is the entry point; one module per input kind holds that kind's known layouts.
"""

from xunpan.sources.parse import LAYOUTS, SPECS, ParsedInput, parse_file
from xunpan.sources.schemas import KINDS, raw_schema

__all__ = ["KINDS", "LAYOUTS", "SPECS", "ParsedInput", "parse_file", "raw_schema"]
