"""Name mentions without NER: capitalised runs, titles, organisations, canonical names.

A speaker is canonicalised to the full name the article first introduces ("Mr. Hegseth" ->
"Pete Hegseth"), so the registry below is built once per article from every capitalised run
outside quotes; everything is regex-driven and linear in the text.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A regex class body of the upper/title-case letters inside `ranges` (built once)."""
    parts: list[str] = []
    for lo, hi in ranges:
        start = None
        for cp in range(lo, hi + 2):
            ch = chr(cp) if cp <= hi else ""
            ok = bool(ch) and (ch.isupper() or ch.istitle())
            if ok and start is None:
                start = cp
            elif not ok and start is not None:
                last = cp - 1
                parts.append(re.escape(chr(start)) if start == last
                             else f"{re.escape(chr(start))}-{re.escape(chr(last))}")
                start = None
    return "".join(parts)


# Latin, Greek, Cyrillic, Armenian, Georgian, Latin Extended Additional, Greek Extended.
UPPER = _char_class(((0x41, 0x5A), (0xC0, 0x24F), (0x370, 0x58F), (0x10A0, 0x10CF),
                     (0x1E00, 0x1FFF)))

APOS = "’'"
# Abbreviations that keep their period inside a name ("Mr. Pete Hegseth", "Gov. Keller").
ABBREV_TITLES = ("Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sen", "Gov", "Rep", "Gen", "Lt",
                 "Col", "St", "Jr", "Sr", "Sgt", "Capt", "Cmdr", "Adm", "Maj", "Rev", "Hon",
                 "Fr", "Insp", "Det", "Supt", "Cllr", "Pres", "Sec", "Amb", "Atty", "Messrs",
                 "Mme", "Mlle", "Rt", "Cpl", "Pte", "Co", "Corp", "Inc", "Ltd", "No")
# One capitalised token: "Hegseth", "O’Brien", "Al-Assad", "U.S.", "Mr.", "J.".
CAP_TOKEN = rf"[{UPPER}][\w’'\-]*(?:\.[\w’'\-]+)*\.?"
# Lower-case words inside a name ("Ursula von der Leyen") ...
PARTICLES = ("de", "da", "das", "do", "dos", "del", "della", "der", "den", "di", "du", "van",
             "von", "bin", "ibn", "al", "el", "la", "le", "ter", "y")
# ... and inside an organisation's or a title's name ("Department of Health and Social Care").
JOINERS = ("of", "for", "the", "and", "&")
_PARTICLE_RE = "|".join(PARTICLES + JOINERS)
# A run of capitalised tokens joined by single spaces, with lower-case particles inside (the
# lookahead makes most positions fail on their first character, which keeps the scan fast).
NAME_RUN = (rf"(?=[{UPPER}])(?<![\w’'\-]){CAP_TOKEN}"
            rf"(?:[ \u00a0](?:(?:{_PARTICLE_RE})[ \u00a0])*{CAP_TOKEN})*")
NAME_RUN_RE = re.compile(NAME_RUN)
_NONSPACE = re.compile(r"\S+")


