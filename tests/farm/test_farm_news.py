"""Ordinary news must not be flagged: markets reporting, quotes, datelines, notes.

The texts are written for this test (not taken from any training source), in
the shapes the issue names as hard cases.
"""

from __future__ import annotations

import polars as pl
import pytest

from dedup.farm import score_frame
from dedup.farm.lexicon import PATTERNS

MARKETS = """LONDON, March 3 (Reuters) - European shares fell on Monday as investors \
weighed higher bond yields against strong bank earnings.

The pan-European STOXX 600 index closed down 0.8%, with insurers and real estate \
stocks among the worst performers as the 10-year yield rose to its highest since June.

"We are seeing a rotation out of rate-sensitive sectors," said Anna Berg, a \
portfolio manager at a Stockholm asset manager. "Investors want cash flow now."

Share prices of regional lenders rose after two banks raised their dividend and \
announced buybacks worth a combined 2 billion euros.

Home sales in Britain rose 5% in February, separate data showed, although \
mortgage approvals slipped for a second month as lenders tightened credit.

Editor's note: An earlier version of this story misstated the index's close."""

POLITICS = """WASHINGTON — The Senate passed the spending bill late on Thursday after \
a week of negotiations over disaster aid.

The majority leader told reporters:

"This is a bill that keeps the government open and helps families who lost \
everything in the floods."

The ministry posted on social media that the talks would resume next week.

Search teams found two more survivors near the river on Friday morning, officials said.

Correction: This article has been updated to correct the date of the vote.

Q: What happens to the aid if the House rejects the bill?

A: The money would be delayed until a new bill is passed, the aide said."""


# A headline has no sentence end, and business headlines start with words
# that lead menu lines ("Home", "Share").
HOUSING = """Home sales fell in March as mortgage rates rose

Sales of existing homes fell 3.2 percent in March, the National Association \
of Realtors said on Tuesday, as higher mortgage rates kept buyers away.

The median price rose to 375,000 dollars, up 4 percent from a year earlier, \
the group said.

Economists had expected a smaller decline after two months of gains."""


# Sentences with the words of teasers, ad labels and page furniture.
COMPANY = """Acme shares fall as chief executive outlines cost cuts

Promoted to chief executive last year, Jane Smith has cut costs sharply and \
sold two divisions, the company said on Monday.

Analysts also see growth slowing in the second half of the year as demand \
for its printers weakens.

"I don't see a quick recovery in the printing business," said one analyst \
who follows the company.

Powered by strong sales in Asia, revenue rose 3 percent in the quarter to \
2.1 billion dollars.

Investors are waiting for the latest news on the sale of the software unit, \
which could fetch 900 million dollars.

Copyright lawsuits against the company over its scanning software are \
still pending, it said."""


# Reporting on the networks names them, often twice in a line; a footnote
# starts "Note:" as a callout may ("Quick Note:"), and is part of the story.
TECH = """Facebook shares jump after quarterly results beat forecasts

Facebook stock rose 9 percent in late trading after the company reported \
revenue of 28 billion dollars, and analysts said Facebook is now worth more \
than its two nearest rivals combined.

Twitter and Facebook both face new rules on political advertising in the \
European Union from next year, the commission said.

Note: Figures for the year-ago quarter were restated for an accounting change.

NOTES: The company will hold its annual meeting on May 25 in Menlo Park."""


@pytest.mark.parametrize(
    "text",
    [MARKETS, POLITICS, HOUSING, COMPANY, TECH],
    ids=["markets", "politics", "housing", "company", "tech"],
)
def test_news_paragraphs_are_not_flagged(text: str) -> None:
    result = score_frame(pl.DataFrame({"doc_id": ["a"], "text": [text]}))
    flagged = result.paragraphs.filter(pl.col("is_filler"))
    assert flagged.height == 0, flagged.select("text", "reason").rows()
    assert result.docs["farm_score"].item() < 0.2


