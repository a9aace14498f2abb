"""The text of an explanation (:meth:`pairing.explain.Explanation.text`), in
Chinese or English, as the reports are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .score import TERMS

if TYPE_CHECKING:
    from ._explain_types import Explanation

_HEAD = {
    "village": ("村 {id} 的包村单位：{chosen}", "Village {id} is led by unit {chosen}"),
    "household": (
        "贫困户 {id} 的帮扶责任人：{chosen}",
        "Household {id} has responsible {chosen}",
    ),
}
_WORDS = {
    "value": ("分项得分", "value by term"),
    "total": ("合计", "total"),
    "alternatives": ("可替代的选择（按得分）", "alternatives (best value first)"),
    "estimate": ("初步估计（仅本村）", "first estimate (this village alone)"),
    "cost": ("切换代价（精确）", "switching cost (exact)"),
    "bound": ("切换代价（上界，未证明最优）", "switching cost (at most; not proved)"),
    "none": ("无法切换", "no switch possible"),
    "moves": ("需随之调整", "would also move"),
    "ruled": ("不能承担的单位及原因", "ruled out, and why"),
}


def _label(term: str, zh: bool) -> str:
    rule, lzh, len_ = TERMS.get(term, ("", term, term))
    return f"{rule} {lzh if zh else len_}".strip()


def explanation_text(e: Explanation, lang: str = "en") -> str:
    """The explanation as readable lines."""
    zh = lang == "zh"
    i = 0 if zh else 1
    lines = [_HEAD[e.kind][i].format(id=e.id, chosen=e.chosen or "—")]
    if e.terms:
        lines.append(f"  {_WORDS['value'][i]}:")
        lines += [f"    {_label(t, zh):<40} {v:>12,.1f}" for t, v in e.terms.items()]
        lines.append(f"    {_WORDS['total'][i]:<40} {e.value:>12,.1f}")
    if e.alternatives:
        lines.append(f"  {_WORDS['alternatives'][i]}:")
    for a in e.alternatives:
        value = sum(a.terms.values())
        if a.cost is None:
            cost = _WORDS["none"][i]
        else:
            word = _WORDS["cost" if a.status == "optimal" else "bound"][i]
            cost = f"{word} {a.cost:,.1f}"
        lines.append(
            f"    {a.id}: {value:,.1f}; {_WORDS['estimate'][i]} {a.estimate:,.1f}; "
            f"{cost} — {a.note[i]}"
        )
        for vid, before, after in a.moves[:10]:
            lines.append(f"      {_WORDS['moves'][i]}: {vid} {before} → {after}")
        if len(a.moves) > 10:
            lines.append(f"      … (+{len(a.moves) - 10})")
    if e.ruled_out:
        lines.append(f"  {_WORDS['ruled'][i]}:")
        for r in e.ruled_out:
            who = f"{r.id} " if r.id else ""
            rule = f"[{r.rule}] " if r.rule else ""
            lines.append(f"    {rule}{who}{r.why[i]}")
    for note in e.notes:
        lines.append(f"  ({note[i]})")
    return "\n".join(lines)
