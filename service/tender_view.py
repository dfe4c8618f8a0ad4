"""A document's tender fields as the result card, the precedents page and the API show them.

The stored fields (`extra.fields`, docs/fields.md) hold codes and numbers; a member reads labels: the CPV
division's official name, the procedure's name, an amount in its currency, criteria with their weights. Only
what the document states is shown; a document without fields gets no block at all.
"""

from __future__ import annotations

from typing import Any

from index.cpv import division_label
from index.similar import Precedent
from ingest.fields.record import TenderFields, fields_from_metadata

SIDE_BY_SIDE = 4  # precedents whose criteria are set beside the source's

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "tender_fields": "Données du marché",
        "cpv": "Codes CPV",
        "procedure": "Procédure",
        "value": "Montant",
        "deadline": "Date limite",
        "criteria": "Critères d'attribution",
        "awardees": "Attributaire",
        "lots": "Lots",
        "filter_cpv": "Code CPV",
        "filter_cpv_hint": "Un code trouve ses sous-codes : 39100000 trouve 39110000.",
        "filter_cpv_division": "Catégorie d'achat (division CPV)",
        "filter_procedure": "Procédure",
        "filter_value": "Montant (dans la devise de l'avis, sans conversion)",
        "value_min": "Montant minimum",
        "value_max": "Montant maximum",
        "filter_currency": "Devise",
        "filter_deadline": "Date limite de remise des offres",
        "deadline_from": "À partir du",
        "deadline_to": "Jusqu'au",
        "why_similar": "Pourquoi",
        "shared_cpv": "même catégorie d'achat (CPV)",
        "same_buyer": "même acheteur",
        "same_procurement": "même consultation",
        "shared_criteria": "mêmes critères",
        "criteria_side": "Critères d'attribution côte à côte",
        "this_document": "Ce document",
        "kind_estimated": "estimé",
        "kind_maximum": "maximum",
        "kind_awarded": "attribué",
    },
    "en": {
        "tender_fields": "Tender data",
        "cpv": "CPV codes",
        "procedure": "Procedure",
        "value": "Value",
        "deadline": "Deadline",
        "criteria": "Award criteria",
        "awardees": "Awarded to",
        "lots": "Lots",
        "filter_cpv": "CPV code",
        "filter_cpv_hint": "A code finds its sub-codes: 39100000 finds 39110000.",
        "filter_cpv_division": "Purchase category (CPV division)",
        "filter_procedure": "Procedure",
        "filter_value": "Value (in the notice's currency, not converted)",
        "value_min": "Minimum value",
        "value_max": "Maximum value",
        "filter_currency": "Currency",
        "filter_deadline": "Tender deadline",
        "deadline_from": "From",
        "deadline_to": "To",
        "why_similar": "Why",
        "shared_cpv": "same purchase category (CPV)",
        "same_buyer": "same buyer",
        "same_procurement": "same procurement",
        "shared_criteria": "same criteria",
        "criteria_side": "Award criteria side by side",
        "this_document": "This document",
        "kind_estimated": "estimated",
        "kind_maximum": "maximum",
        "kind_awarded": "awarded",
    },
}

PROCEDURE_NAMES: dict[str, dict[str, str]] = {
    "fr": {
        "open": "Appel d'offres ouvert",
        "restricted": "Appel d'offres restreint",
        "neg-w-call": "Procédure négociée avec mise en concurrence",
        "neg-wo-call": "Procédure négociée sans mise en concurrence",
        "comp-dial": "Dialogue compétitif",
        "innovation": "Partenariat d'innovation",
        "adapted": "Procédure adaptée (MAPA)",
        "simplified": "Procédure simplifiée",
        "schedule": "Commande sur catalogue (GSA Schedule)",
        "oth-single": "Autre procédure en une étape",
        "oth-mult": "Autre procédure en plusieurs étapes",
    },
    "en": {
        "open": "Open procedure",
        "restricted": "Restricted procedure",
        "neg-w-call": "Competitive procedure with negotiation",
        "neg-wo-call": "Negotiated without prior call",
        "comp-dial": "Competitive dialogue",
        "innovation": "Innovation partnership",
        "adapted": "Adapted procedure (below thresholds)",
        "simplified": "Simplified procedure",
        "schedule": "Schedule order (GSA)",
        "oth-single": "Other single-stage procedure",
        "oth-mult": "Other multiple-stage procedure",
    },
}