def _matches(name: str, text: str) -> bool:
    # The patterns are Rust regex syntax, run by polars as the features do.
    return bool(pl.Series([text]).str.contains(PATTERNS[name]).item())


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("nav", "Home sales rose 5% in May.", False),
        ("nav", "Share prices fell sharply after the results.", False),
        ("nav", "The ministry posted on social media:", False),
        ("nav", "Home | World | Politics", True),
        ("nav", "Tags: Ukraine, Russia, children", True),
        # A byline is attribution, not furniture; a filing line is furniture.
        ("nav", "Posted on May 3, 2021 by admin", False),
        ("nav", "Posted by: Jane Doe | October 19, 2012 at 12:28 PM", False),
        ("nav", "Posted in Sports | 3 Comments", True),
        # A share button names where to share; business news has shares on sales.
        ("nav", "It earned 90 cts a share on sales of 1.2 billion dlrs.", False),
        ("nav", "Share on Facebook", True),
        ("nav", "Share via e-mail", True),
        # "More on <topic>" and "... now" are teasers only where they lead a line.
        ("teaser", "The market must now be re-evaluated, dealers said.", False),
        ("teaser", "He gave more on the situation than expected.", False),
        ("teaser", "More on this story: Fed holds rates", True),
        ("teaser", "Must read now", True),
        ("cta", "Investors may subscribe to the rights issue until Friday.", False),
        ("cta", "The bank said in a newsletter to clients that rates rise.", False),
        ("cta", "Subscribe to our newsletter for the latest updates", True),
        ("cta", "Sign up for our free daily briefing", True),
        ("teaser", "Related >> Council approves new budget", True),
        ("teaser", "Up next \u2014 Why the vote matters", True),
        ("teaser", "Related measures were approved on Tuesday.", False),
        ("nav", "Topics: Ukraine, Russia, children", True),
        ("nav", "Sections: News, Politics, Science", True),
        ("nav", "Sections of the bridge collapsed in the flood.", False),
        ("nav", "Topics discussed included trade and security.", False),
        ("nav", "Add comment", True),
        ("nav", "Comments (12)", True),
        # Headlines start with menu words too and have no sentence end: a menu
        # word counts alone, with more menu words, or before a separator.
        ("nav", "Home sales fell in March as rates rose", False),
        ("nav", "SHARE TRADING IN CHEUNG KONG GROUP SUSPENDED", False),
        ("nav", "Search for missing hikers goes on", False),
        ("nav", "Home Savings Bank sets initial dividend", False),
        ("nav", "Home \u00bb World \u00bb Bank raises rates", True),
        ("nav", "Share this article:", True),
        ("nav", "Menu Search", True),
        ("nav", "Print", True),
        # Teaser, ad and furniture words inside news sentences: a teaser phrase
        # leads its line, an ad label stands alone or credits a sponsor, a
        # copyright notice names a year or a sign.
        ("teaser", "Analysts also see growth slowing in the second half.", False),
        ("teaser", "Investors await the latest news from Washington.", False),
        ("teaser", "People are reading the report closely, the minister said.", False),
        ("teaser", '"I don\'t see any proposal like that," the aide said.', False),
        ("teaser", "Also on Tuesday, the senate approved the spending bill.", False),
        ("teaser", "\u27a1\ufe0f Keep reading", True),
        ("teaser", "What others are reading >> Fed holds rates", True),
        ("teaser", "You may be interested in \u2014 IBM <IBM.N> wins contract", True),
        ("ads", "Promoted to chief executive last year, Smith cut costs.", False),
        ("ads", "Powered by strong exports, the economy grew 3 percent.", False),
        ("ads", "Sponsored by Acme Insurance", True),
        ("ads", "Advertisement - Scroll to continue", True),
        ("nav", "Copyright lawsuits against AI companies are piling up.", False),
        ("nav", "Cookie sales rose 8 percent in the holiday season.", False),
        ("nav", "Next story in the series will look at pensions.", False),
        ("nav", "Skip to the end of the story, he said.", False),
        ("nav", "Copyright \u00a9 2024 Example News. All rights reserved.", True),
        ("nav", "\u00ab Previous Article | Next Article \u00bb", True),
        ("nav", "About Us \u00b7 Contact \u00b7 Privacy \u00b7 Cookies", True),
        ("nav", "Skip to main content", True),
        # Widget captions credit a network like a sponsor line; tag lists are
        # "Tagged:" as often as "Tags:". A list item "(c)" is no copyright.
        ("ads", "Recommended by Outbrain", True),
        ("ads", "Promoted Links by Taboola", True),
        ("ads", "Recommended by the board, the merger was approved.", False),
        ("ads", "Content by volume rose, the survey said.", False),
        ("nav", "Tagged: Ukraine, Russia, children", True),
        # A breadcrumb without its separators; "Home" leads news too.
        ("nav", "Homepage World Leaders meet in Paris...", True),
        ("nav", "Home Shopping said it cooperated fully.", False),
        # Web text writes the apostrophe as ’ as often as ': the note that
        # protects a paragraph and the phrases that flag one read both.
        (
            "editor_note",
            "Editor’s Note: This article was first published in May.",
            True,
        ),
        ("editor_note", "Editors’ note: the figures were revised.", True),
        # "Note:" alone leads a footnote; a callout label only qualifies it.
        ("editor_note", "NOTE: 1986 figures restated for a stock split.", True),
        ("editor_note", "Notes: Paper presented at the annual meeting.", True),
        ("editor_note", "Quick Note: Review the fine print first.", False),
        ("editor_note", "Noted economists disagree.", False),
        # A share bar lists networks side by side; reporting on them names
        # one twice with a sentence between.
        ("nav", "Follow us on Facebook, Twitter and Pinterest", True),
        ("nav", "Share: Facebook Twitter Email", True),
        (
            "nav",
            "Facebook stock is overpriced. Based on revenue, Facebook is worth $7.",
            False,
        ),
        ("teaser", "Don’t miss: Fed holds rates", True),
        ("teaser", "You’ll also like: Bank raises rates", True),
        ("teaser", "You will like the new rules, he said.", False),
        ("chatbot", "I can’t browse the internet, but here is what is known.", True),
        ("nav", "The plan covers (a) wages, (b) pensions and (c) 2019 arrears.", False),
        # Chatbot residue: "Here's" (no space before the 's) and hyphenated
        # modifiers were missed before; a statement's full text is news.
        ("chatbot", "Here's an SEO-optimized version of the article:", True),
        ("chatbot", "Certainly! Here\u2019s a rewritten version of the article:", True),
        ("chatbot", "Of course! Below is a 600-word news article.", True),
        ("chatbot", "A news article based on your outline.", True),
        ("chatbot", "Below is the full text of the statement.", False),
        ("chatbot", "The charges are based on your income, the agency said.", False),
        # Spelled out, and with "edited": the lexicon had only "can't browse"
        # and left "edited" out of its verb-then-AI alternative.
        ("chatbot", "I cannot browse the internet, but here is what is known.", True),
        ("ai_disclosure", "This article was edited with the help of AI tools.", True),
        ("ai_disclosure", "The story was edited by Jane Smith in London.", False),
        ("ai_disclosure", "The report was edited with care by the night desk.", False),
    ],
)
def test_patterns_tell_page_furniture_from_news(
    name: str, text: str, expected: bool
) -> None:
    assert _matches(name, text) is expected
