"""Speaker attribution: a sieve of high-precision rules over the sentence around a quote.

Every rule reads a bounded window of the *shadow* text (the body with quote contents
masked), so a name inside a quotation is never taken for its speaker and the cost per quote
is constant. When the text does not say who speaks, the speaker stays empty: a wrong name
is worse than none in a reader that exports attributions.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from reader.quotes.cues import is_cue as _is_cue_form
from reader.quotes.cues import is_participle
from reader.quotes.names import (
    CALENDAR,
    JOINERS,
    PARTICLES,
    PRONOUNS,
    Mention,
    Registry,
    ends_sentence,
    is_possessive,
    parse_run,
    wordset,
)

MASK = "\x00"
# Longest stretch of text any rule reads around one quote: keeps the whole pass linear
# even for a pathological "sentence" that runs on for pages.
WINDOW = 300
TOK_RE = re.compile(r"[^\W\d_][\w’'\-]*(?:\.[^\W\d_][\w’'\-]*)*\.?"
                    r"|\d+(?:[.,:]\d+)*(?:-?[^\W\d_][\w\-]*)?|\x00+|[^\s\w]")
_SENT_END = re.compile(r"[.!?…]+[\"'”’»›)\]]*(?=\s)")
_ACCORDING = re.compile(r"\b[Aa]ccording to\b")
_WORDCHAR = re.compile(r"[^\W_]")
_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gen", "col", "lt", "st", "mt", "jr", "sr",
    "vs", "etc", "inc", "ltd", "co", "corp", "no", "fig", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "gov", "sgt", "capt", "cmdr", "adm",
    "maj", "rev", "hon", "fr", "messrs", "mme", "mlle", "approx", "dept", "est", "op", "vol",
}
_SKIP = {
    "also", "later", "earlier", "then", "once", "again", "still", "just", "even", "never",
    "always", "further", "previously", "recently", "reportedly", "allegedly", "had", "has",
    "have", "was", "is", "were", "would", "will", "did", "does", "do", "could", "should",
    "may", "might", "must", "can", "yesterday", "today", "tonight", "subsequently", "first",
    "initially", "finally", "separately", "publicly", "privately", "repeatedly", "simply",
    "flatly", "bluntly", "openly", "not", "too", "both", "all", "himself", "herself",
    "themselves", "itself", "been", "being", "already", "often", "now", "last",
}
_TIME_NOUNS = {"week", "month", "year", "night", "morning", "afternoon", "evening",
               "weekend", "day"}
_TIME_LEAD = {"on", "last", "this", "next", "earlier", "late", "early", "that"}
_FUNCTION_LOWER = wordset("""
that which who whom whose what when where why how and but or nor so yet if than then to not
as of in on at by for with from about into onto over under after before during since until
while though although because unless whether this these those there here it's its it is are
was were be been being a an the his her their our my your also just only even still very
more most less least much many such some any each every no none all both either neither one
ones other another same own than too up down out off again further once
""")
_DETERMINERS = {"the", "a", "an", "one", "another", "two", "three", "several", "many",
                "some", "its", "his", "her", "their", "our", "these", "those", "no", "each",
                "every", "both", "senior", "other"}
ORG_NOUNS = {
    "ministry", "department", "company", "firm", "government", "police", "agency",
    "council", "army", "military", "court", "party", "bank", "embassy", "office",
    "committee", "commission", "union", "administration", "campaign", "group",
    "organisation", "organization", "authority", "board", "club", "team", "university",
    "school", "hospital", "institute", "foundation", "association", "federation",
    "league", "regulator", "watchdog", "airline", "insurer", "manufacturer", "retailer",
    "carmaker", "startup", "charity", "network", "broadcaster", "newspaper", "council's",
    "secretariat", "directorate", "cabinet", "parliament", "senate", "congress", "kremlin",
    "pentagon", "navy", "service", "services", "bureau", "centre", "center", "fund",
    "drugmaker", "automaker", "chipmaker", "operator", "developer", "lender", "utility",
    "supplier", "provider", "publisher", "museum", "festival", "orchestra", "trust",
}
# Descriptions news copy uses for a person it has just named ("the Dutchman said").
DESCRIPTORS = wordset("""
dutchman frenchman englishman scotsman irishman welshman briton spaniard swede dane finn
norwegian german italian american australian canadian brazilian argentine nigerian kenyan
ethiopian indian chinese japanese korean veteran striker midfielder defender goalkeeper
forward winger batter batsman bowler pitcher quarterback singer actor actress rapper
novelist author filmmaker director musician star champion teenager youngster newcomer
""")
_CLAUSE_OPENERS = {"who", "which", "whose", "whom", "after", "before", "when", "while",
                   "having", "speaking", "writing", "and", "where"}
ROLE_NOUNS = {
    "secretary", "minister", "mayor", "president", "premier", "governor", "senator",
    "chancellor", "chairman", "chairwoman", "chair", "director", "chief", "executive",
    "manager", "coach", "captain", "commissioner", "leader", "judge", "prosecutor", "sheriff",
    "superintendent", "principal", "headteacher", "curator", "founder", "owner",
    "ambassador", "envoy", "general", "admiral", "commander", "inspector", "king", "queen",
    "pope", "prince", "princess", "chairperson", "ceo", "spokesperson", "spokesman",
    "spokeswoman", "treasurer", "speaker", "attorney", "lawyer", "councillor",
}
_SPOKES = {"spokesman", "spokeswoman", "spokesperson", "spokespeople", "spokesmen",
           "representative", "statement", "spokeswomen"}
CONF = {"post-cue-name": 0.95, "post-name-cue": 0.95, "pre-posed": 0.9,
        "subject+cue": 0.85, "according-to": 0.8, "pronoun": 0.7, "floating": 0.6,
        "none": 0.0}

Tok = tuple[str, int, int]
_LINKS = set(PARTICLES) | set(JOINERS)


@dataclass(slots=True)
class Subj:
    """A grammatical subject found next to a cue, before it is resolved to an entity."""

    # "name" | "pronoun" | "orgnoun" ("the company") | "role" ("the health secretary") |
    # "anaphor" ("the 27-year-old", "the Dutchman") | "anon" ("officials", "a witness")
    kind: str
    raw: str
    pos: int
    mention: Mention | None = None
    the: bool = False  # preceded by "the": an organisation, not a person
    head: str = ""  # head noun of a common noun phrase ("company", "secretary")


@dataclass(slots=True)
class Attribution:
    """The sieve's answer for one quote; an empty speaker means "the text does not say"."""

    speaker: str = ""
    mention: str = ""
    type: str = ""
    cue: str = ""
    confidence: float = 0.0
    rule: str = "none"
    gender: str = ""


