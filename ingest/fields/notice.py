"""Tender fields of an eForms notice, read from its XML structure (every field the notice carries).

Structured notices need no guessing: buyer (the first contracting party), CPV (the project's main
code, then every additional and lot code), procedure code, lots, award criteria with their weights
(percentages `per-*` or points `poi-*`), estimated values (notice and lots), awarded values and
winners (award notices), publication date (else the date of issue) and the earliest tender deadline.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from ingest.converters.eforms import CAC, CBC, EFAC, EFBC, _Notice
from ingest.fields.record import PROCEDURES, Amount, Criterion, Lot, TenderFields

_CATEGORIES = {"price": "price", "cost": "cost", "quality": "quality"}


def _date(value: str | None) -> str | None:
    value = (value or "").strip()
    return value[:10] if len(value) >= 10 and value[4] == "-" and value[:4].isdigit() else None


def _codes(parent: ET.Element | None, tag: str) -> list[str]:
    if parent is None:
        return []
    return [
        e.text.strip()
        for c in parent.findall(f"{CAC}{tag}")
        for e in c.iter(f"{CBC}ItemClassificationCode")
        if e.text and e.text.strip() and (e.get("listName") or "cpv").lower() == "cpv"
    ]


def _cpv(root: ET.Element, lots: list[ET.Element]) -> list[str]:
    projects = [root.find(f"{CAC}ProcurementProject")] + [lot.find(f"{CAC}ProcurementProject") for lot in lots]
    codes = [c for p in projects for c in _codes(p, "MainCommodityClassification")]
    codes += [c for p in projects for c in _codes(p, "AdditionalCommodityClassification")]
    return list(dict.fromkeys(codes))


def _amount(element: ET.Element | None, kind: str) -> Amount | None:
    if element is None:
        return None
    text = (element.text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return Amount(amount=value, currency=(element.get("currencyID") or "").strip().upper(), kind=kind)


def _weight(criterion: ET.Element) -> float | None:
    for parameter in criterion.iter(f"{EFAC}AwardCriterionParameter"):
        code = (parameter.findtext(f"{EFBC}ParameterCode") or "").strip()
        if code.startswith(("per-", "poi-")):
            try:
                return float((parameter.findtext(f"{EFBC}ParameterNumeric") or "").strip())
            except ValueError:
                return None
    return None


def _criteria(notice: _Notice, lots: list[ET.Element]) -> list[Criterion]:
    found: dict[tuple[str, float | None, str], Criterion] = {}
    for lot in lots:
        for element in lot.iter(f"{CAC}SubordinateAwardingCriterion"):
            kind = (element.findtext(f"{CBC}AwardingCriterionTypeCode") or "").strip()
            name = notice.text(element, f"{CBC}Name") or notice.text(element, f"{CBC}Description") or kind
            criterion = Criterion(name=name[:200], category=_CATEGORIES.get(kind, "other"), weight=_weight(element))
            found.setdefault((criterion.category, criterion.weight, criterion.name), criterion)
    return list(found.values())


def _lots(notice: _Notice, lots: list[ET.Element]) -> list[Lot]:
    result = []
    for lot in lots:
        raw = (lot.findtext(f"{CBC}ID") or "").strip()
        number = (raw.rsplit("-", 1)[-1].lstrip("0") or "0") if raw.upper().startswith("LOT-") else raw
        if number:
            result.append(Lot(number=number, title=notice.text(lot.find(f"{CAC}ProcurementProject"), f"{CBC}Name")))
    return result


def _values(root: ET.Element, lots: list[ET.Element]) -> list[Amount]:
    tag = f"{CAC}RequestedTenderTotal/{CBC}EstimatedOverallContractAmount"
    projects = [root.find(f"{CAC}ProcurementProject")] + [lot.find(f"{CAC}ProcurementProject") for lot in lots]
    values = [_amount(p.find(tag), "estimated") for p in projects if p is not None]
    for result in root.iter(f"{EFAC}NoticeResult"):
        values.append(_amount(result.find(f"{CBC}TotalAmount"), "awarded"))
        values += [
            _amount(t.find(f"{CAC}LegalMonetaryTotal/{CBC}PayableAmount"), "awarded")
            for t in result.iter(f"{EFAC}LotTender")
        ]
    return list(dict.fromkeys(v for v in values if v is not None))


def _awardees(notice: _Notice, root: ET.Element) -> list[str]:
    names = notice.organisations()
    winners = []
    for result in root.iter(f"{EFAC}NoticeResult"):
        for party in result.iter(f"{EFAC}TenderingParty"):
            for tenderer in party.iter(f"{EFAC}Tenderer"):
                org_id = (tenderer.findtext(f"{CBC}ID") or "").strip()
                if org_id in names and names[org_id] not in winners:
                    winners.append(names[org_id])
    return winners


def _deadline(lots: list[ET.Element]) -> str | None:
    found = []
    for lot in lots:
        period = lot.find(f"{CAC}TenderingProcess/{CAC}TenderSubmissionDeadlinePeriod")
        if period is None:
            continue
        day = _date(period.findtext(f"{CBC}EndDate"))
        if day:
            time = (period.findtext(f"{CBC}EndTime") or "").strip()[:5]
            found.append(f"{day} {time}".strip() if time[:2].isdigit() else day)
    return min(found) if found else None


def notice_fields(root: ET.Element) -> TenderFields:
    """Every tender field an eForms notice carries (the root of a ContractNotice, PIN or award notice)."""
    notice = _Notice(root)
    lots = root.findall(f"{CAC}ProcurementProjectLot")
    cpv = _cpv(root, lots)
    procedure = (root.findtext(f"{CAC}TenderingProcess/{CBC}ProcedureCode") or "").strip()
    published = next((_date(e.text) for e in root.iter(f"{EFBC}PublicationDate") if _date(e.text)), None)
    buyers = notice.buyers()
    return TenderFields(
        buyer=buyers[0] if buyers else None,
        cpv_main=cpv[0] if cpv else None,
        cpv=cpv,
        procedure=procedure if procedure in PROCEDURES else None,
        lots=_lots(notice, lots),
        criteria=_criteria(notice, lots),
        values=_values(root, lots),
        published=published or _date(root.findtext(f"{CBC}IssueDate")),
        deadline=_deadline(lots),
        awardees=_awardees(notice, root),
    )
