"""Regression: a paragraph number glued to its text ('12.Text', the PDF lost the space) was
missed by the splitter unless the caller spaced it first (pages.unglue_paragraph_numbers, done
by the SIF and ILACS parsers only). The splitter now reads it for every layout, and gives the
same paragraphs as for the spaced text. The texts are invented."""
from __future__ import annotations

from ofsted_kg.parse import pages, paragraphs

TEXT = """Help and protection

1. Families are seen quickly and their needs are understood.
2.Managers check plans every month, and the checks lead to action.
3.(In most cases) carers are visited within the week.
The service for young carers

4. A worker keeps in touch with each young carer.
5.'Open door' sessions run weekly, and 2.5 times as many attend as last year.
"""


def test_glued_numbers_are_paragraphs():
    ps = paragraphs.numbered_paragraphs(TEXT)
    assert [p.number for p in ps] == [1, 2, 3, 4, 5]
    assert ps[1].text.startswith("Managers check plans")
    assert ps[2].text.startswith("(In most cases) carers")
    assert ps[4].text.startswith("'Open door' sessions") and "2.5 times" in ps[4].text
    assert [p.heading for p in ps] == ["Help and protection"] * 3 + ["The service for young carers"] * 2


def test_glued_and_spaced_text_give_the_same_paragraphs():
    spaced = pages.unglue_paragraph_numbers(TEXT)
    assert spaced != TEXT
    assert paragraphs.numbered_paragraphs(TEXT) == paragraphs.numbered_paragraphs(spaced)
    # PDF text: pages joined by form feeds, a glued number opening a page
    pdf = TEXT.replace("3.(In", "\f3.(In")
    assert paragraphs.numbered_paragraphs(pdf, furniture=False) == \
        paragraphs.numbered_paragraphs(pages.unglue_paragraph_numbers(pdf), furniture=False)
