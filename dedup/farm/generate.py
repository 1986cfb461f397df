r"""Template generators for content-farm filler, and farm articles built from them.

Content farms take a real story and pad it. Each generator here writes one
*family* of padding with many label words, emoji, phrasings, cases and
layouts, so that a classifier cannot learn a handful of strings — and so
that leaving a whole family out of training (:mod:`dedup.farm.train`) tests
what the features carry to kinds never seen.

Families:

* ``callout`` — a short label and a one-sentence tip or fact, usually with an
  emoji ("Quick Fact: … 🧠", "💡 HEADS UP: …", "Did you know? …").
* ``emoji_heading`` — section headings decorated with emoji.
* ``tie_in_finance``, ``tie_in_insurance``, ``tie_in_loans``,
  ``tie_in_legal``, ``tie_in_crypto`` — off-topic commercial passages bridged
  to the story ("For households following the talks, …").
* ``teaser`` — links to other stories ("Also read", "Read more").
* ``navigation`` — page furniture (previous/next, breadcrumbs, share bars,
  tags, copyright).
* ``call_to_action`` — subscribe, follow, join, download.
* ``ads`` — ad labels and sponsored blocks.
* ``ai_disclosure`` — AI-use disclosures and chatbot residue.

Hard negatives (label 0, family ``"~kind"``) teach what is *not* filler: datelines
with a colon, quotes introduced by a colon, editor's notes and corrections,
Q&A transcripts and plain section headings.

Every choice comes from a seeded :class:`random.Random`, so the training set
is rebuilt identically.

    >>> import random
    >>> rng = random.Random(3)
    >>> host = ["The council approved the new budget on Tuesday.", "It passed 7-2."]
    >>> text = GENERATORS["callout"](rng, Host(host, "Budget vote"))
    >>> isinstance(text, str) and len(text) > 10
    True
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from dedup.farm.data import NEGATIVE, POSITIVE, Article, one_line

TIE_IN_TOPICS = ("finance", "insurance", "loans", "legal", "crypto")
FAMILIES = (
    "callout",
    "emoji_heading",
    *(f"tie_in_{t}" for t in TIE_IN_TOPICS),
    "teaser",
    "navigation",
    "call_to_action",
    "ads",
    "ai_disclosure",
)


@dataclass(frozen=True)
class Host:
    """The real article a farm pads: its paragraphs and title."""

    paragraphs: list[str]
    title: str
    site: str = "The Daily Ledger"


# Emoji content farms decorate with, across many Unicode blocks.
EMOJI = [
    "📜",
    "🧩",
    "📈",
    "📊",
    "💡",
    "🔍",
    "🧠",
    "⚖️",
    "✉️",
    "🕊️",
    "🇺🇦",
    "🇺🇸",
    "🇪🇺",
    "🧭",
    "🧯",
    "🧪",
    "✔️",
    "✅",
    "⭐",
    "🌟",
    "🔥",
    "💥",
    "🚀",
    "📌",
    "📍",
    "🗺️",
    "🛡️",
    "🏛️",
    "🎯",
    "🧾",
    "💬",
    "🗣️",
    "📣",
    "📢",
    "🔔",
    "⏱️",
    "⏳",
    "🕰️",
    "🌍",
    "🌎",
    "🌏",
    "🤝",
    "🙌",
    "👀",
    "👉",
    "➡️",
    "🔑",
    "🗝️",
    "💰",
    "💵",
    "💸",
    "🏦",
    "🪙",
    "📉",
    "🧮",
    "📝",
    "📚",
    "📖",
    "🎓",
    "🩺",
    "💊",
    "🏥",
    "🚑",
    "🚨",
    "⚠️",
    "❗",
    "❓",
    "🤔",
    "😮",
    "😲",
    "🙏",
    "❤️",
    "💙",
    "💛",
    "🌱",
    "🌿",
    "🍀",
    "🌞",
    "☀️",
    "🌧️",
    "⚡",
    "🌊",
    "🏠",
    "🏡",
    "🚗",
    "✈️",
    "🚆",
    "🧳",
    "📦",
    "🛒",
    "🎁",
    "🎉",
    "🏆",
    "🥇",
    "⚽",
    "🏀",
    "🎬",
    "🎵",
    "📱",
    "💻",
    "🖥️",
    "🔒",
    "🔐",
    "🧰",
    "🔧",
    "🛠️",
    "🧱",
    "🏗️",
    "🌐",
    "📡",
    "🛰️",
    "🔬",
    "🧬",
    "🌡️",
    "🍎",
    "☕",
    "🍽️",
    "🐾",
    "👶",
    "👪",
    "🧒",
    "🎒",
    "✏️",
    "📅",
    "🗓️",
    "🕵️",
    "🧑\u200d⚖️",
    "🗳️",
]

_LABEL_HEADS = [
    "Pro",
    "Quick",
    "Key",
    "Fun",
    "Bonus",
    "Expert",
    "Insider",
    "Reality",
    "Fast",
    "Smart",
    "Money",
    "Media",
    "Helpful",
    "Final",
    "Big",
    "Bottom",
    "Hot",
    "Handy",
    "Essential",
    "Important",
    "Crucial",
    "Useful",
    "Golden",
    "Simple",
    "Practical",
    "Safety",
    "Health",
    "Travel",
    "Tech",
    "Budget",
    "Career",
    "Data",
    "History",
    "Science",
    "Market",
    "Wellness",
    "Reader",
    "Community",
    "Parent",
    "Family",
    "Weekend",
    "Daily",
    "Travel",
    "Legal",
    "Policy",
    "Quick-Look",
    "Need-to-Know",
    "Must-Know",
    "Little-Known",
    "Surprising",
    "Hidden",
    "Friendly",
    "Honest",
    "Real",
    "Local",
    "Global",
    "Street-Smart",
    "Savvy",
    "Power",
    "Top",
    "Extra",
]
_LABEL_NOUNS = [
    "Tip",
    "Fact",
    "Note",
    "Check",
    "Point",
    "Takeaway",
    "Insight",
    "View",
    "Detail",
    "Lesson",
    "Reminder",
    "Alert",
    "Thought",
    "Idea",
    "Move",
    "Truth",
    "Stat",
    "Snapshot",
    "Verdict",
    "Angle",
    "Hack",
    "Trick",
    "Rule",
    "Nugget",
    "Primer",
    "Perspective",
    "Corner",
    "Moment",
    "Signal",
    "Clue",
    "Lens",
    "Take",
    "Word",
    "Answer",
    "Breakdown",
    "Highlight",
    "Watch",
    "Pointer",
    "Hint",
    "Guide",
    "Memo",
    "Brief",
    "Factoid",
    "Lowdown",
    "Scoop",
    "Spotlight",
    "Wisdom",
    "Read",
    "Explainer",
    "Recap",
    "Summary",
    "Question",
    "Tidbit",
]
_FIXED_LABELS = (
    "Did You Know?",
    "Did you know?",
    "Bottom Line:",
    "Heads Up:",
    "FYI:",
    "Good to Know:",
    "Worth Noting:",
    "In Short:",
    "The Takeaway:",
    "By the Numbers:",
    "Food for Thought:",
    "Myth vs. Fact:",
    "Keep in Mind:",
    "Remember:",
    "Note:",
    "Tip:",
    "TL;DR:",
    "Quick Hit:",
    "What to Watch:",
    "Look Ahead:",
    "Fun Fact:",
    "Hidden Gem:",
    "Try This:",
    "Real Talk:",
    "Plot Twist:",
    "Bonus:",
    "Wait, What?",
    "Sound Familiar?",
    "Curious?",
    "Ever Wonder Why?",
    "Need a Refresher?",
    "Why This Matters:",
    "One More Thing:",
    "Quick Reminder:",
    "The Short Version:",
    "Just So You Know:",
    "Here's the Thing:",
    "Between Us:",
    "Insider Secret:",
    "The Numbers Say:",
    "Think About It:",
)

_ADVICE_VERBS = (
    "Keep",
    "Review",
    "Track",
    "Double-check",
    "Save",
    "Compare",
    "Bookmark",
    "Write down",
    "Set aside",
    "Look for",
    "Watch for",
    "Ask about",
    "Share",
    "Store",
    "Plan",
    "Schedule",
    "Build",
    "Start with",
    "Focus on",
    "Stick to",
)
_ADVICE_OBJECTS = (
    "copies of key documents",
    "official updates",
    "a short checklist",
    "the fine print",
    "your emergency contacts",
    "a simple timeline",
    "trusted sources",
    "local guidance",
    "receipts and records",
    "a backup plan",
    "verified numbers",
    "a list of questions",
    "the original announcement",
    "small daily habits",
    "independent reviews",
    "your priorities",
    "a realistic budget",
    "the key dates",
)
_ADVICE_TAILS = (
    "so nothing slips through the cracks",
    "before making any decision",
    "to stay one step ahead",
    "and revisit them every few weeks",
    "because details change quickly",
    "to avoid costly surprises",
    "and you will thank yourself later",
    "when headlines move fast",
    "to cut through the noise",
    "and keep expectations realistic",
    "while the situation develops",
    "for peace of mind",
)
_FACT_SUBJECTS = (
    "Most experts",
    "Studies",
    "Surveys",
    "Historians",
    "Analysts",
    "Researchers",
    "Veteran observers",
    "Many readers",
    "Polls",
    "Past cases",
    "Official records",
    "Insiders",
)
_FACT_VERBS = (
    "suggest that",
    "show that",
    "agree that",
    "often find that",
    "point out that",
    "consistently note that",
    "have long argued that",
)
_FACT_CLAIMS = (
    "small, steady steps matter more than grand gestures",
    "the first 48 hours usually shape the outcome",
    "clear communication builds trust faster than promises",
    "people remember stories more than statistics",
    "timing is often the deciding factor",
    "the quietest details tend to matter most",
    "early preparation cuts stress in half",
    "transparency pays off over time",
    "most delays come from missing paperwork",
    "simple rules beat complicated ones",
    "public attention fades within weeks",
    "independent checks catch most errors",
)


def _pick(rng: random.Random, seq: tuple[str, ...] | list[str]) -> str:
    return seq[rng.randrange(len(seq))]


def _emoji(rng: random.Random, n: int = 1) -> str:
    return "".join(_pick(rng, EMOJI) for _ in range(n))


def _sentences(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for p in paragraphs:
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", one_line(p)):
            words = s.split()
            if 8 <= len(words) <= 30 and s[-1:] in ".!?":
                out.append(s)
    return out


def _keywords(host: Host, rng: random.Random, k: int = 3) -> list[str]:
    """Capitalised words of the host that are not sentence starts."""
    words: dict[str, int] = {}
    for p in host.paragraphs:
        toks = one_line(p).split()
        for i, w in enumerate(toks[1:], 1):
            w = w.strip(".,;:!?()\"'“”’")
            if len(w) > 3 and w[:1].isupper() and not toks[i - 1].endswith("."):
                words[w] = words.get(w, 0) + 1
    ranked = sorted(words, key=lambda w: (-words[w], w))[:12]
    if not ranked:
        ranked = ["the Story", "the Deal", "the Plan", "the Region"]
    rng.shuffle(ranked)
    return ranked[:k]


def _case(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.12:
        return text.upper()
    if roll < 0.3:
        return text[:1].upper() + text[1:].lower()
    return text


def _label(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        label = _pick(rng, _FIXED_LABELS)
    elif roll < 0.85:
        label = f"{_pick(rng, _LABEL_HEADS)} {_pick(rng, _LABEL_NOUNS)}:"
    else:
        label = f"{_pick(rng, _LABEL_NOUNS)}:"
    label = _case(rng, label)
    style = rng.random()
    if style < 0.1:
        label = f"**{label}**"
    elif style < 0.25:
        label = f"{_emoji(rng)} {label}"
    return label


def callout(rng: random.Random, host: Host) -> str:
    """A label and a short tip or fact, usually ending with an emoji."""
    label = _label(rng)
    roll = rng.random()
    sentences = _sentences(host.paragraphs)
    if roll < 0.4 and sentences:
        # Farms restate the story's own facts as callouts: on-topic words,
        # so only the form gives them away.
        body = _pick(rng, sentences)
    elif roll < 0.7:
        body = (
            f"{_pick(rng, _ADVICE_VERBS)} {_pick(rng, _ADVICE_OBJECTS)} "
            f"{_pick(rng, _ADVICE_TAILS)}."
        )
    else:
        body = (
            f"{_pick(rng, _FACT_SUBJECTS)} {_pick(rng, _FACT_VERBS)} "
            f"{_pick(rng, _FACT_CLAIMS)}."
        )
    if roll >= 0.4 and rng.random() < 0.15:
        # Farms end some of their own tips with an exclamation (not the
        # story's sentences they restate): before, no generated filler had
        # one, and the model learned "!" from news and comments alone.
        body = body[:-1] + "!"
    tail = rng.random()
    if tail < 0.7:
        return f"{label} {body} {_emoji(rng, 1 if rng.random() < 0.85 else 2)}"
    if tail < 0.8:
        return f"{label} {_emoji(rng)} {body}"
    return f"{label} {body}"


_HEADING_TEMPLATES = (
    "Why {a} Matters",
    "What {a} Means for {b}",
    "How {a} Could Change {b}",
    "The {adj} Story Behind {a}",
    "{a}: {n1}, {n2} and {n3}",
    "Inside {a}",
    "{a} at a Glance",
    "The Road Ahead for {a}",
    "What Comes Next",
    "Key Questions About {a}",
    "A Closer Look at {a}",
    "Final Take: {adj} Steps, Real Stakes",
    "{a} vs. {b}: The {adj} Divide",
    "Where {a} Goes From Here",
    "The {adj} Stakes for {b}",
    "Reading Between the Lines",
    "The Bigger Picture",
    "What Experts Are Saying",
    "{a}'s Next Move",
    "Behind the Scenes With {a}",
    "The Human Side of {a}",
    "How This Could Fail — and How to Fix It",
    "{n1}, {n2}, {n3}: What to Know",
    "The Politics at Home",
    "Timeline: How We Got Here",
    "By the Numbers",
    "What {b} Wants Next",
    "Lessons From {a}",
)
_ADJ = (
    "Quiet",
    "Hidden",
    "Real",
    "High",
    "Unexpected",
    "Long",
    "Human",
    "Bigger",
    "Hard",
    "Practical",
    "Surprising",
    "Untold",
    "Growing",
    "Fragile",
)
_NOUNS = (
    "Access",
    "Records",
    "Trust",
    "Timing",
    "Money",
    "Power",
    "People",
    "Risks",
    "Rules",
    "Families",
    "Markets",
    "Deadlines",
    "Data",
    "Costs",
)


def emoji_heading(rng: random.Random, host: Host) -> str:
    """A section heading decorated with emoji."""
    a, b, *_ = [*_keywords(host, rng, 2), "the Region", "the Public"]
    heading = _pick(rng, _HEADING_TEMPLATES).format(
        a=a,
        b=b,
        adj=_pick(rng, _ADJ),
        n1=_pick(rng, _NOUNS),
        n2=_pick(rng, _NOUNS),
        n3=_pick(rng, _NOUNS),
    )
    if rng.random() < 0.25:
        heading = heading[:1] + heading[1:].lower()
    roll = rng.random()
    if roll < 0.7:
        return f"{heading} {_emoji(rng, 1 if rng.random() < 0.8 else 2)}"
    if roll < 0.9:
        return f"{_emoji(rng)} {heading}"
    return f"{_emoji(rng)} {heading} {_emoji(rng)}"


_BRIDGES = (
    "Beyond the headlines, there is a practical angle for readers.",
    "For households following {a}, the news carries a quieter lesson.",
    "Events like this rarely stay confined to one sector.",
    "Stories such as {a} also ripple into personal budgets.",
    "It is worth stepping back to consider what this means for your own plans.",
    "Uncertainty around {a} is a reminder to revisit the basics.",
    "Whatever happens next with {a}, preparation pays off.",
    "Moments like these tend to expose gaps in everyday planning.",
    "Readers watching {a} may want to think about their own exposure.",
    "News of this kind often prompts a second look at personal finances.",
    "",
    "",
)
_TIE_IN_BANK: dict[str, tuple[str, ...]] = {
    "finance": (
        "Diversifying a portfolio across asset classes can cushion the impact of "
        "sudden market swings.",
        "Financial advisers often recommend rebalancing holdings at least once a year.",
        "Low-cost index funds and dividend stocks remain popular with long-term "
        "investors.",
        "Keeping an emergency fund worth six months of expenses is a common rule "
        "of thumb.",
        "Wealth management firms say volatility is a reason to review retirement "
        "contributions, not to panic.",
        "Tax-advantaged accounts such as a Roth IRA or 401(k) can compound quietly "
        "for decades.",
        "Hedging strategies and bond ladders can help protect capital when "
        "headlines turn.",
        "A certified financial planner can help align asset allocation with your "
        "risk tolerance.",
        "Precious metals and gold ETFs tend to attract investors seeking a safe haven.",
        "Passive income from dividends can smooth returns across a full market cycle.",
    ),
    "insurance": (
        "Reviewing your insurance policy for exclusions can prevent unpleasant "
        "surprises when filing a claim.",
        "Comparing quotes from several insurers often lowers annual premiums.",
        "Homeowners insurance rarely covers flood damage without a separate rider.",
        "A higher deductible usually means a lower premium, but more risk out of "
        "pocket.",
        "Term life insurance can protect beneficiaries at a fraction of the cost of "
        "whole life coverage.",
        "Umbrella liability coverage adds protection beyond standard auto and home "
        "policies.",
        "Travel insurance with medical evacuation coverage is worth a look before "
        "any trip abroad.",
        "Health insurance plans differ widely in copays, networks and out-of-pocket "
        "maximums.",
        "An independent insurance broker can compare policies from dozens of carriers.",
        "Renters insurance costs little and covers belongings against theft and fire.",
        "Business interruption coverage can keep payroll running after a disaster.",
    ),
    "loans": (
        "Refinancing a mortgage while rates are favourable can cut monthly payments.",
        "Checking your credit score before applying for a loan helps you secure a "
        "better APR.",
        "Debt consolidation loans can combine high-interest credit card balances into "
        "one payment.",
        "Lenders look closely at debt-to-income ratios when approving personal loans.",
        "A home equity line of credit offers flexible borrowing against the value of "
        "your property.",
        "Borrowers should compare origination fees and prepayment penalties across "
        "lenders.",
        "Prequalifying for a mortgage does not affect your credit score.",
        "Balance transfer cards with a zero percent introductory rate can buy time "
        "to pay down debt.",
        "Payday loans carry steep interest rates and should be a last resort.",
        "Student loan refinancing may lower interest costs for graduates with "
        "strong credit.",
        "A larger down payment reduces the principal and the total interest paid.",
    ),
    "legal": (
        "If you were injured in an accident, a personal injury lawyer can explain "
        "whether you are entitled to compensation.",
        "Many attorneys offer a free consultation and work on a contingency fee basis.",
        "Victims of medical malpractice may be eligible to file a claim for damages.",
        "Class action lawsuits allow many plaintiffs to seek a settlement together.",
        "Workers' compensation claims have strict filing deadlines under state law.",
        "The statute of limitations can bar a lawsuit if you wait too long to act.",
        "Families affected by asbestos exposure may qualify for mesothelioma "
        "compensation.",
        "An experienced litigation attorney can negotiate a settlement before trial.",
        "Wrongful death claims can help surviving relatives recover lost income.",
        "Legal experts advise documenting every expense linked to an injury claim.",
    ),
    "crypto": (
        "Bitcoin and other cryptocurrencies often swing sharply on geopolitical news.",
        "Traders use stop-loss orders to limit losses when markets turn volatile.",
        "Stablecoins are pegged to a currency, but they are not risk-free.",
        "Forex traders watch safe-haven currencies closely during periods of tension.",
        "A hardware wallet keeps crypto assets offline and away from hackers.",
        "Leveraged trading can magnify gains, but losses can exceed your margin.",
        "Ethereum staking lets holders earn rewards for securing the blockchain.",
        "Trading signals and chart patterns are no substitute for a risk plan.",
        "Altcoins can rally fast, yet many tokens lose most of their value.",
        "Options and futures let traders hedge positions during uncertain weeks.",
        "Always choose a regulated exchange and enable two-factor authentication.",
    ),
}
_TIE_IN_OUTROS = (
    "",
    "",
    "Speak to a licensed professional before making changes.",
    "As always, do your own research.",
    "Small adjustments now can make a big difference later.",
    "Planning ahead remains the best protection.",
    "It pays to act before the next headline hits.",
)


def _tie_in(topic: str) -> Callable[[random.Random, Host], str]:
    def make(rng: random.Random, host: Host) -> str:
        a = _keywords(host, rng, 1)[0]
        bridge = _pick(rng, _BRIDGES).format(a=a)
        bank = list(_TIE_IN_BANK[topic])
        rng.shuffle(bank)
        body = bank[: rng.randint(2, 4)]
        parts = [bridge, *body, _pick(rng, _TIE_IN_OUTROS)]
        return " ".join(p for p in parts if p)

    make.__doc__ = f"An off-topic {topic} passage bridged to the story."
    return make


_HEADLINE_SHAPES = (
    "{a} faces new questions after {b} move",
    "What {a} said about {b}",
    "{a} and {b}: five things to know",
    "Why {a} is suddenly in the spotlight",
    "{a} responds to criticism over {b}",
    "Inside the fight over {b}",
    "Experts weigh in on {a}",
    "{a} announces new plan",
)


def _headline(rng: random.Random, host: Host, others: list[str]) -> str:
    if others and rng.random() < 0.6:
        return _pick(rng, others)
    a, b, *_ = [*_keywords(host, rng, 2), "Officials", "Voters"]
    return _pick(rng, _HEADLINE_SHAPES).format(a=a, b=b)


_TEASER_LEADS = (
    "Also read",
    "Also Read",
    "ALSO READ",
    "Read also",
    "Read more",
    "READ MORE",
    "Read next",
    "Read this next",
    "What others are reading",
    "People are also reading",
    "Readers also viewed",
    "You may also like",
    "You might also like",
    "You may be interested in",
    "Recommended for you",
    "Recommended",
    "Recommended stories",
    "Trending now",
    "Trending",
    "Don't miss",
    "Don't Miss",
    "More from {site}",
    "More stories",
    "More on this story",
    "Related",
    "Related coverage",
    "Related articles",
    "Related stories",
    "See also",
    "Must read",
    "Must-read",
    "Popular now",
    "Most read",
    "Most popular",
    "Editor's picks",
    "Top stories",
    "Latest stories",
    "Keep reading",
    "Continue reading",
    "Story continues below",
    "Article continues below",
    "Up next",
    "In case you missed it",
    "Watch next",
    "Check out more",
    "Discover more stories",
    "Further reading",
)


def teaser(rng: random.Random, host: Host, others: list[str] | None = None) -> str:
    """A link to other stories dressed as part of the article."""
    lead = _pick(rng, _TEASER_LEADS).format(site=host.site)
    roll = rng.random()
    if roll < 0.45:
        # Alone on its line, often with the colon that points at the link
        # below it ("Also Read:").
        text = lead + (":" if rng.random() < 0.3 else "")
    else:
        sep = _pick(rng, (": ", " | ", " - ", " — ", " » ", " >> ", ": "))
        text = f"{lead}{sep}{_headline(rng, host, others or [])}"
    deco = rng.random()
    if deco < 0.12:
        text = f"{_pick(rng, ('👉', '➡️', '▶', '»', '>>', '→', '🔗', '📰'))} {text}"
    elif deco < 0.2:
        text = f"{text} {_pick(rng, ('→', '»', '>>', '...', '…'))}"
    return text


_SECTIONS = (
    "World",
    "News",
    "Politics",
    "War",
    "Business",
    "Sport",
    "Health",
    "Tech",
    "Europe",
    "US",
    "Opinion",
    "Lifestyle",
    "Local",
    "Entertainment",
    "Science",
)
_SOCIAL = (
    "Facebook",
    "Twitter",
    "X",
    "WhatsApp",
    "LinkedIn",
    "Telegram",
    "Email",
    "Reddit",
    "Pinterest",
)


def navigation(rng: random.Random, host: Host, others: list[str] | None = None) -> str:
    """Page furniture: previous/next, breadcrumbs, share bars, tags, copyright."""
    sec = _pick(rng, _SECTIONS)
    kind = rng.randrange(12)
    if kind == 0:
        word = _pick(rng, ("Post", "Article", "Story", "Entry"))
        return _pick(
            rng,
            (
                f"Previous {word} Next {word}",
                f"« Previous {word} | Next {word} »",
                f"← Older {word}s Newer {word}s →",
                f"Next {word}: {_headline(rng, host, others or [])}",
                f"Prev {word}",
            ),
        )
    if kind == 1:
        sep = _pick(rng, (" » ", " > ", " / ", " › ", " | ", " "))
        trail = ["Home", sec, _headline(rng, host, others or [])[:60]]
        if rng.random() < 0.3:
            trail[0] = "Homepage"
        return sep.join(trail)
    if kind == 2:
        picks = rng.sample(_SOCIAL, rng.randint(2, 5))
        lead = _pick(
            rng, ("Share this article:", "Share:", "Share this:", "Share on", "")
        )
        return one_line(f"{lead} {' '.join(picks)}")
    if kind == 3:
        words = [*_keywords(host, rng, rng.randint(2, 4)), sec]
        lead = _pick(rng, ("Tags:", "Tagged:", "Topics:", "Filed under:"))
        return f"{lead} {', '.join(words)}"
    if kind == 4:
        year = rng.randint(2012, 2025)
        return _pick(
            rng,
            (
                f"Copyright © {year} {host.site}. All rights reserved.",
                f"© {year} {host.site}",
                f"All content © {host.site} {year}",
            ),
        )
    if kind == 5:
        return _pick(
            rng,
            (
                "Privacy Policy | Terms of Use | Contact Us",
                "About Us · Contact · Privacy · Cookies",
                "Terms and Conditions | Cookie Settings",
            ),
        )
    if kind == 6:
        return f"Posted in {sec} | {rng.randint(0, 40)} Comments"
    if kind == 7:
        return _pick(
            rng, ("Leave a comment", "Leave a Reply", "Comments (0)", "Add comment")
        )
    if kind == 8:
        return _pick(
            rng, ("Back to top", "Skip to main content", "Menu Search", "Print")
        )
    if kind == 9:
        home = _pick(rng, ("Homepage", "Home"))
        return f"{home} {sec} {_headline(rng, host, others or [])}..."
    if kind == 10:
        day = rng.randint(1, 28)
        month = _pick(rng, ("Jan", "Mar", "Aug", "Oct"))
        return f"Last updated: {day} {month} {rng.randint(2015, 2025)}"
    lead = _pick(rng, ("Sections", "Categories"))
    return f"{lead}: {', '.join(rng.sample(_SECTIONS, 4))}"


def call_to_action(rng: random.Random, host: Host) -> str:
    """Subscribe, follow, join, download."""
    site = host.site
    social = _pick(rng, _SOCIAL[:6])
    options = (
        f"Subscribe to our newsletter for the latest updates from {site}.",
        f"Follow us on {social} for breaking news.",
        "Join our WhatsApp channel to get the top stories first.",
        f"Sign up for the {site} morning briefing.",
        f"Download the {site} app for live updates.",
        "Click here to get alerts on this story.",
        f"Like us on Facebook and follow us on {social}.",
        f"Stay updated with {site} on Google News.",
        "Support independent journalism: become a member today.",
        "Get the latest news delivered straight to your inbox.",
        "Turn on notifications so you never miss a story.",
        f"Join the conversation on {social}.",
        "Sign up now — it's free and takes less than a minute.",
        "Subscribe for unlimited access to award-winning journalism.",
        f"Follow {site} on {social} and Instagram.",
        "Tap here to join our Telegram group.",
        # Exclaimed, or introducing the buttons below it.
        "Don't miss out: subscribe today!",
        f"Follow us on {social} for more stories like this!",
        "Sign up now and never miss a story!",
        "Share this story with your friends:",
        "Follow us on:",
        "Download our app:",
    )
    text = _pick(rng, options)
    if rng.random() < 0.15:
        text = f"{_emoji(rng)} {text}"
    return _case(rng, text) if rng.random() < 0.2 else text


_BRANDS = (
    "Taboola",
    "Outbrain",
    "RevContent",
    "AdChoices",
    "Nexus",
    "Brandly",
    "Mediago",
    "Zergnet",
)


def _brand(rng: random.Random) -> str:
    # Ad networks are as often acronyms as words.
    if rng.random() < 0.3:
        return "".join(chr(65 + rng.randrange(26)) for _ in range(rng.randint(2, 5)))
    return _pick(rng, _BRANDS)


#: Ad-widget headers: they sit under the article, where the widget is.
AD_WIDGETS = ("Ads by", "Sponsored by", "Recommended by", "Content by", "Promoted by")


def ads(rng: random.Random, host: Host) -> str:
    """Ad labels and sponsored blocks."""
    brand = _brand(rng)
    return _pick(
        rng,
        (
            "Advertisement",
            "ADVERTISEMENT",
            f"Ads by {brand}",
            "Sponsored",
            "Sponsored Content",
            "Promoted Stories",
            "Paid Content",
            "Partner Content",
            "Advertisement - Scroll to continue",
            "ADVERTISEMENT - CONTINUE READING BELOW",
            f"Sponsored by {brand}",
            f"Presented by {brand}",
            "Promoted",
            "Ad",
            f"Recommended by {brand}",
            f"Content by {brand}",
            "Sponsored Links",
            "Advertisement · Story continues below",
            f"Paid partnership with {brand}",
        ),
    )


_AI_SUBJECTS = (
    "This article",
    "This story",
    "This content",
    "The text above",
    "This report",
    "Parts of this article",
    "This summary",
)
_AI_VERBS = (
    "was written",
    "was produced",
    "was prepared",
    "was generated",
    "was created",
    "was drafted",
    "was translated",
    "has been edited",
    "was compiled",
)
_AI_TOOLS = (
    "with the help of AI",
    "with assistance from artificial intelligence",
    "using AI tools",
    "by an AI system",
    "using a large language model",
    "with AI-powered tools",
    "using automated tools",
    "with generative AI",
)
_AI_TAILS = (
    "",
    " and reviewed by our editorial team",
    " and checked by a journalist",
    " and edited for accuracy",
    ". Errors may occur",
    ". Read our AI policy",
)
_NAMES = (
    "Jonas Berg",
    "Maria Lind",
    "Alex Carter",
    "Priya Shah",
    "Tom Baker",
    "Lea Novak",
    "Omar Haddad",
)
_CHATBOT = (
    "As an AI language model, I don't have personal opinions, but here is an overview.",
    "I hope this helps! Let me know if you'd like any changes.",
    "Certainly! Here's a rewritten version of the article:",
    "Sure, here is a summary of the news story in a neutral tone.",
    "Please note that as of my last knowledge update, details may have changed.",
    "Feel free to ask if you would like more details or a different style.",
    "I cannot browse the internet, but here is what is generally known.",
    "Here's an SEO-optimized version of the article with keywords included:",
    "Of course! Below is a 600-word news article based on your outline.",
    "Let me know if you want me to adjust the tone or length.",
)


def ai_disclosure(rng: random.Random, host: Host) -> str:
    """An AI-use disclosure or a chatbot's leftovers."""
    roll = rng.random()
    if roll < 0.3:
        return _pick(rng, _CHATBOT)
    if roll < 0.45:
        name = _pick(rng, _NAMES)
        return _pick(
            rng,
            (
                f"{name} wrote this article and may have relied on AI tools to "
                "prepare it.",
                f"{name} may have used AI tools in preparing this article.",
                f"Written by {name} with the help of AI.",
                f"This story was put together by {name} using AI assistance.",
            ),
        )
    subject, verb = _pick(rng, _AI_SUBJECTS), _pick(rng, _AI_VERBS)
    tool, tail = _pick(rng, _AI_TOOLS), _pick(rng, _AI_TAILS)
    text = f"{subject} {verb} {tool}{tail}."
    if rng.random() < 0.25:
        lead = _pick(rng, ("Disclaimer:", "Note:", "Disclosure:", "AI notice:"))
        text = f"{lead} {text}"
    return text


