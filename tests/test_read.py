"""read.clean_markup: markdown and HTML are noise; words, lines and blank lines stay."""
from ofsted_kg.read import clean_markup


def test_markdown_noise_removed():
    text = "# Title\n\n**Inspection dates:** 1 to 5 May 2020\n\n<b>Bold</b> and *emphasis* &amp; [link](http://x)\n"
    assert clean_markup(text) == "Title\n\nInspection dates: 1 to 5 May 2020\n\nBold and emphasis & link\n"


def test_regression_heading_rule_does_not_eat_blank_line():
    """The heading and rule patterns once matched across line breaks and removed the blank line before them."""
    text = "Paragraph one.\n\n## Next heading\n\n---\n\nMore.\n"
    assert clean_markup(text) == "Paragraph one.\n\nNext heading\n\n\n\nMore.\n"


def test_table_rows_kept_rules_dropped():
    text = "| Judgement | Grade |\n|--|-------------|\n| Overall effectiveness | Good |\n"
    out = clean_markup(text)
    assert "Overall effectiveness | Good" in out and "--" not in out