@dataclass(slots=True)
class Doc:
    """Per-article precomputed state shared by all quotes (built once, linear)."""

    body: str
    shadow: str
    paras: list[tuple[int, int]]
    para_starts: list[int]
    sent_starts: list[int]
    cues: list[Tok]
    cue_starts: list[int]
    registry: Registry
    timeline: list[tuple[int, str, str, str]] = field(default_factory=list)
    timeline_pos: list[int] = field(default_factory=list)
    said: list[tuple[int, str, str, str]] = field(default_factory=list)  # quote speakers
    # sentence start -> (first word position or -1, how far the text has been searched)
    first_word: dict[int, tuple[int, int]] = field(default_factory=dict)

    def para_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.para_starts, pos) - 1)

    def sentence_start(self, pos: int) -> int:
        i = bisect.bisect_right(self.sent_starts, pos) - 1
        return self.sent_starts[i] if i >= 0 else 0

    def sentence_end(self, pos: int) -> int:
        i = bisect.bisect_right(self.sent_starts, pos)
        pe = self.paras[self.para_of(pos)][1] if self.paras else len(self.shadow)
        return min(self.sent_starts[i], pe) if i < len(self.sent_starts) else pe

    def opens_sentence(self, lo: int, pos: int) -> bool:
        """No word between `lo` (a sentence or paragraph start) and `pos`.

        The first word of each sentence is found once and cached, so a sentence made of
        thousands of quotes is not rescanned for each one.
        """
        found, checked = self.first_word.get(lo, (-1, lo))
        if found < 0 and checked < pos:
            m = _WORDCHAR.search(self.shadow, checked, pos)
            found, checked = (m.start(), pos) if m else (-1, pos)
            self.first_word[lo] = (found, checked)
        return found < 0 or found >= pos

    def cues_between(self, lo: int, hi: int) -> list[Tok]:
        a = bisect.bisect_left(self.cue_starts, lo)
        b = bisect.bisect_left(self.cue_starts, hi)
        return self.cues[max(a, b - 8):b]


def tokens(text: str, lo: int, hi: int) -> list[Tok]:
    return [(m.group(), m.start(), m.end()) for m in TOK_RE.finditer(text, lo, hi)]


def is_cue(tok: str) -> bool:
    """A speech cue token ("said." at a sentence end included)."""
    return _is_cue_form(tok.rstrip("."))


def _bare(tok: str) -> str:
    return tok.rstrip(".").lower()


def _is_cap(tok: str) -> bool:
    return tok[0].isupper()