GENERATORS: dict[str, Callable[[random.Random, Host], str]] = {
    "callout": callout,
    "emoji_heading": emoji_heading,
    **{f"tie_in_{t}": _tie_in(t) for t in TIE_IN_TOPICS},
    "teaser": teaser,
    "navigation": navigation,
    "call_to_action": call_to_action,
    "ads": ads,
    "ai_disclosure": ai_disclosure,
}

# -- hard negatives -------------------------------------------------------

_CITIES = (
    "New Delhi",
    "London",
    "Washington",
    "Brussels",
    "Tokyo",
    "Nairobi",
    "Lagos",
    "Kyiv",
    "Berlin",
    "Ottawa",
    "Sydney",
    "Mumbai",
    "Paris",
    "Geneva",
    "Seoul",
    "Mexico City",
)
_AGENCIES = ("Reuters", "AP", "AFP", "PTI", "IANS", "dpa")
_MONTHS = (
    "Jan",
    "Feb",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
)


def dateline(rng: random.Random, paragraph: str) -> str:
    """The paragraph with a dateline in one of the common shapes."""
    city = _pick(rng, _CITIES)
    shape = rng.randrange(5)
    if shape == 0:
        lead = f"{city}:"
    elif shape == 1:
        lead = f"{city.upper()}:"
    elif shape == 2:
        month, day = _pick(rng, _MONTHS), rng.randint(1, 28)
        lead = f"{city.upper()}, {month} {day} ({_pick(rng, _AGENCIES)}) -"
    elif shape == 3:
        lead = f"{city.upper()} —"
    else:
        month, day = _pick(rng, _MONTHS), rng.randint(1, 28)
        lead = f"{city}, {month} {day} ({_pick(rng, _AGENCIES)}):"
    return f"{lead} {paragraph}"