def name_runs(text: str, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, run) for each capitalised run, cut after a sentence-final "Test." token."""
    for m in NAME_RUN_RE.finditer(text, lo, len(text) if hi is None else hi):
        run = m.group()
        if "." not in run:
            yield m.start(), run
            continue
        at = m.start()
        start = 0
        for tok in _NONSPACE.finditer(run):
            if ends_sentence(tok.group()) and tok.end() < len(run):
                yield at + start, run[start:tok.end()]
                start = tok.end() + 1
        yield at + start, run[start:]


def wordset(text: str) -> frozenset[str]:
    """A frozenset from a whitespace-separated word list (keeps long tables readable)."""
    return frozenset(text.split())


# Honorifics and job titles before a name, with the gender they imply ("" = unknown).
HONORIFICS = dict.fromkeys(wordset("""
mx dr prof professor rev reverend rabbi hon sen senator rep representative gov governor gen
general lt lieutenant col colonel maj capt captain cmdr commander adm admiral sgt sergeant
cpl insp inspector det detective supt superintendent constable judge justice mayor president
vice prime minister secretary chancellor premier ambassador envoy commissioner director
chair chairperson ceo cfo coo cto founder co-founder spokesperson coach manager bishop
archbishop deputy assistant attorney solicitor treasurer marshal sheriff councillor cllr
alderman mp mep mla executive officer head chief editor dean rector provost crown speaker
leader chief-executive ex-president former acting interim senior junior lawmaker analyst
co-author coauthor lead prosecutor inspector-general rt principal headteacher curator
conductor chef nurse doctor paramedic firefighter economist researcher scientist author
writer lawyer attorney-general advocate pm sec administrator secretary-general
under-secretary undersecretary deputy-director president-elect governor-general boss
striker midfielder defender goalkeeper forward winger batsman batter bowler pitcher
quarterback skipper manager singer actor actress rapper artist novelist poet director-general
"""), "")
HONORIFICS.update(dict.fromkeys(wordset("""
mr sir lord fr father sheikh imam chairman spokesman king prince emperor pope cardinal
councilman assemblyman congressman sultan emir duke earl baron headmaster
"""), "m"))
HONORIFICS.update(dict.fromkeys(wordset("""
mrs ms miss dame lady sister chairwoman spokeswoman queen princess councilwoman
assemblywoman congresswoman duchess baroness headmistress
"""), "f"))
# Courtesy titles say nothing about a job ("Ms Qureshi" is still "the health secretary").
COURTESY = wordset("mr mrs ms miss mx dr prof sir dame lord lady rev reverend hon rt fr")
# Portfolio words that sit between a title and a name ("Secretary of State Marco Rubio").
DOMAIN_WORDS = wordset("""
state defence defense war homeland security external affairs foreign home finance treasury
health education commerce energy interior transport transportation agriculture labor labour
trade industry environment information culture sport sports tourism justice economy economic
development science technology housing communications digital navy army air force staff
joint general national federal public works welfare social women children family immigration
veterans legal operations operating financial technical executive press media policy
intelligence police
""")
# Words that make a capitalised run an organisation ("Acme Corp", "Defence Ministry").
ORG_WORDS = wordset("""
ministry ministries department dept office agency corp corporation inc ltd llc plc co company
group bank council committee commission authority board police army navy forces government
administration university college institute foundation association federation union league
party court parliament congress senate house embassy consulate service services organisation
organization network news times post journal press bureau center centre fund trust club
airlines airways motors holdings partners systems technologies labs laboratories media studios
hospital hospitals clinic school secretariat directorate cabinet kremlin pentagon reuters nato
unicef command coalition alliance guard institution society industries international global
limited gmbh ag sa nv assembly tribunal programme program semiconductor semiconductors pharma
pharmaceuticals therapeutics energy electric power foods mining resources capital research
analytics software robotics logistics insurance telecom communications entertainment records
games healthcare initiative campaign exchange ai tech solutions enterprises ventures brands
stores markets airport port railway rail transit museum orchestra philharmonic festival
theatre theater gallery library zoo athletic rovers fc parents residents citizens friends
families workers voters taxpayers neighbours neighbors advocates movement action watch
project collective cooperative confederation nhs imf opec commons lords brigade constabulary
borough
""")
# Capitalised words that start sentences or clauses and are never part of a speaker's name.
FUNCTION_CAPS = {
    "the", "a", "an", "in", "on", "at", "but", "and", "or", "so", "if", "when", "while",
    "during", "after", "before", "following", "according", "as", "for", "from", "with",
    "without", "this", "that", "these", "those", "it", "he", "she", "they", "we", "i", "you",
    "his", "her", "their", "our", "my", "its", "there", "here", "meanwhile", "however",
    "also", "still", "yet", "then", "now", "today", "yesterday", "tomorrow", "last", "next",
    "earlier", "later", "some", "many", "most", "all", "both", "each", "every", "no", "not",
    "by", "to", "of", "under", "over", "since", "until", "despite", "although", "though",
    "because", "instead", "why", "what", "who", "how", "where", "which", "speaking", "asked",
    "addressing", "writing", "talking", "responding", "mr", "mrs", "ms", "dr", "one", "two",
    "another", "other", "such", "even", "just", "only", "once", "thus", "hence", "indeed",
    "further", "furthermore", "moreover", "overall", "separately", "similarly", "likewise",
    "nevertheless", "nonetheless", "whether", "amid", "among", "between", "into",
    "about", "around", "through", "throughout", "within", "across", "against", "toward",
    "towards", "upon", "via", "per", "unlike", "like", "near", "outside", "inside", "beyond",
    "critics", "officials", "experts", "analysts", "sources", "residents", "police",
    "supporters", "opponents", "observers", "people", "others", "several", "few",
    "read", "said", "says", "told", "added", "yes", "oh", "ok", "okay", "well", "please",
}
CALENDAR = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "christmas", "easter",
}
# Capitalised common nouns that open a sentence before "of ORGANISATION".
SENTENCE_NOUNS = {"Shares", "Members", "Officials", "Staff", "Employees", "Workers", "Leaders",
                  "Executives", "Representatives", "Investors", "Analysts", "Lawyers",
                  "Spokespeople", "Researchers", "Scientists", "Students", "Fans", "Owners",
                  "Customers", "Users", "Parts", "Most", "Some", "Many", "Part", "Head"}
PRONOUNS = {"he": "m", "she": "f", "they": "p", "it": "o"}
POSTNOMINALS = {"kc", "qc", "mp", "mep", "msp", "ms", "obe", "mbe", "cbe", "phd", "md", "esq"}


def _bare(token: str) -> str:
    """Lower-case token without a trailing period: "Mr." -> "mr"."""
    return token.rstrip(".").lower()


def is_possessive(token: str) -> bool:
    return token.endswith(("’s", "'s", "’S", "'S")) or (
        len(token) > 2 and token[-1] in APOS and token[-2] in "sSzZ")


def strip_possessive(token: str) -> str:
    if token.endswith(("’s", "'s", "’S", "'S")):
        return token[:-2]
    if token and token[-1] in APOS:
        return token[:-1]
    return token


@dataclass(frozen=True, slots=True)
class Mention:
    """A parsed capitalised run: raw text, title tokens stripped, and what it looks like."""

    raw: str
    core: tuple[str, ...]
    titled: bool  # an honorific or job title preceded the name
    gender: str  # "m", "f" or ""
    org: bool
    roles: tuple[str, ...] = ()  # lower-case title words ("health", "secretary")

    @property
    def name(self) -> str:
        return " ".join(self.core)


def _clean(tokens: list[str]) -> tuple[str, ...]:
    out = [t if _is_abbrev(t) else t.rstrip(".") for t in tokens]
    return tuple(t for t in out if t)


def _is_org(lowered: list[str]) -> bool:
    return any(t in ORG_WORDS for t in lowered)


@functools.lru_cache(maxsize=4096)
def parse_run(raw: str) -> Mention | None:
    """Split a capitalised run into titles and core name; None when it cannot be a speaker.

    Titles are everything up to the last honorific/job/portfolio word, so
    "US Secretary of War Mr. Pete Hegseth" -> core ["Pete", "Hegseth"], titled.
    """
    tokens = raw.replace("\u00a0", " ").split()[-12:]  # longer runs are headlines, not names
    # A month or weekday ends whatever came before it: "in April Dorothy Kemp said".
    for i in range(len(tokens) - 2, -1, -1):
        if _bare(tokens[i]) in CALENDAR:
            tokens = tokens[i + 1:]
            break
    # Anything before a possessive belongs to the possessor ("India’s Defence Minister X"),
    # except inside an organisation's own name ("Cascade County Sheriff’s Office").
    for i in range(len(tokens) - 1, -1, -1):
        if is_possessive(tokens[i]):
            after = [_bare(t) for t in tokens[i + 1:]]
            if len(after) == 1 and after[0] in ORG_WORDS:
                break
            if after:
                tokens = tokens[i + 1:]
            else:
                tokens[i] = strip_possessive(tokens[i])
            break
    while tokens and ((_bare(tokens[0]) in FUNCTION_CAPS and _bare(tokens[0]) not in HONORIFICS)
                      or tokens[0].lower() in PARTICLES or tokens[0] in JOINERS):
        tokens = tokens[1:]
    while tokens and (tokens[-1].lower() in PARTICLES or tokens[-1] in JOINERS
                      or (len(tokens) > 1 and _bare(tokens[-1]) in POSTNOMINALS)):
        tokens = tokens[:-1]
    if not tokens:
        return None
    lowered = [_bare(t) for t in tokens]
    # "Prof Luis Ferreira of the University of Lisbon": a person from an organisation.
    if "of" in tokens or "at" in tokens:
        cut = next(i for i, t in enumerate(tokens) if t in ("of", "at"))
        left = parse_run(" ".join(tokens[:cut])) if cut else None
        if (left is not None and not left.org and (left.titled or len(left.core) >= 2)
                and _is_org(lowered[cut + 1:])):
            return left
        if cut and not _is_org(lowered[:cut]) and _is_org(lowered[cut + 1:]) and tokens[0] in (
                SENTENCE_NOUNS):
            return parse_run(" ".join(tokens[cut + 1:]))  # "Shares of Halvorsen Pharma"
    last_title = -1
    gender = ""
    for i, low in enumerate(lowered):
        if low in HONORIFICS or (low in DOMAIN_WORDS and i + 1 < len(lowered)):
            if HONORIFICS.get(low):
                gender = HONORIFICS[low]
            last_title = i
    # A title followed by a name is a person even with organisation words before it
    # ("Police Chief Daniel Okoro", "Bank of England Governor Andrew Bailey").
    titled_person = (0 <= last_title < len(tokens) - 1 and lowered[last_title] in HONORIFICS
                     and not _is_org(lowered[last_title + 1:]))
    bare0 = tokens[0].rstrip(".").replace(".", "")
    if not titled_person and (_is_org(lowered) or (
            len(tokens) == 1 and bare0.isupper() and len(bare0) >= 2)):
        return Mention(raw, _clean(tokens), False, "", True)
    core = tokens[last_title + 1:]
    if "and" in core or "&" in core:
        return None  # two people: no single speaker
    joins = [i for i, t in enumerate(core) if t in JOINERS]
    if joins:
        # "Tadesse Girma of Ethiopia" -> before; "Secretary of Labor Julie Su" -> after.
        core = core[:joins[0]] if joins[0] >= 2 else core[joins[-1] + 1:]
    while core and (core[0].lower() in PARTICLES or core[0] in JOINERS):
        core = core[1:]
    if not core or all(_bare(t) in CALENDAR for t in core):
        return None
    lead = 0
    while len(core) - lead > 2 and core[lead].replace(".", "").isupper():
        lead += 1  # "NASA Bill Nelson": an acronym before a name is an affiliation
    core = core[lead:]
    if len(core) > 4:
        core = core[-3:]
    roles = tuple(b for b in (_bare(t) for t in tokens[:last_title + 1])
                  if b not in COURTESY)
    return Mention(raw, _clean(core), last_title >= 0, gender, False, roles)


def ends_sentence(token: str) -> bool:
    """"Test." ends a sentence; "Mr.", "J." and "U.S." do not."""
    bare = token.rstrip(".")
    return token.endswith(".") and not (bare in ABBREV_TITLES or len(bare) == 1 or "." in bare)


def _is_abbrev(token: str) -> bool:
    """"J." or "U.S." keep their period; "Singh." at a sentence end does not."""
    bare = token.rstrip(".")
    return token.endswith(".") and (len(bare) == 1 or "." in bare)


@dataclass(slots=True)
class Entity:
    name: str
    kind: str  # "person" | "org"
    gender: str = ""
    first: int = 0
    titled: bool = False
    first_refs: int = 0  # later one-word mentions by the first word ("Korvane")
    last_refs: int = 0  # ... by the last word ("Beaulieu")
    roles: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Registry:
    """Full names and organisations in order of appearance, indexed by their tokens."""

    by_token: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    # Every resolved mention outside quotes: (pos, canonical name).
    mentions: list[tuple[int, str]] = field(default_factory=list)
    mention_pos: list[int] = field(default_factory=list)

    def add(self, pos: int, mention: Mention) -> Entity | None:
        name = mention.name
        if mention.org:
            ent = self.entities.get(name)
            if ent is None:
                ent = self.entities[name] = Entity(name, "org", "", pos)
                for tok in mention.core:
                    if tok.lower() not in PARTICLES and tok not in JOINERS:
                        self.by_token.setdefault(tok.lower(), []).append((pos, name))
            self._mention(pos, name)
            return ent
        resolved = self.lookup(mention, pos)
        if resolved is not None:
            ent = self.entities[resolved]
            if mention.gender and not ent.gender:
                ent.gender = mention.gender
            if mention.titled:
                ent.titled = True
                ent.roles.update(mention.roles)
            if len(mention.core) == 1 and ent.name != name:
                parts = ent.name.split()
                if mention.core[0] == parts[0]:
                    ent.first_refs += 1
                elif mention.core[0] == parts[-1]:
                    ent.last_refs += 1
            self._mention(pos, ent.name)
            return ent
        if len(mention.core) < 2 and not mention.titled:
            return None
        ent = self.entities[name] = Entity(name, "person", mention.gender, pos, mention.titled,
                                           roles=set(mention.roles))
        if len(mention.core) >= 2:
            for tok in mention.core:
                if tok.lower() not in PARTICLES and not _is_abbrev(tok):
                    self.by_token.setdefault(tok.lower(), []).append((pos, name))
        self._mention(pos, name)
        return ent

    def _mention(self, pos: int, name: str) -> None:
        self.mentions.append((pos, name))
        self.mention_pos.append(pos)

    def finish(self) -> None:
        """Names referred to by their first word, never with a title, are organisations."""
        for ent in self.entities.values():
            if (ent.kind == "person" and not ent.titled and ent.first_refs > ent.last_refs
                    and " " in ent.name):
                ent.kind = "org"

    def lookup(self, mention: Mention, pos: int, prefer: str | None = None) -> str | None:
        """The full name a short or titled mention refers to (latest earlier, else first later);
        `prefer="org"` picks an organisation among several fits ("Halvorsen said it …")."""
        name = mention.name
        if name in self.entities and (prefer is None or self.entities[name].kind == prefer):
            return name
        last = mention.core[-1].lower()
        cands = self.by_token.get(last)
        if not cands:
            return None
        core_low = [t.lower() for t in mention.core]
        fits = [c for c in cands[-20:]
                if all(t in c[1].lower().split() for t in core_low if not _is_abbrev(t))]
        if not fits:
            return None
        if prefer is not None:
            kinds = [c for c in fits if self.entities[c[1]].kind == prefer]
            fits = kinds or fits
        earlier = [c for c in fits if c[0] <= pos]
        return (earlier[-1] if earlier else fits[0])[1]

    def kind(self, name: str) -> str:
        ent = self.entities.get(name)
        return ent.kind if ent is not None else ""

    def recent(self, lo: int, hi: int) -> list[str]:
        """Canonical names mentioned in [lo, hi), in text order (at most 30)."""
        a = bisect.bisect_left(self.mention_pos, lo)
        b = bisect.bisect_left(self.mention_pos, hi)
        return [n for _, n in self.mentions[max(a, b - 30):b]]

    def org_by_head(self, head: str, pos: int, window: int = 4000) -> str | None:
        """"the ministry" -> latest organisation named with that word; "the company" -> the
        latest organisation mentioned at all (generic heads), within `window` characters."""
        names = self.recent(pos - window, pos)
        head = head.lower()
        for name in reversed(names):
            if self.kind(name) == "org" and head in name.lower().split():
                return name
        if head in GENERIC_ORG_HEADS:
            orgs = [n for n in reversed(names) if self.kind(n) == "org"]
            for name in orgs:
                if any(w.lower() in COMPANY_WORDS for w in name.split()):
                    return name
            if orgs:
                return orgs[0]
        return None


COMPANY_WORDS = {
    "corp", "corporation", "inc", "ltd", "llc", "plc", "co", "company", "group", "bank",
    "airlines", "airways", "motors", "holdings", "partners", "systems", "technologies", "labs",
    "laboratories", "media", "studios", "pharma", "pharmaceuticals", "therapeutics",
    "semiconductor", "semiconductors", "energy", "electric", "power", "foods", "mining",
    "resources", "capital", "research", "analytics", "software", "robotics", "logistics",
    "insurance", "telecom", "communications", "entertainment", "records", "games", "ai",
    "tech", "solutions", "enterprises", "ventures", "brands", "stores", "markets",
    "industries", "limited", "gmbh", "ag", "sa", "nv",
}
GENERIC_ORG_HEADS = {"company", "firm", "group", "organisation", "organization", "carmaker",
                     "airline", "insurer", "retailer", "manufacturer", "startup", "operator",
                     "developer", "lender", "bank", "charity", "business", "chain",
                     "publisher", "broadcaster", "network", "agency", "club", "team",
                     "utility", "producer", "distributor", "maker", "platform", "app",
                     "drugmaker", "automaker", "chipmaker", "miner", "supplier", "provider"}


# Walter “Buddy” Haines: first and last name around a (masked) nickname.
_NICKNAME = re.compile(rf"({CAP_TOKEN}) [“\"‘'«]\x00+[”\"’'»] ({CAP_TOKEN})")


def build_registry(shadow: str) -> Registry:
    """One pass over every capitalised run outside quotes."""
    reg = Registry()
    nicknames = {}
    if "\x00" in shadow:
        for m in _NICKNAME.finditer(shadow):
            mention = parse_run(f"{m.group(1)} {m.group(2)}")
            if mention is not None and not mention.org:
                nicknames[m.start()] = mention
    for at, run in name_runs(shadow):
        if at in nicknames:
            reg.add(at, nicknames.pop(at))
        mention = parse_run(run)
        if mention is not None:
            reg.add(at, mention)
        elif " and " in run:  # "Reyes and Achebe": two names
            for part in run.split(" and "):
                sub = parse_run(part)
                if sub is not None:
                    reg.add(at, sub)
                at += len(part) + 5
    reg.finish()
    return reg
