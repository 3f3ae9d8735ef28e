"""General English for matching questions to official Q&A: idioms, synonyms, concepts, chatter.

Only what holds for any official release lives here. What belongs to one document or its field
(acronyms, program names, jargon, the words naming it, subjects it does not cover) is written in
its source's ``vocabulary`` block in content; entries' own aids (phrasings, keywords) too.
"""

from __future__ import annotations

# Multi-word expressions rewritten before stemming: idioms whose words alone mislead.
PHRASES: dict[str, str] = {
    "six months": "180 days",
    "6 months": "180 days",
    "half a year": "180 days",
    "ten thousand": "10000",
    "done away with": "terminated",
    "get rid of": "terminated",
    "got rid of": "terminated",
    "no longer": "terminated",
    "low priority": "deprioritize",
    "lower priority": "deprioritize",
    "right now": "today",
    "these days": "today",
    "in force": "inforce",
    "in effect": "inforce",
    "non profit": "nonprofit",
    "up front": "first",
    "go after": "target",
    "goes after": "target",
    "going after": "target",
    "went after": "target",
    "staffing up": "hiring",
    "staff up": "hiring",
    "statutory basis": "legal authority",
    "statutory authority": "legal authority",
    "legal basis": "legal authority",
    "legal foundation": "legal authority",
    "higher priority": "prioritize",
    "top priority": "prioritize",
    "high priority": "prioritize",
    "last year": "today",
    "this year": "today",
    "next year": "today",
    "as of now": "today",
    "pull out of": "withdraw from",
    "opt out of": "withdraw from",
    "in plain english": "",
    "plain english": "",
    "in simple terms": "",
    "simply put": "",
    "for a footnote": "",
    "for my story": "",
    "for a story": "",
    "on behalf of": "",
    "quick question": "",
    "real quick": "",
    "game plan": "plan",
    "under what law": "under what legal authority",
    "what law": "what legal authority",
    "fair game": "target",
    "cut off": "terminated",
    "running again": "restored",
    "fast track": "expedited",
    "fast tracking": "expedited",
    "fast tracked": "expedited",
    "speed up": "expedite",
    "sped up": "expedited",
    "back on": "restored",
}

# Query stem -> stems it may match instead. Words people use for what official text says
# in its own terms. Applied to queries only; the index keeps the document's words.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "hire": ("hire", "employe", "personnel"),
    "posit": ("hire", "employe"),
    "job": ("hire", "employe", "job"),
    "staff": ("personnel", "employe"),
    "employe": ("hire", "personnel"),
    "workforc": ("personnel", "hire"),
    "recruit": ("hire",),
    "end": ("termin",),
    "over": ("termin",),
    "gone": ("termin", "rescind"),
    "kill": ("termin",),
    "scrap": ("termin",),
    "stop": ("termin",),
    "elimin": ("termin", "rescind"),
    "abolish": ("termin",),
    "cancel": ("termin", "rescind"),
    "discontinu": ("termin",),
    "shut": ("termin",),
    "replac": ("termin", "restor"),
    "back": ("restor",),
    "reinstat": ("restor",),
    "reviv": ("restor",),
    "resum": ("restor",),
    "reactiv": ("restor",),
    "revok": ("rescind",),
    "repeal": ("rescind",),
    "withdrawn": ("rescind",),
    "withdraw": ("rescind",),
    "lie": ("fraud", "defraud"),
    "cheat": ("fraud", "defraud"),
    "scam": ("fraud",),
    "countri": ("countri", "govern", "nation"),
    "nation": ("countri", "govern", "nation"),
    "govern": ("govern", "countri"),
    "penalti": ("sanction", "consequ"),
    "punish": ("sanction", "consequ"),
    "judgment": ("discret",),
    "judgement": ("discret",),
    "leeway": ("discret",),
    "except": ("exempt",),
    "spare": ("exempt",),
    "safe": ("exempt", "affect"),
    "protect": ("exempt", "affect"),
    "danger": ("risk", "safeti"),
    "threat": ("risk", "safeti"),
    "regul": ("regul", "polici", "procedur"),
    "reg": ("regul",),
    "rule": ("regul", "polici"),
    "deal": ("agreement", "memorandum"),
    "contract": ("agreement",),
    "mou": ("memorandum", "agreement"),
    "extra": ("addit",),
    "op": ("oper",),
    "speed": ("expedit",),
    "request": ("applic",),
    "nonprofit": ("ngo", "stakehold"),
    "advoc": ("ngo", "stakehold"),
    "advocaci": ("ngo", "stakehold"),
    "unit": ("offic",),
    "foundat": ("author",),
    "basi": ("author",),
    "power": ("author",),
    "legal": ("author", "law"),
    "law": ("law", "act"),
    "rollout": ("implement",),
    "roll": ("implement",),
    "carri": ("implement",),
    "target": ("target", "priorit"),
    "pursu": ("action", "target"),
    "go": ("action",),
    "queue": ("priorit",),
    "ahead": ("priorit",),
    "first": ("priorit", "begin"),
    "convict": ("convict", "crimin"),
    "crimin": ("crimin", "crime"),
    "crime": ("crime", "crimin"),
    "hurt": ("impact", "victim"),
    "harm": ("impact", "victim"),
    "signup": ("enter", "agreement"),
    "sign": ("enter", "agreement"),
    "join": ("enter", "partnership"),
    "contact": ("outreach", "engag"),
    "reach": ("outreach", "reach"),
    "talk": ("outreach", "discuss", "engag"),
    "meet": ("engag",),
    "relationship": ("engag",),
    "access": ("engag",),
    "tribe": ("tribal",),
    "foreign": ("foreign", "intern"),
    "intern": ("intern", "foreign"),
    "team": ("partner", "assist"),
    "cooper": ("cooper", "partner", "assist"),
    "coordin": ("coordin", "partner"),
    "help": ("support", "assist"),
    "review": ("review", "examin"),
    "finish": ("review",),
    "align": ("consist",),
    "focus": ("focus", "priorit"),
    "staf": ("hire", "personnel"),
    "duti": ("job",),
}