_SPEAKERS = (
    "The minister",
    "A spokesperson",
    "The company",
    "Her lawyer",
    "The mayor",
    "In a statement, the ministry",
    "The report",
    "One official",
    "The chief executive",
    "He",
    "She",
    "The union",
)
_SAID = (
    "said",
    "told reporters",
    "wrote",
    "added",
    "said in a statement",
    "said on Monday",
    "posted on social media",
    "told the committee",
)


def quote_intro(rng: random.Random, sentence: str) -> list[str]:
    """A line introducing a quote with a colon, and the quote."""
    lead = f"{_pick(rng, _SPEAKERS)} {_pick(rng, _SAID)}:"
    return [lead, f"“{sentence}”"]


def editor_note(rng: random.Random, host: Host) -> str:
    """Editor's notes, corrections and updates: part of the story."""
    day = f"{_pick(rng, _MONTHS)} {rng.randint(1, 28)}"
    a = _keywords(host, rng, 1)[0]
    return _pick(
        rng,
        (
            f"Editor's note: This story has been updated to include comment from {a}.",
            "Correction: An earlier version of this article misstated the date of "
            f"the meeting. It was held on {day}.",
            f"Update, {day}: {a} did not respond to a request for comment before "
            "publication.",
            "Editor’s Note: This article was first published last year and has been "
            "updated with new figures.",
            f"Clarification: This story has been changed to clarify the role of {a}.",
            f"Editor's note: The reporter's spouse works for {a}; she was not "
            "involved in this report.",
            f"This article was amended on {day} to correct a figure in the fourth "
            "paragraph.",
        ),
    )