def sentence_starts(shadow: str, paras: list[tuple[int, int]]) -> list[int]:
    """Sentence start offsets (paragraph starts included), on the masked text."""
    starts: list[int] = []
    for ps, pe in paras:
        starts.append(ps)
        for m in _SENT_END.finditer(shadow, ps, pe):
            k = m.end()
            while k < pe and shadow[k].isspace():
                k += 1
            if k >= pe:
                continue
            nxt = shadow[k]
            if not (nxt.isupper() or nxt.isdigit() or nxt in "“‘\"'«»„(" or nxt == MASK):
                continue
            if m.group()[0] == ".":
                w = m.start()
                b = w
                while b > ps and w - b < 15 and (shadow[b - 1].isalnum() or shadow[b - 1] == "."):
                    b -= 1
                word = shadow[b:w].lower()
                if word in _ABBREV or len(word) == 1 or "." in word:
                    continue
            starts.append(k)
    return starts


_LOWER_WORD = re.compile(r"[a-z]+")
# Two-word cues: "Castellanos shot back that …", "she pointed out that …".
_PHRASAL = re.compile(r"(shot|hit|fired|pushed|snapped|struck|wrote|pointed|chimed|summed|"
                      r"spoke|weighed|went) (back|out|in|up|on)\b")
_PHRASAL_OK = {("shot", "back"), ("hit", "back"), ("fired", "back"), ("pushed", "back"),
               ("snapped", "back"), ("struck", "back"), ("wrote", "back"), ("pointed", "out"),
               ("chimed", "in"), ("summed", "up"), ("spoke", "out"), ("weighed", "in"),
               ("went", "on")}
_PHRASE_HEADS = {verb for verb, _ in _PHRASAL_OK}


def find_cues(shadow: str) -> list[Tok]:
    """Every speech-cue word outside quotes, in order ("shot back" counts as one cue)."""
    out = []
    n = len(shadow)
    for m in _LOWER_WORD.finditer(shadow):
        w = m.group()
        s, e = m.start(), m.end()
        if w in _PHRASE_HEADS:
            pm = _PHRASAL.match(shadow, s)
            if pm is not None and (pm.group(1), pm.group(2)) in _PHRASAL_OK:
                out.append((w, s, e))
                continue
        if _is_cue_form(w):
            if (s > 0 and (shadow[s - 1].isalpha() or shadow[s - 1] in "-’'")) or (
                    e < n and (shadow[e].isalpha() or shadow[e] == "-")):
                continue  # part of a longer word: "unsaid", "so-called"
            out.append((w, s, e))
    return out


# --- noun phrases --------------------------------------------------------------------------

def _skip_back(toks: list[Tok], k: int) -> int:
    """Step left over adverbs, auxiliaries and time phrases between a subject and its cue."""
    for _ in range(8):
        if k < 0:
            return k
        low = _bare(toks[k][0])
        if low in _SKIP or (low.endswith("ly") and len(low) > 4 and toks[k][0].islower()):
            k -= 1
        elif (low in CALENDAR or low in _TIME_NOUNS) and k >= 1 and (
                _bare(toks[k - 1][0]) in _TIME_LEAD):
            k -= 2
        else:
            return k
    return k


def _run_back(shadow: str, toks: list[Tok], k: int) -> int:
    """Index of the first token of the capitalised run ending at toks[k]."""
    j = k
    while j >= 1:
        pt, ps, pe = toks[j - 1]
        if toks[j][1] - pe > 1 or ends_sentence(pt):
            break
        if pt[0].isupper() and pt != MASK:
            j -= 1
            continue
        if pt in _LINKS and j >= 2 and toks[j - 2][1] <= ps:
            m = j - 2
            if toks[m][0] in _LINKS and m >= 1:  # "Society for the Protection"
                m -= 1
            if toks[m][0][0].isupper() and toks[m][0][0].isalpha():
                j = m
                continue
        break
    return j


