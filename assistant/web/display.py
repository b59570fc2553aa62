"""Text typed by people, made safe to look at: bidirectional controls shown, never obeyed.

A question holding U+202E (RIGHT-TO-LEFT OVERRIDE) would show reversed, and could make one line of the
review desk pass for another. What is stored stays as typed; only what is displayed goes through
:func:`visible`, which replaces each control with a visible code such as « [U+202E] ».
"""

from __future__ import annotations

import re

# embeddings, overrides, isolates and the implicit marks (LRM, RLM, ALM)
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def visible(text: str) -> str:
    """``text`` with every bidirectional control replaced by its visible code point (« [U+202E] »)."""
    return _BIDI.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)
