"""The speech-cue lexicon: inflected forms of verbs that introduce quoted speech.

A plain set of surface forms (no tagger): lookups are O(1) per word. Verbs whose base form
is more often a noun ("post", "note", "claim") contribute only their past and -ing forms.
"""

from __future__ import annotations


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# lemma: (3rd person, past, past participle, -ing); None = regular inflection.
_IRREGULAR = {
    "say": ("says", "said", "said", "saying"),
    "tell": ("tells", "told", "told", "telling"),
    "write": ("writes", "wrote", "written", "writing"),
    "speak": ("speaks", "spoke", "spoken", "speaking"),
    "cry": ("cries", "cried", "cried", "crying"),
    "reply": ("replies", "replied", "replied", "replying"),
    "deny": ("denies", "denied", "denied", "denying"),
    "testify": ("testifies", "testified", "testified", "testifying"),
    "clarify": ("clarifies", "clarified", "clarified", "clarifying"),
    "imply": ("implies", "implied", "implied", "implying"),
    "quip": ("quips", "quipped", "quipped", "quipping"),
    "snap": ("snaps", "snapped", "snapped", "snapping"),
    "slam": ("slams", "slammed", "slammed", "slamming"),
    "dub": ("dubs", "dubbed", "dubbed", "dubbing"),
    "pen": ("pens", "penned", "penned", "penning"),
    "admit": ("admits", "admitted", "admitted", "admitting"),
    "regret": ("regrets", "regretted", "regretted", "regretting"),
    "label": ("labels", "labelled", "labelled", "labelling"),
    "signal": ("signals", "signalled", "signalled", "signalling"),
    "broadcast": ("broadcasts", "broadcast", "broadcast", "broadcasting"),
    "forecast": ("forecasts", "forecast", "forecast", "forecasting"),
    "retweet": ("retweets", "retweeted", "retweeted", "retweeting"),
    "blog": ("blogs", "blogged", "blogged", "blogging"),
    "chat": ("chats", "chatted", "chatted", "chatting"),
    "plead": ("pleads", "pleaded", "pleaded", "pleading"),
    "swear": ("swears", "swore", "sworn", "swearing"),
    "reassure": ("reassures", "reassured", "reassured", "reassuring"),
    "concur": ("concurs", "concurred", "concurred", "concurring"),
    "refer": ("refers", "referred", "referred", "referring"),
    "agree": ("agrees", "agreed", "agreed", "agreeing"),
    "disagree": ("disagrees", "disagreed", "disagreed", "disagreeing"),
    "rebut": ("rebuts", "rebutted", "rebutted", "rebutting"),
}
# Verbs used as speech cues in news copy (base form, regular or listed above).
_VERBS = """
say tell add state express underline underscore emphasise emphasize stress reiterate post
tweet retweet write ask reply explain note argue claim declare announce describe comment
remark observe admit acknowledge concede confirm deny assert maintain contend insist warn
caution recall recount repeat continue answer respond retort quip joke exclaim shout yell
scream whisper mutter murmur cry plead urge demand vow promise pledge predict conclude
boast complain lament criticise criticize slam blast hail praise accuse allege testify
inform report reveal disclose agree disagree counter rebut object protest question wonder
muse sigh laugh chuckle affirm reaffirm proclaim profess indicate mention cite reflect
reason speculate estimate confess grumble snap thunder gush enthuse rave rant fume assure
reassure advise instruct hint imply posit opine pronounce broadcast blog message text email
elaborate clarify summarise summarize highlight point call label brand dub term welcome
condemn decry denounce dismiss defend suggest propose recommend signal appeal tout
characterise characterize pen concur interject interrupt scoff shrug acknowledge regret
apologise apologize swear lash thank share caution speak chat recollect rule
"""
# Base and third-person forms skipped because they are usually nouns in news copy.
_NOUNISH = _wordset("""
state stress post tweet retweet note claim comment remark caution answer quip joke shout
whisper cry demand vow promise pledge slam blast hail praise report counter object protest
question muse sigh laugh snap thunder rave rant fume hint message text email highlight point
call label brand dub term welcome signal appeal pen scoff shrug regret share chat blog
estimate forecast broadcast lash thank reason speak
""")


def _regular(verb: str) -> tuple[str, str, str, str]:
    if verb.endswith("e"):
        return verb + "s", verb + "d", verb + "d", verb[:-1] + "ing"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies", verb[:-1] + "ied", verb[:-1] + "ied", verb + "ing"
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        return verb + "es", verb + "ed", verb + "ed", verb + "ing"
    return verb + "s", verb + "ed", verb + "ed", verb + "ing"


def _forms() -> frozenset[str]:
    out: set[str] = set()
    for verb in _VERBS.split():
        third, past, part, ing = _IRREGULAR.get(verb) or _regular(verb)
        if verb not in _NOUNISH:
            out.update((verb, third))
        out.update((past, part, ing))
    # "calling"/"pointing"/"sharing"/"thanking"/"speaking" alone are not quote cues.
    out -= {"calling", "pointing", "sharing", "thanking", "speaking", "spoken", "continuing",
            "questioning", "texting", "messaging", "emailing", "welcoming", "defending",
            "reasoning", "calls", "points", "shares", "speaks", "wondering", "blogging",
            "chatting", "posting", "signalling", "appealing", "suggesting", "proposing",
            "recommending", "dismissing", "touting", "estimating", "forecasting", "promising",
            "crying", "reflecting", "indicating", "citing", "protesting", "blasting"}
    return frozenset(out)


CUE_FORMS = _forms()


def is_cue(word: str) -> bool:
    """A lower-case surface form ("said", "adding", "underlined") that introduces speech."""
    return word in CUE_FORMS


def is_participle(word: str) -> bool:
    """"adding", "stating": no subject of their own, they share the main clause's."""
    return word.endswith("ing")