def _np_back(shadow: str, toks: list[Tok], k: int, depth: int = 0) -> Subj | None:
    """The subject noun phrase ending at or before toks[k] (a cue follows it)."""
    k = _skip_back(toks, k)
    if k < 0:
        return None
    t = toks[k][0]
    hops = 0
    while t == "," and hops < 4:
        # Step over an appositive or relative clause: "Smith, 62, who …, said".
        hops += 1
        j = k - 1
        while j >= 0 and k - j < 30 and toks[j][0] not in (",", ".", ";", ":") and (
                MASK not in toks[j][0]):
            j -= 1
        if j < 0 or toks[j][0] != ",":
            return None
        inner = _np_core_back(shadow, toks, k - 1) if k - 1 > j else None
        if inner is not None and inner.kind == "name" and inner.pos == toks[j + 1][1]:
            return inner  # "Brookhaven's city attorney, Dennis Wolfe, said"
        k = _skip_back(toks, j - 1)
        while k >= 2 and toks[k][0][0].isdigit() and toks[k - 1][0] == ",":
            k -= 2  # "Dorothy Kemp, 84, a volunteer …, said"
        if k < 0:
            return None
        t = toks[k][0]
        if not (_is_cap(t) or _bare(t) in PRONOUNS) and j > 0:
            # Inside a longer clause ("who finished fourth in 2019, after …,"): keep going
            # back to the comma that opened it, if there is one.
            m = k
            while m >= 0 and k - m < 30 and toks[m][0] not in (",", ".", ";", ":") and (
                    MASK not in toks[m][0]):
                m -= 1
            if m >= 1 and toks[m][0] == "," and toks[m + 1][0].lower() in _CLAUSE_OPENERS:
                k, t = m, ","
    low = _bare(t)
    if low in ("who", "which") and k >= 2 and toks[k - 1][0] == ",":
        return _np_core_back(shadow, toks, k - 2)
    if low in ("and", "but") and depth == 0:
        for j in range(k - 1, -1, -1):
            w = toks[j][0]
            if w in (".", ";") or MASK in w:
                break
            if is_cue(w) and not is_participle(w):
                return _np_back(shadow, toks, j - 1, depth + 1)
        return _clause_subject(shadow, toks, 0, k)
    return _np_core_back(shadow, toks, k)


def _np_core_back(shadow: str, toks: list[Tok], k: int) -> Subj | None:
    if k < 0:
        return None
    t, start, _ = toks[k]
    low = _bare(t)
    if low in PRONOUNS:
        return Subj("pronoun", t, start)
    if _is_cap(t) and low in DESCRIPTORS and k >= 1 and _bare(toks[k - 1][0]) == "the":
        return Subj("anaphor", shadow[toks[k - 1][1]:toks[k][2]], toks[k - 1][1], head=low)
    if _is_cap(t):
        j = _run_back(shadow, toks, k)
        raw = shadow[toks[j][1]:toks[k][2]]
        mention = parse_run(raw)
        if mention is None:
            return None
        the = j >= 1 and toks[j - 1][0].lower() == "the"
        return Subj("name", raw, toks[j][1], mention, the)
    if (t.isalpha() or t.endswith("-year-old")) and t.islower() and low not in _FUNCTION_LOWER:
        j = k
        while j >= 1 and k - j < 4 and toks[j - 1][0].isalpha() and (
                toks[j - 1][0].islower() or toks[j - 1][0] in ("The", "A", "An")):
            j -= 1
            if _bare(toks[j][0]) in _DETERMINERS:
                break
        if j >= 1 and is_possessive(toks[j - 1][0]):
            return Subj("anon", shadow[toks[j - 1][1]:toks[k][2]], toks[j - 1][1])
        words = [_bare(w) for w, _, _ in toks[j:k + 1]]
        kind, head = _common_np(words)
        return Subj(kind, shadow[toks[j][1]:toks[k][2]], toks[j][1], head=head)
    return None


def _common_np(words: list[str]) -> tuple[str, str]:
    """Kind and head of a lower-case noun phrase: "a council spokesperson" -> the council;
    "the health secretary" -> a role to resolve; "officials" -> anonymous."""
    for w in words:
        if w in ORG_NOUNS:
            return "orgnoun", w
    head = words[-1] if words else ""
    if words and words[0] == "the" and head in ROLE_NOUNS:
        return "role", head
    if words and words[0] == "the" and (head.endswith("-year-old") or head in DESCRIPTORS):
        return "anaphor", head  # "The 27-year-old said", "the striker said": just named
    return "anon", head


def _clause_subject(shadow: str, toks: list[Tok], lo: int, hi: int) -> Subj | None:
    """Main-clause subject: the first pronoun or name after an introductory phrase."""
    k = lo
    while k < hi and (toks[k][0] in ",;:—–-" or MASK in toks[k][0]
                      or toks[k][0] in "”’\"'»"):
        k += 1
    if k < hi and _bare(toks[k][0]) in ("in", "on", "at", "after", "during", "following",
                                         "speaking", "asked", "addressing", "writing",
                                         "later", "earlier", "meanwhile", "separately",
                                         "before", "from", "with", "for", "when", "as"):
        j = k
        while j < hi and toks[j][0] != "," and j - k < 20:
            j += 1
        if j < hi:
            k = j + 1
    if k >= hi:
        return None
    subj, _ = np_forward(shadow, toks, k)
    return subj