CATEGORY_NAMES: dict[str, dict[str, str]] = {  # ingest.fields.record.CRITERION_CATEGORIES
    "fr": {
        "price": "prix",
        "cost": "coût",
        "quality": "qualité",
        "technical": "valeur technique",
        "environment": "environnement",
        "social": "social",
        "delivery": "délais",
        "other": "autre",
    },
    "en": {
        "price": "price",
        "cost": "cost",
        "quality": "quality",
        "technical": "technical merit",
        "environment": "environment",
        "social": "social",
        "delivery": "delivery",
        "other": "other",
    },
}
CURRENCY_SIGNS = {"EUR": "€", "GBP": "£", "USD": "$"}


def money(amount: float, currency: str, ui: str) -> str:
    """'60 000 €' in French, '€60,000' in English; other currencies by their code."""
    whole = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    sign = CURRENCY_SIGNS.get(currency)
    if ui == "fr":
        whole = whole.replace(",", "\u202f").replace(".", ",")
        return f"{whole} {sign or currency}"
    return f"{sign}{whole}" if sign else f"{whole} {currency}"


def cpv_entries(codes: list[str], ui: str) -> list[dict[str, str]]:
    """Each code, main code first, with its division's label after the first code of that division."""
    out, labelled = [], set()
    for code in codes:
        label = "" if code[:2] in labelled else division_label(code[:2], ui) or ""
        labelled.add(code[:2])
        out.append({"code": code, "division": code[:2], "label": label})
    return out


def criteria_entries(fields: TenderFields) -> list[dict[str, str]]:
    """'Prix 40 %' entries (points are shown as they are written: 'Prix 60')."""
    return [
        {"name": c.name, "category": c.category, "weight": f"{c.weight:g}" if c.weight is not None else ""}
        for c in fields.criteria
    ]


def tender_view(extra: dict[str, object], ui: str) -> dict[str, object] | None:
    """What the card shows of a document's tender fields, in `ui`; None when it states none."""
    try:
        fields = fields_from_metadata(extra.get("fields"))
    except Exception:  # noqa: BLE001 - a record written by another version: the card goes without it
        return None
    if fields.is_empty():
        return None
    words = WORDS[ui]
    values = [f"{money(v.amount, v.currency, ui)} ({words.get('kind_' + v.kind, v.kind)})" for v in fields.values[:3]]
    return {
        "cpv": cpv_entries(fields.cpv[:4], ui),
        "cpv_more": max(0, len(fields.cpv) - 4),
        "procedure": PROCEDURE_NAMES[ui].get(fields.procedure or "", fields.procedure) if fields.procedure else None,
        "values": values,
        "deadline": fields.deadline,
        "criteria": criteria_entries(fields),
        "awardees": list(fields.awardees[:3]),
        "lots": len(fields.lots),
    }


def why_similar(precedent: Precedent, ui: str) -> list[str]:
    """The reasons a precedent is shown, in `ui`: same procurement, shared CPV with its label, buyer, criteria."""
    words, kin = WORDS[ui], precedent.kinship
    reasons = [words["same_procurement"]] if precedent.same_procurement else []
    for prefix in kin.shared_cpv:
        reasons.append(f"{words['shared_cpv']} {prefix} · {division_label(prefix[:2], ui) or prefix[:2]}")
    if kin.same_buyer:
        reasons.append(words["same_buyer"])
    if kin.shared_criteria:
        names = [CATEGORY_NAMES[ui].get(c, c) for c in kin.shared_criteria]
        reasons.append(f"{words['shared_criteria']}{' :' if ui == 'fr' else ':'} {', '.join(names)}")
    return reasons


def criteria_side_by_side(source: dict[str, Any], cards: list[dict[str, Any]]) -> list[dict[str, object]]:
    """Columns for the criteria table: the source, then the first precedents that state criteria."""
    columns = []
    for card in [source] + [c for c in cards if (c.get("tender") or {}).get("criteria")][:SIDE_BY_SIDE]:
        tender = card.get("tender") or {}
        columns.append({"card": card, "criteria": tender.get("criteria") or []})
    return columns if len(columns) > 1 and columns[0]["criteria"] else []