# Groups of words that stand for one idea in questions to officials. Every word of a group may
# match every other, at a discount. One word per item (idioms go in PHRASES).
CONCEPTS: tuple[str, ...] = (
    "affect affects affected impact impacts impacted change changes hit hits touch apply "
    "different differently",
    "priority priorities prioritize prioritized focus focused target targeted targets emphasis",
    "exempt exempted exemption exemptions exception exceptions spared protected leniency",
    "discretion discretionary judgment judgement leeway",
    "hire hiring hired hires recruit recruiting recruitment staffing employees personnel "
    "workforce headcount",
    "additional extra added more",
    "terminate terminated termination end ended ending scrap scrapped kill killed abolish "
    "abolished eliminate eliminated discontinue discontinued dismantled",
    "restore restored restoring reinstate reinstated reinstatement revive revived resumed",
    "rescind rescinded revoke revoked repeal repealed withdraw withdrawn",
    "engage engagement engaging meet meeting contact cooperate cooperation collaborate",
    "ngo ngos nonprofit nonprofits advocates advocacy stakeholders stakeholder",
    "victim victims survivors",
    "fraud fraudulent defraud defrauded scam scams cheat cheating misrepresentation",
    "prosecute prosecuted prosecution prosecutions prosecutor prosecutors indict charged",
    "authority authorities basis statute statutory power powers",
    "training trained train instruction",
    "agreement agreements moa mou contract contracts deal deals",
    "country countries nation nations government governments",
    "sanction sanctions consequence consequences penalty penalties punish punishment",
    "criminal criminals crime crimes convicted conviction convictions felon felons offense "
    "offence offenses",
    "dangerous danger threat threats risk risks",
    "review reviewed reviewing examine examined examining audit",
    "expedite expedited expediting faster quicker",
    "families family relatives",
    "jurisdiction jurisdictions county counties city cities locality localities",
    "guidance instructions directive directives",
)

# Words that ask only whether something still holds ("in effect"): they set the context of a
# question, so they weigh little whatever their rarity. Words naming one document ("the Kelly
# memo") are its source's vocabulary.
CONTEXT: frozenset[str] = frozenset({"inforc"})

# What kind of fact a question asks for, by its wording. An entry can answer it only if its own
# question asks the same, or its answer holds such a fact (a number, a time).
QUESTION_TYPES: dict[str, str] = {
    "quantity": r"\b(how many|how much|how long|what percent(age)?|number of|cost of|"
    r"what threshold)\b",
    "time": r"(^|\b)(when (is|was|will|did|does|do|are|were|can|could)|what date|what year|"
    r"by when|how soon|how fast|how quickly|deadline)\b",
    "place": r"\b(where (is|are|do|does|can|will|did|was)|"
    r"which (cities|states|counties|countries))\b",
    # Someone asking what to do in their own case: the releases speak of policy, not procedure.
    "procedure": r"\b(how (do|can|should) (i|we)|where (do|can|should) (i|we)|how to (file|apply|"
    r"report|request|get|find|sign up|complain))\b",
    "person": r"\bwho (runs|heads|leads|directs|is in charge|is the (head|director|chief))\b",
    "comparison": r"\b(difference between|differences between|compared (to|with)|versus)\b",
}
ANSWER_FACTS: dict[str, str] = {
    "quantity": r"\b\d[\d,.]*\b",
    "time": r"\b(\d+ (days|weeks|months|years)|effective immediately|january|february|march|"
    r"april|june|july|august|september|october|november|december|19\d\d|20\d\d)\b",
    "place": r"(?!)",
    "procedure": r"(?!)",
    "person": r"(?!)",
    "comparison": r"(?!)",
}

# Words that alone make no question: greetings, thanks and chatter. A query of only these
# (and stopwords) is declined without looking further.
CHATTER: frozenset[str] = frozenset(
    """
    hey hi hello hiya yo morn morning even afternoon night good great thank thanks thx ty
    cheer bye goodby see later lol haha ok okay cool nice awesom welcom congrat test ping look
    check urgent asap help anyon someon fyi reminder meet
    """.split()
)