def np_forward(shadow: str, toks: list[Tok], k: int) -> tuple[Subj | None, int]:
    """The noun phrase starting at toks[k] (a post-posed subject), and the index after it."""
    n = len(toks)
    if k >= n:
        return None, k
    t = toks[k][0]
    low = _bare(t)
    if low in PRONOUNS:
        return Subj("pronoun", t, toks[k][1]), k + 1
    the = False
    if low == "the" and k + 1 < n and _bare(toks[k + 1][0]) in DESCRIPTORS and (
            _is_cap(toks[k + 1][0])):
        return Subj("anaphor", shadow[toks[k][1]:toks[k + 1][2]], toks[k][1],
                    head=_bare(toks[k + 1][0])), k + 2
    if low == "the" and k + 1 < n and _is_cap(toks[k + 1][0]) and toks[k + 1][0] != MASK:
        the = True
        k += 1
        t = toks[k][0]
    if _is_cap(t) and t[0] != MASK and not (low in _DETERMINERS and not the):
        j = k
        while (j + 1 < n and toks[j + 1][1] - toks[j][2] <= 1
               and not (is_possessive(toks[j][0]) and not _is_cap(toks[j + 1][0]))
               and not ends_sentence(toks[j][0])):
            nt = toks[j + 1][0]
            if _is_cap(nt) and nt[0].isalpha():
                j += 1
                continue
            m = j + 1
            while m < n and m - j <= 2 and toks[m][0] in _LINKS:
                m += 1
            if m > j + 1 and m < n and _is_cap(toks[m][0]) and toks[m][0][0].isalpha():
                j = m
                continue
            break
        raw = shadow[toks[k][1]:toks[j][2]]
        if is_possessive(toks[j][0]):
            mention = parse_run(raw)
            if mention is not None and mention.org and len(mention.core) > 1:
                return Subj("name", raw, toks[k][1], mention, the), j + 1
            m = j + 1
            while m < n and m - j <= 3 and toks[m][0].isalpha() and toks[m][0].islower() and (
                    not is_cue(toks[m][0])):
                m += 1
            named = _appositive_name(shadow, toks, m)
            if named is not None:
                return named
            return Subj("anon", shadow[toks[k][1]:toks[m - 1][2]], toks[k][1]), m
        mention = parse_run(raw)
        if mention is None:
            named = _appositive_name(shadow, toks, j + 1)  # "the Transport Secretary, X,"
            return named if named is not None else (None, k)
        return Subj("name", raw, toks[k][1], mention, the), j + 1
    if t.isalpha() and (low in _DETERMINERS or (t.islower() and low not in _FUNCTION_LOWER
                        and low not in _SKIP)):
        j = k
        org: Subj | None = None
        org_at = k
        spokes = False
        while j < n and j - k < 9:
            w = toks[j][0]
            if not w[0].isalpha() or is_cue(w) or (j > k and _bare(w) in ("who", "which")):
                break
            if j > k and ends_sentence(toks[j - 1][0]):
                break
            bw = _bare(w)
            if _is_cap(w) and bw not in _DETERMINERS:
                sub, nj = np_forward(shadow, toks, j)
                if sub is not None and sub.kind == "name" and org is None:
                    org, org_at = sub, j
                j = max(nj, j + 1)
                continue
            if bw in _SPOKES:
                spokes = True
            j += 1
        raw = shadow[toks[k][1]:toks[j - 1][2]] if j > k else t
        named = _appositive_name(shadow, toks, j)
        if named is not None:
            return named
        if org is not None and org.mention is not None and not org.mention.org and (
                not org.the and all(w.isalpha() and w.islower() and w not in _DETERMINERS
                                    and w not in _FUNCTION_LOWER
                                    for w, _, _ in toks[k:org_at])):
            return org, j  # "said pharmacist Grainne O'Neill"
        if spokes and org is not None and org.mention is not None and (
                org.mention.org or org.the):
            return org, j
        words = [_bare(w) for w, _, _ in toks[k:j] if w.islower()]
        kind, head = _common_np(words)
        return Subj(kind, raw, toks[k][1], head=head), j
    return None, k


def _appositive_name(shadow: str, toks: list[Tok], m: int) -> tuple[Subj, int] | None:
    """"the union's president, Rodrigo Saavedra, said": the name between the commas."""
    n = len(toks)
    if m + 1 < n and toks[m][0] == "," and _is_cap(toks[m + 1][0]):
        sub, after = np_forward(shadow, toks, m + 1)
        if sub is None or sub.kind != "name":
            return None
        if after >= n:
            return sub, after
        if toks[after][0] == ",":
            return sub, after + 1
        if toks[after][0] in (".", ";") or is_cue(toks[after][0]) or ends_sentence(
                toks[after - 1][0]):
            return sub, after
    return None


