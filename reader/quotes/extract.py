"""Direct-quotation extractor with speaker attribution, pure stdlib and linear in the text.

Pipeline (see ../notes/quotes.md §2): paragraphs -> quote marks paired into top-level spans
(`marks`) -> a shadow copy of the body with quote contents masked -> sentence starts, speech
cues and a registry of names built once -> per quote: kind by position and length, speaker
by a sieve of high-precision rules (`attribute`). Offsets always index the original body.

There is no `title` kind: a short Title-Case quotation in mid-sentence (“The Salt Road”,
“Operation Sindoor”) is a work's or a thing's name, so it is kept as a `phrase` with no
speaker (nobody said it). Quotes that open a sentence are never treated as titles.

`confidence` is the sieve's confidence in the speaker (0.95 for `“Q,” said S` down to 0.6
for a floating quote), 0.3 for a span with no speaker, times 0.6 when the quote is unclosed
and 0.7 when it is suspiciously long (over 2,000 characters).
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass

from reader.quotes.attribute import (
    CONF,
    MASK,
    Attribution,
    Doc,
    build_timeline,
    colon_lead,
    find_cues,
    post_posed,
    pre_posed,
    sentence_starts,
)
from reader.quotes.marks import Span, pair_marks, paragraphs
from reader.quotes.names import build_registry, name_runs, parse_run

log = logging.getLogger(__name__)

KINDS = ("full", "partial", "phrase")
_WORD = re.compile(r"[^\W_]+(?:[’'\-][^\W_]+)*")
_WORDCHAR = re.compile(r"[^\W_]")
_ACCORDING = re.compile(r"\b[Aa]ccording to\b")
_MODALS = {
    "would", "will", "could", "can", "should", "shall", "may", "might", "must", "to", "be",
    "been", "being", "not", "never", "is", "are", "was", "were", "has", "have", "had", "did",
    "does", "do", "cannot", "would’ve", "’d", "’ll", "also", "only", "help", "let",
}
_DET_PREP = {
    "a", "an", "the", "its", "their", "his", "her", "our", "my", "your", "this", "these",
    "those", "of", "for", "as", "into", "about", "in", "on", "at", "with", "by", "from",
    "called", "dubbed", "termed", "so-called", "branded", "labelled", "labeled", "described",
    "deemed", "some", "any", "no", "very", "more", "most", "less", "what", "such", "like",
    "than", "and", "or", "nor", "but", "every", "each", "another", "other", "new",
    "self-described", "self-styled", "supposed", "alleged", "against", "toward", "towards",
    "over", "under", "through", "without", "within", "amid", "via", "per", "two", "three",
}
_NAMING = {"called", "dubbed", "termed", "branded", "labelled", "labeled", "described",
           "deemed", "so-called", "self-described", "self-styled"}
_DETERMINER_START = {"a", "an", "the", "this", "these", "those", "its", "their", "his", "her",
                     "our", "my", "your", "some", "no", "any", "every", "each"}
_FINITE = {
    "is", "are", "was", "were", "am", "will", "would", "has", "have", "had", "can", "could",
    "should", "shall", "may", "might", "must", "do", "does", "did", "won’t", "can’t",
    "don’t", "doesn’t", "didn’t", "isn’t", "aren’t", "wasn’t", "weren’t", "won't", "can't",
    "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "i’m", "it’s",
    "we’re", "they’re", "we’ll", "we’ve", "i’ve", "i’ll", "let’s", "i'm", "it's", "we're",
    "they're", "we'll", "we've", "i've", "i'll", "let's", "that’s", "that's", "there’s",
    "there's", "he’s", "she’s", "he's", "she's", "you’re", "you're", "cannot", "need",
    "want", "think", "believe", "know", "hope", "feel",
}
_CLAUSE_START = {
    "because", "as", "if", "when", "while", "although", "though", "since", "unless", "until",
    "whether", "where", "once", "so", "above", "below", "beyond", "despite", "without",
    "within", "before", "after", "than", "to", "not", "never", "only", "even", "still",
}
# Words ending in -ing/-ly that do not open a verb or adverb phrase.
_NOT_VERBS = {"nothing", "something", "anything", "everything", "evening", "morning",
              "thing", "things", "king", "spring", "string", "wedding", "building", "meeting",
              "funding", "housing", "ceiling", "feeling", "darling", "sibling", "offspring",
              "family", "early", "only", "holy", "ugly", "daily", "likely", "lonely",
              "lovely", "friendly", "elderly", "italy", "july", "ally", "rally", "belly",
              "bully", "jelly", "supply", "reply", "apply", "fly", "wholly"}
_SUBJECT_START = {"i", "we", "you", "he", "she", "they", "it", "there", "this", "that"}


@dataclass(frozen=True, slots=True)
class ExtractedQuote:
    text: str  # verbatim; paragraphs of a multi-paragraph quote joined with "\n\n"
    start: int  # first character after the opening mark
    end: int  # just before the final closing mark (body[start:end] == text in one paragraph)
    kind: str  # "full" | "partial" | "phrase"
    speaker: str  # canonical full name or organisation, "" when the text does not say
    speaker_mention: str  # raw mention ("Mr. Hegseth", "He")
    speaker_type: str  # "person" | "org" | ""
    cue: str  # speech verb found ("said", "stating") or ""
    confidence: float  # 0..1
    unclosed: bool
    paragraph: int  # 0-based paragraph of the body where the quote starts


def extract_quotes(body: str) -> list[ExtractedQuote]:
    """Every direct quotation in an article body, sorted by start; never raises."""
    if not isinstance(body, str) or not body:
        return []
    try:
        return extract_quotes_strict(body)
    except Exception:  # a safety net: the property tests exercise the strict path
        log.exception("quote extraction failed; returning spans without speakers")
        try:
            return _spans_only(body)
        except Exception:
            return []


def extract_quotes_strict(body: str) -> list[ExtractedQuote]:
    """The extractor without the safety net (tests call this to see real failures)."""
    paras = paragraphs(body)
    spans, _uk = pair_marks(body, paras)
    if not spans:
        return []
    shadow = mask(body, spans)
    cues = find_cues(shadow)
    doc = Doc(body=body, shadow=shadow, paras=paras, para_starts=[p[0] for p in paras],
              sent_starts=sentence_starts(shadow, paras), cues=cues,
              cue_starts=[c[1] for c in cues], registry=build_registry(shadow))
    build_timeline(doc)
    out: list[ExtractedQuote] = []
    prev: tuple[Span, Attribution] | None = None
    for sp in spans:
        text = "\n\n".join(body[s:e] for s, e in sp.pieces)
        ss = doc.sentence_start(sp.open_pos)
        initial = doc.opens_sentence(ss, sp.open_pos)
        if not initial and is_title(text):
            kind, attr = "phrase", Attribution()  # a work's title or a name: nobody said it
        else:
            kind = classify(doc, sp, text, ss, initial)
            attr = attribute_quote(doc, sp, text, ss, initial, prev)
        out.append(_record(doc, sp, text, kind, attr))
        if attr.speaker:
            doc.said.append((sp.open_pos, attr.speaker, attr.type, attr.gender))
        prev = (sp, attr)
    return out


def _record(doc: Doc, sp: Span, text: str, kind: str, attr: Attribution) -> ExtractedQuote:
    conf = attr.confidence if attr.speaker else 0.3
    if sp.unclosed:
        conf *= 0.6
    if len(text) > 2000:
        conf *= 0.7
    start, end = sp.pieces[0][0], sp.pieces[-1][1]
    return ExtractedQuote(
        text=text, start=start, end=end, kind=kind, speaker=attr.speaker,
        speaker_mention=attr.mention if attr.speaker else "",
        speaker_type=attr.type if attr.speaker else "", cue=attr.cue,
        confidence=round(max(0.0, min(1.0, conf)), 3), unclosed=sp.unclosed,
        paragraph=doc.para_of(start),
    )


def _spans_only(body: str) -> list[ExtractedQuote]:
    """Fallback when attribution fails: the spans still reach the user, unattributed."""
    paras = paragraphs(body)
    spans, _ = pair_marks(body, paras)
    starts = [p[0] for p in paras]
    out = []
    for sp in spans:
        text = "\n\n".join(body[s:e] for s, e in sp.pieces)
        para = bisect.bisect_right(starts, sp.pieces[0][0]) - 1
        out.append(ExtractedQuote(text, sp.pieces[0][0], sp.pieces[-1][1], "full", "", "", "",
                                  "", 0.1, sp.unclosed, max(0, para)))
    return out


def mask(body: str, spans: list[Span]) -> str:
    """Same-length copy of the body with quote contents replaced by MASK.

    Sentence-final punctuation at the end of a quote is kept so sentence splitting still
    sees `“We won.” He left.` as two sentences.
    """
    parts: list[str] = []
    pos = 0
    for sp in spans:
        for s, e in sp.pieces:
            parts.append(body[pos:s])
            seg = body[s:e]
            tail = len(seg) - len(seg.rstrip(".!?…’”'\"»›)"))
            if tail and not any(c in ".!?…" for c in seg[len(seg) - tail:]):
                tail = 0
            parts.append(MASK * (len(seg) - tail))
            parts.append(seg[len(seg) - tail:])
            pos = e
    parts.append(body[pos:])
    return "".join(parts)


_TITLE_SMALL = {"a", "an", "the", "and", "or", "nor", "but", "of", "in", "on", "at", "to",
                "for", "with", "by", "from", "as", "into", "vs", "v", "de", "la", "le", "du"}


def is_title(text: str) -> bool:
    """“The Salt Road”, “Tape Hiss and Thunder: The Millbrook Sessions”: Title Case, short."""
    words = _words(text, 12)
    if not words or len(words) > 10 or not words[0][0].isupper():
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _TITLE_SMALL for w in words)


# --- kind ----------------------------------------------------------------------------------

def _words(text: str, limit: int = 40) -> list[str]:
    out = []
    for m in _WORD.finditer(text):
        out.append(m.group())
        if len(out) >= limit:
            break
    return out


def _has_finite(words: list[str]) -> bool:
    low = [w.lower() for w in words]
    if any(w in _FINITE for w in low):
        return True
    return len(low) >= 2 and low[0] in _SUBJECT_START


def classify(doc: Doc, sp: Span, text: str, ss: int, initial: bool) -> str:
    """full / partial / phrase by position first, then shape and length (quotes.md §2.4).

    full: opens a sentence, or follows `:`, `said,` or a long clause after "that";
    partial: a predicate finishing the reporter's sentence (after "would", "to", "was",
    or opening with a verb, adverb or "because"); phrase: a scare quote or short noun phrase.
    """
    if initial:
        return "full"
    shadow = doc.shadow
    before = shadow[max(ss, sp.open_pos - 120):sp.open_pos].rstrip()
    words = _words(text)
    n = len(words)
    first = _WORDCHAR.search(text)
    upper = bool(first) and first.group().isupper()
    if before.endswith(":"):
        return "full"
    prev_words = _words(before[-40:])
    pw = prev_words[-1].lower() if prev_words else ""
    cues = doc.cues_between(ss, sp.open_pos)
    cue_near = bool(cues) and sp.open_pos - cues[-1][2] < 40
    if before.endswith(",") and (cue_near or _ACCORDING.search(before)):
        return "full"  # `X said, “…”`, `According to X, “…”`
    if pw in ("that", "whether"):
        if n >= 6 or _has_finite(words):
            return "full"
        return "phrase"
    first_word = words[0].lower() if words else ""
    if n == 1 and not upper:
        return "phrase"  # a scare quote: had ‘validated’ their lists
    np_start = first_word in _DETERMINER_START or first_word[:1].isdigit()
    if pw in _MODALS and not upper:
        return "phrase" if n <= 6 and np_start else "partial"
    if not upper and (first_word in _CLAUSE_START or first_word in _FINITE
                      or (_verbish(first_word) and n >= 3)):
        return "partial"  # ‘because everyone expected me to wait’, ‘fully committed to Ohio’
    if n <= 8 and (np_start or (pw in _DET_PREP and pw not in _NAMING)) and not (
            _has_finite(words[:2])):
        return "phrase"  # a noun phrase: forced into ‘choices no council should have to make’
    if n <= 3 and not upper:
        return "phrase"
    if n <= 6 and (pw in _DET_PREP or pw.endswith("-called")
                   or (not upper and not _has_finite(words))):
        return "phrase"
    if upper and cue_near:
        return "full"
    if n <= 6:
        return "phrase"
    return "full" if upper and _has_finite(words) else "partial"


def _verbish(word: str) -> bool:
    """A verb or adverb opening a quote ("tarring the whole service", "fully committed")."""
    if word in _NOT_VERBS:
        return False
    return (word.endswith("ing") and len(word) > 4) or (word.endswith("ly") and len(word) > 4)


# --- attribution ---------------------------------------------------------------------------

def attribute_quote(doc: Doc, sp: Span, text: str, ss: int, initial: bool,
                    prev: tuple[Span, Attribution] | None) -> Attribution:
    """The sieve (quotes.md §2.5): post-posed, pre-posed, according to, pronoun, floating."""
    _, last_pe = doc.paras[sp.last_para]
    last_char = text.rstrip("’”'\"»›)").rstrip()[-1:]
    if not sp.unclosed and (initial or last_char != "."):
        hit = post_posed(doc, sp.close_end, last_pe)
        if hit is not None:
            return hit
    hit = pre_posed(doc, ss, sp.open_pos)
    if hit is not None:
        return hit
    ps = doc.paras[sp.para][0]
    if initial and doc.opens_sentence(ps, sp.open_pos):
        hit = colon_lead(doc, sp.para)
        if hit is not None:
            return hit
    if initial and prev is not None:
        psp, pattr = prev
        if (pattr.speaker and sp.para - psp.last_para <= 1
                and not _intervening(doc, doc.sentence_end(max(psp.close_end - 1, 0)),
                                     sp.open_pos, pattr.speaker)):
            return Attribution(pattr.speaker, pattr.mention, pattr.type, "",
                               CONF["floating"], "floating", pattr.gender)
    return Attribution()


def _intervening(doc: Doc, a: int, b: int, speaker: str) -> bool:
    """Someone else is named or speaks between two quotes: do not carry the speaker over."""
    if b - a > 1500:
        return True
    for word, start, _ in doc.cues_between(a, b):
        if word.endswith("ing"):
            continue
        i = bisect.bisect_left(doc.timeline_pos, start)
        if i >= len(doc.timeline) or doc.timeline_pos[i] != start or (
                doc.timeline[i][1] != speaker):
            return True
    for at, run in name_runs(doc.shadow, a, b):
        mention = parse_run(run)
        if mention is None or mention.org:
            continue
        full = doc.registry.lookup(mention, at)
        if full is not None and full != speaker:
            return True
        if full is None and (mention.titled or len(mention.core) >= 2):
            return True
    return False
