"""Score extract_quotes on the hand-annotated gold set in tests/data/gold/.

Each NAME.txt (plain-text article layout) has NAME.json = {"quotes": [{"text", "speaker",
"kind"}, ...]} in body order. Spans match by exact text (multiset, so repeated titles
count once each); speaker accuracy is over matched spans, and an empty expected speaker
must be matched by an empty one (abstaining is part of the contract).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reader.quotes import extract_quotes
from reader.text.articles import parse_plain_article

GOLD = Path(__file__).parent / "data" / "gold"
MIN_PRECISION = 0.98
MIN_RECALL = 0.95
MIN_SPEAKER = 0.92


@dataclass
class Score:
    gold: int = 0
    found: int = 0
    matched: int = 0
    speaker_ok: int = 0
    kind_ok: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_ok / self.matched if self.matched else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_ok / self.matched if self.matched else 1.0


def gold_names() -> list[str]:
    return sorted(p.stem for p in GOLD.glob("*.json") if (GOLD / f"{p.stem}.txt").exists())


def score_article(name: str, score: Score) -> None:
    body = parse_plain_article((GOLD / f"{name}.txt").read_text(encoding="utf-8")).body
    expected = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))["quotes"]
    found = extract_quotes(body)
    score.gold += len(expected)
    score.found += len(found)
    pool: dict[str, list] = {}
    for q in found:
        pool.setdefault(q.text, []).append(q)
    for exp in expected:
        cands = pool.get(exp["text"])
        if not cands:
            score.misses.append(f"{name}: MISSED {exp['text']!r}")
            continue
        got = cands.pop(0)
        score.matched += 1
        if got.speaker == (exp.get("speaker") or ""):
            score.speaker_ok += 1
        else:
            score.misses.append(f"{name}: SPEAKER {exp['text'][:50]!r} "
                                f"want {exp.get('speaker')!r} got {got.speaker!r}")
        if got.kind == exp.get("kind"):
            score.kind_ok += 1
        else:
            score.misses.append(f"{name}: kind {exp['text'][:50]!r} "
                                f"want {exp.get('kind')} got {got.kind}")
    extra = Counter({t: len(v) for t, v in pool.items() if v})
    for text, count in extra.items():
        score.misses.append(f"{name}: EXTRA x{count} {text[:60]!r}")


def score_all() -> Score:
    score = Score()
    for name in gold_names():
        score_article(name, score)
    return score


def report(score: Score) -> str:
    lines = [f"gold articles={len(gold_names())} quotes={score.gold} found={score.found} "
             f"matched={score.matched}",
             f"precision={score.precision:.3f} recall={score.recall:.3f} "
             f"speaker={score.speaker_accuracy:.3f} kind={score.kind_accuracy:.3f}"]
    lines += score.misses
    return "\n".join(lines)


@pytest.mark.skipif(not gold_names(), reason="gold set not written yet")
def test_gold_scores() -> None:
    score = score_all()
    print(report(score))
    assert score.precision >= MIN_PRECISION, report(score)
    assert score.recall >= MIN_RECALL, report(score)
    assert score.speaker_accuracy >= MIN_SPEAKER, report(score)


if __name__ == "__main__":
    print(report(score_all()))