# --- resolution ----------------------------------------------------------------------------

def _resolve(doc: Doc, subj: Subj, pos: int) -> tuple[str, str, str, bool]:
    """(speaker, type, gender, via_pronoun) for a subject; speaker "" when unknown."""
    reg = doc.registry
    if subj.kind == "name" and subj.mention is not None:
        m = subj.mention
        full = reg.lookup(m, pos)
        if full is not None:
            ent = reg.entities[full]
            return full, ent.kind, ent.gender or m.gender, False
        if m.org or (subj.the and not m.titled):
            return m.name, "org", "", False
        if len(m.core) == 1 and not m.titled:
            return m.name, "", "", False  # "Smith said", never introduced: type unknown
        return m.name, "person", m.gender, False
    if subj.kind in ("pronoun", "anaphor"):
        hit = resolve_pronoun(doc, subj.raw.lower() if subj.kind == "pronoun" else "", pos)
        if hit is None:
            return "", "", "", True
        return hit[0], hit[1], hit[2], True
    if subj.kind == "orgnoun":
        name = reg.org_by_head(subj.head, pos)
        return (name, "org", "", False) if name else ("", "", "", False)
    if subj.kind == "role":
        hit = _resolve_role(doc, subj.head, pos)
        if hit:
            ent = reg.entities[hit]
            return hit, ent.kind, ent.gender, False
    return "", "", "", False


def _resolve_role(doc: Doc, head: str, pos: int) -> str | None:
    """"the health secretary": the latest person titled so before; or, when nobody has
    been named yet (a news lede), the first person named as a speaker soon after."""
    reg = doc.registry
    names = reg.recent(pos - 4000, pos)
    for name in reversed(names):
        ent = reg.entities.get(name)
        if ent is not None and head in ent.roles:
            return name
    if any(reg.kind(n) == "person" for n in names) or doc.para_of(pos) > 0:
        return None
    # Only in the lede, and only a person who opens a later sentence and carries no other
    # title: "The health secretary has promised … / Nadia Qureshi told MPs …".
    i = bisect.bisect_right(doc.timeline_pos, pos)
    for at, name, kind, _ in doc.timeline[i:i + 3]:
        ent = reg.entities.get(name)
        if kind != "person" or at - pos > 600 or ent is None or doc.para_of(at) > 1:
            continue
        if ent.roles and head not in ent.roles:
            continue
        if doc.shadow.startswith(name, doc.sentence_start(at)):
            return name
    return None


def resolve_pronoun(doc: Doc, word: str, pos: int) -> tuple[str, str, str] | None:
    """Antecedent of he/she/they/it before `pos`.

    First a speaker, then the first person named, in the previous and current sentence
    (the subject usually comes first); then the most recent speaker anywhere before.
    """
    want = PRONOUNS.get(word, "")
    reg = doc.registry
    ss = doc.sentence_start(pos)
    lo = doc.sentence_start(max(0, ss - 1)) if ss > 0 else ss
    i = bisect.bisect_left(doc.timeline_pos, lo)
    j = bisect.bisect_left(doc.timeline_pos, pos)
    local = doc.timeline[max(i, j - 12):j] + [s for s in doc.said[-6:] if lo <= s[0] < pos]
    for entry in sorted(local, key=lambda e: -e[0]):
        if _compatible(doc, entry, want):
            return entry[1], entry[2], entry[3]
    for name in reg.recent(lo, pos):
        ent = reg.entities.get(name)
        if ent is not None and _compatible(doc, (0, name, ent.kind, ent.gender), want):
            return name, ent.kind, ent.gender
    if want == "p":
        return None
    best: tuple[int, str, str, str] | None = None
    pools = (doc.timeline[max(0, j - 12):j], [s for s in doc.said[-12:] if s[0] < pos])
    for pool in pools:
        for entry in reversed(pool):
            if _compatible(doc, entry, want):
                if best is None or entry[0] > best[0]:
                    best = entry
                break
    if best is not None and best[0] >= pos - 3000:
        return best[1], best[2], best[3]
    # A person named just before ("Faith Kiptoo won … She is … The 27-year-old said"), if
    # something marks them as a person: a title, a later surname mention, or speech.
    speakers = {e[1] for e in doc.timeline}
    fits: list[str] = []
    for name in reversed(reg.recent(pos - 1500, pos)):
        ent = reg.entities.get(name)
        if ent is None or not _compatible(doc, (0, name, ent.kind, ent.gender), want):
            continue
        if ent.titled or ent.last_refs or name in speakers:
            return name, ent.kind, ent.gender
        if name not in fits:
            fits.append(name)
    if len(fits) == 1:  # the only person it can be ("Ann Grey … Mr. Tom Brown … she said")
        ent = reg.entities[fits[0]]
        return fits[0], ent.kind, ent.gender
    return None