def qa_pair(rng: random.Random, sentence: str) -> list[str]:
    """An interview exchange in Q: / A: form."""
    question = _pick(
        rng,
        (
            "What happens next?",
            "How did you react when you heard the news?",
            "Why does this matter now?",
            "What did the talks achieve?",
            "Were you surprised?",
        ),
    )
    return [f"Q: {question}", f"A: {sentence}"]


def plain_heading(rng: random.Random, sentence: str) -> str:
    """A section heading made from the story's own words, no decoration."""
    words = sentence.rstrip(".!?").split()
    n = rng.randint(3, 7)
    head = " ".join(words[:n]).strip(",;:“”\"'")
    if rng.random() < 0.5:
        head = " ".join(
            w[:1].upper() + w[1:] if len(w) > 3 else w for w in head.split()
        )
    return head


# -- farm articles --------------------------------------------------------

_PLACEMENT = {
    "callout": "body",
    "emoji_heading": "body",
    "teaser": "body",
    "navigation": "edge",
    "call_to_action": "late",
    "ads": "body",
    "ai_disclosure": "end",
}
_COUNT = {
    "callout": (1, 6),
    "emoji_heading": (1, 5),
    "teaser": (1, 4),
    "navigation": (1, 3),
    "call_to_action": (1, 2),
    "ads": (1, 3),
    "ai_disclosure": (1, 1),
}


