"""What no text a person types may hold, wherever it comes in (a form, an imported file)."""

from __future__ import annotations

# The Unicode controls that embed, override or isolate a run of text's direction. A
# right-to-left override left open turns everything after it around: a title "Project
# <U+202E>fdp.exe" reads "Project exe.pdf", and where no markup isolates it — a PDF, an
# e-mail subject, a spreadsheet cell — it runs on into the text that follows. Arabic and
# Hebrew text needs none of them (the direction marks U+200E, U+200F and U+061C, which change
# no other text, stay allowed).
DIRECTION_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def direction_problem(value: str) -> str | None:
    """Why `value` cannot be kept as typed because of a text-direction control, or None."""
    for char in value:
        if char in DIRECTION_CONTROLS:
            return (
                f"Remove the invisible text-direction character (U+{ord(char):04X}): it makes "
                "the text show differently from what it is. Right-to-left text needs none."
            )
    return None