def _compatible(doc: Doc, entry: tuple[int, str, str, str], want: str) -> bool:
    _, name, kind, gender = entry
    ent = doc.registry.entities.get(name)
    if ent is not None:  # genders learnt later in the text apply to earlier entries too
        kind, gender = ent.kind, ent.gender or gender
    if want == "":
        return kind == "person"
    if want in ("m", "f"):
        return kind == "person" and gender in ("", want)
    return kind == "org"  # "it", and "they" only for an organisation


def build_timeline(doc: Doc) -> None:
    """Who speaks where: the resolved subject of every finite speech cue, in text order."""
    for word, start, end in doc.cues:
        if is_participle(word):
            continue
        ss = doc.sentence_start(start)
        toks = tokens(doc.shadow, max(ss, start - 200), start)
        subj = _np_back(doc.shadow, toks, len(toks) - 1)
        if subj is None or subj.kind == "anon":
            after = tokens(doc.shadow, end, min(end + 120, doc.sentence_end(start)))
            subj, _ = np_forward(doc.shadow, after, 0)
            if subj is None or subj.kind != "name":
                continue
        follow = _following_pronoun(doc.shadow, end)
        if subj.kind == "name" and subj.mention is not None and follow:
            org = _learn(doc, subj.mention, start, follow)
            if org is not None:  # "Halvorsen said it would …": the company, not its CEO
                doc.timeline.append((start, org, "org", ""))
                doc.timeline_pos.append(start)
                continue
        speaker, kind, gender, via_pronoun = _resolve(doc, subj, start)
        if speaker:
            ent = doc.registry.entities.get(speaker)
            if via_pronoun and ent is not None and ent.kind == "person" and not ent.gender:
                ent.gender = gender = PRONOUNS.get(subj.raw.lower(), "")
            doc.timeline.append((start, speaker, kind, gender))
            doc.timeline_pos.append(start)


_FOLLOW_RE = re.compile(r"\s+(?:(?:on|in|at|to)\s+\w+\s+)?(?:that\s+)?(he|she|it)\b")


def _following_pronoun(shadow: str, end: int) -> str:
    """"Roy said he was leaving": the pronoun right after a cue tells gender or org."""
    m = _FOLLOW_RE.match(shadow, end, end + 40)
    return m.group(1) if m else ""


def _learn(doc: Doc, mention: Mention, pos: int, pronoun: str) -> str | None:
    """Gender from "X said she …"; returns the organisation X names in "X said it …"."""
    reg = doc.registry
    if pronoun == "it":
        full = reg.lookup(mention, pos, prefer="org")
        if full is not None and reg.entities[full].kind == "org":
            return full
        return None
    full = reg.lookup(mention, pos)
    if full is not None:
        ent = reg.entities[full]
        if ent.kind == "person" and not ent.gender:
            ent.gender = PRONOUNS[pronoun]
    return None


# --- the sieve -----------------------------------------------------------------------------

def _make(doc: Doc, subj: Subj, pos: int, cue: str, rule: str) -> Attribution:
    speaker, kind, gender, via_pronoun = _resolve(doc, subj, pos)
    if not speaker:
        return Attribution(mention=subj.raw if subj.kind != "anon" else "", cue=cue,
                           rule="none")
    conf = CONF[rule]
    if via_pronoun:
        rule, conf = "pronoun", min(conf, CONF["pronoun"])
        if _ambiguous(doc, pos, speaker):
            conf = 0.5
    mention = ("the " + subj.raw) if subj.the else subj.raw
    if ends_sentence(mention.rsplit(" ", 1)[-1]):
        mention = mention[:-1]  # "said John Smith." -> "John Smith"
    return Attribution(speaker, mention, kind, cue, conf, rule, gender)


def _ambiguous(doc: Doc, pos: int, speaker: str) -> bool:
    """Two different people spoke in the previous sentence: a pronoun is a coin toss."""
    ss = doc.sentence_start(pos)
    prev = doc.sentence_start(max(0, ss - 1))
    i = bisect.bisect_left(doc.timeline_pos, prev)
    j = bisect.bisect_left(doc.timeline_pos, pos)
    names = {e[1] for e in doc.timeline[i:j][-6:] if e[2] == "person"}
    return len(names - {speaker}) >= 1 and len(names) >= 2