def farm_article(
    rng: random.Random,
    host: Host,
    families: list[str],
    doc_id: str,
    group: str,
    others: list[str],
    hard_negatives: bool = True,
) -> Article:
    """Pad *host* with filler of *families* (and sometimes hard negatives)."""
    blocks = [one_line(p) for p in host.paragraphs]
    labels = [NEGATIVE] * len(blocks)
    fams = [""] * len(blocks)

    def insert(at: int, text: str, label: int, fam: str) -> None:
        blocks.insert(at, text)
        labels.insert(at, label)
        fams.insert(at, fam)

    sentences = _sentences(host.paragraphs)
    if hard_negatives:
        # Hard negatives carry a "~kind" family so that evaluation can count
        # false positives on each kind; their label stays 0.
        if blocks and rng.random() < 0.3:
            blocks[0] = dateline(rng, blocks[0])
            fams[0] = "~dateline"
        if sentences and rng.random() < 0.3:
            at = rng.randint(1, len(blocks))
            for k, line in enumerate(quote_intro(rng, _pick(rng, sentences))):
                insert(at + k, line, NEGATIVE, "~quote_intro")
        if rng.random() < 0.15:
            at = len(blocks) if rng.random() < 0.6 else 1
            insert(at, editor_note(rng, host), NEGATIVE, "~editor_note")
        if sentences and rng.random() < 0.1:
            at = rng.randint(1, len(blocks))
            for k, line in enumerate(qa_pair(rng, _pick(rng, sentences))):
                insert(at + k, line, NEGATIVE, "~qa")
        if sentences and rng.random() < 0.35:
            for _ in range(rng.randint(1, 3)):
                at = rng.randint(1, len(blocks))
                insert(
                    at, plain_heading(rng, _pick(rng, sentences)), NEGATIVE, "~heading"
                )
    for fam in families:
        make = GENERATORS[fam]
        if fam.startswith("tie_in_"):
            n = rng.randint(1, 2)
            place = "late"
        else:
            lo, hi = _COUNT[fam]
            n = rng.randint(lo, hi)
            place = _PLACEMENT[fam]
        repeat = fam == "teaser" and rng.random() < 0.4
        first_text = ""
        for k in range(n):
            if fam in ("teaser", "navigation"):
                text = (
                    teaser(rng, host, others)
                    if fam == "teaser"
                    else navigation(rng, host, others)
                )
            else:
                text = make(rng, host)
            if repeat and k > 0:
                text = first_text
            first_text = first_text or text
            size = len(blocks)
            if place == "end":
                # Mostly at the end, but not always: a generator that only
                # ever appends would teach "the last line is filler".
                roll = rng.random()
                at = (
                    size if roll < 0.6 else (0 if roll < 0.75 else rng.randint(1, size))
                )
            elif place == "edge":
                at = 0 if rng.random() < 0.4 else size
            elif place == "late":
                at = rng.randint(max(1, size // 2), size)
            elif fam == "ads" and text.startswith(AD_WIDGETS) and rng.random() < 0.7:
                at = rng.randint(max(1, size - 1), size)
            else:
                # Emoji headings sometimes replace the title at the top.
                low = 0 if fam == "emoji_heading" and rng.random() < 0.15 else 1
                at = rng.randint(min(low, size), size)
            insert(at, text, POSITIVE, fam)
    return Article(
        doc_id=doc_id,
        source="farm",
        group=group,
        blocks=blocks,
        labels=labels,
        families=fams,
        title=host.title,
    )