def post_posed(doc: Doc, pos: int, limit: int) -> Attribution | None:
    """Rules 1-2 and the post-posed form of rule 5: `“Q,” said S` / `“Q,” S said`."""
    hi = min(limit, pos + 160)
    stop = doc.shadow.find(MASK, pos, hi)
    if stop >= 0:
        hi = stop
    toks = tokens(doc.shadow, pos, hi)
    k = 0
    while k < len(toks) and k < 3 and toks[k][0] in ",;:—–-":
        k += 1
    if k >= len(toks):
        return None
    word = toks[k][0]
    if is_cue(word) and is_participle(word):
        return None
    if is_cue(word):
        j = k + 1
        while j < len(toks) and _bare(toks[j][0]) in _SKIP:
            j += 1
        subj, _ = np_forward(doc.shadow, toks, j)
        if subj is None or (subj.kind == "pronoun" and subj.raw.lower() not in ("he", "she")):
            return None  # "… say it never arrived": "it" is an object, not the speaker
        return _make(doc, subj, toks[j][1], word.rstrip("."), "post-cue-name")
    if word.lower() == "according" and k + 1 < len(toks) and toks[k + 1][0] == "to":
        subj, _ = np_forward(doc.shadow, toks, k + 2)
        if subj is None:
            return None
        return _make(doc, subj, toks[k][1], "according to", "according-to")
    subj, j = np_forward(doc.shadow, toks, k)
    if subj is None:
        return None
    if j < len(toks) and toks[j][0] == ",":
        m = j + 1
        while m < len(toks) and m - j < 25 and toks[m][0] not in (",", ".", ";"):
            m += 1
        if m < len(toks) and toks[m][0] == ",":
            j = m + 1
    for _ in range(4):
        if j < len(toks) and (_bare(toks[j][0]) in _SKIP or (toks[j][0].endswith("ly")
                              and toks[j][0].islower() and len(toks[j][0]) > 4)):
            j += 1
    if j < len(toks) and is_cue(toks[j][0]):
        return _make(doc, subj, subj.pos, toks[j][0].rstrip("."), "post-name-cue")
    return None


def pre_posed(doc: Doc, ss: int, open_pos: int) -> Attribution | None:
    """Rules 3-5: a cue (or "according to") earlier in the quote's sentence."""
    cues = doc.cues_between(ss, open_pos)
    shadow = doc.shadow
    if cues:
        nearest = cues[-1][0]
        tail = shadow[max(ss, open_pos - 60):open_pos].rstrip(" \t\n\u00a0“‘\"'«»„")
        rule = ("pre-posed" if tail.endswith(":") or (tail.endswith(",")
                and open_pos - cues[-1][2] < 40) else "subject+cue")
        saw_participle = False
        for word, start, _ in reversed(cues):
            if is_participle(word):
                saw_participle = True
                continue
            toks = tokens(shadow, max(ss, start - 250), start)
            subj = _np_back(shadow, toks, len(toks) - 1)
            if subj is not None:
                return _make(doc, subj, subj.pos, nearest, rule)
        if saw_participle:
            toks = tokens(shadow, max(ss, cues[0][1] - WINDOW), cues[0][1])
            subj = _clause_subject(shadow, toks, 0, len(toks))
            if subj is not None:
                return _make(doc, subj, subj.pos, nearest, "subject+cue")
    tail = shadow[max(ss, open_pos - 60):open_pos].rstrip(" \t\n\u00a0“‘\"'«»„")
    if tail.endswith(":") and not cues:
        # "Callaghan shrugged off the complaint: ‘…’" - the clause subject introduces it.
        toks = tokens(shadow, max(ss, open_pos - WINDOW), open_pos)
        subj = _clause_subject(shadow, toks, 0, len(toks))
        if subj is not None and subj.kind in ("name", "pronoun"):
            return _make(doc, subj, subj.pos, "", "pre-posed")
    m = _ACCORDING.search(shadow, max(ss, open_pos - 300), open_pos)
    if m is not None:
        toks = tokens(shadow, m.end(), min(open_pos, m.end() + 120))
        subj, _ = np_forward(shadow, toks, 0)
        if subj is not None:
            return _make(doc, subj, subj.pos, "according to", "according-to")
    return None


def colon_lead(doc: Doc, para: int) -> Attribution | None:
    """`S said:` closing the previous paragraph introduces a quote opening this one."""
    if para <= 0:
        return None
    ps, pe = doc.paras[para - 1]
    if not doc.shadow[ps:pe].rstrip().endswith(":"):
        return None
    return pre_posed(doc, doc.sentence_start(pe - 1), pe)
