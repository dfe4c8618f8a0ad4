"""EU eForms UBL tender notices (TED XML) as readable text plus search metadata.

The notice becomes Markdown-like text in its own language: `#` title, the buyer,
procedure, CPV codes and dates, `## Description`, then one `## Lot …` section
per lot (title, description, CPV, duration, award criteria, tender deadline).
Free text comes from the elements whose `languageID` is the notice language
(`cbc:NoticeLanguageCode`); a field only given in another language is used as
is. Metadata: doc_type "notice", language (ISO 639-1), year and date of issue,
buyer, cpv (list), notice id, earliest tender deadline.

Any other XML raises IngestError("unsupported XML (not an eForms notice)").
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from ingest.converters.base import Extracted
from ingest.converters.packages import local, parse_xml, squeeze
from ingest.errors import IngestError

CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
EFAC = "{http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1}"
EFBC = "{http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1}"
_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
_NOTICES = {"ContractNotice", "PriorInformationNotice", "ContractAwardNotice"}

# EU official languages: eForms three-letter codes → ISO 639-1
LANGUAGES = {
    "BUL": "bg",
    "CES": "cs",
    "DAN": "da",
    "DEU": "de",
    "ELL": "el",
    "ENG": "en",
    "EST": "et",
    "FIN": "fi",
    "FRA": "fr",
    "GLE": "ga",
    "HRV": "hr",
    "HUN": "hu",
    "ITA": "it",
    "LAV": "lv",
    "LIT": "lt",
    "MLT": "mt",
    "NLD": "nl",
    "POL": "pl",
    "POR": "pt",
    "RON": "ro",
    "SLK": "sk",
    "SLV": "sl",
    "SPA": "es",
    "SWE": "sv",
}
_LABELS = {
    "en": {
        "buyer": "Buyer",
        "notice": "Notice",
        "issued": "Issued",
        "procedure": "Procedure",
        "nature": "Contract nature",
        "cpv": "CPV codes",
        "description": "Description",
        "lot": "Lot",
        "deadline": "Deadline for tenders",
        "duration": "Duration",
        "criteria": "Award criteria",
        "selection": "Selection criteria",
        "months": "months",
        "days": "days",
        "years": "years",
    },
    "fr": {
        "buyer": "Acheteur",
        "notice": "Avis",
        "issued": "Date d'envoi",
        "procedure": "Procédure",
        "nature": "Nature du marché",
        "cpv": "Codes CPV",
        "description": "Description",
        "lot": "Lot",
        "deadline": "Date limite de remise des offres",
        "duration": "Durée",
        "criteria": "Critères d'attribution",
        "selection": "Critères de sélection",
        "months": "mois",
        "days": "jours",
        "years": "ans",
    },
}
_UNITS = {"MONTH": "months", "DAY": "days", "YEAR": "years"}
# eForms codes shown as words (English codes are already words)
_CODES_FR = {
    "open": "ouverte",
    "restricted": "restreinte",
    "neg-w-call": "négociée avec mise en concurrence",
    "neg-wo-call": "négociée sans mise en concurrence",
    "comp-dial": "dialogue compétitif",
    "innovation": "partenariat d'innovation",
    "oth-single": "autre procédure à une étape",
    "oth-mult": "autre procédure à plusieurs étapes",
    "works": "travaux",
    "supplies": "fournitures",
    "services": "services",
    "combined": "mixte",
    "price": "prix",
    "quality": "qualité",
    "cost": "coût",
}
_HEADING_CHARS = 110  # the chunker takes longer lines for text, not headings


def _heading(text: str) -> tuple[str, str | None]:
    """(heading, full text to repeat below it when the heading had to be shortened)."""
    text = squeeze(text.replace("\n", " "))
    if len(text) <= _HEADING_CHARS:
        return text, None
    return text[:_HEADING_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:-") + " …", text


class _Notice:
    def word(self, value: str) -> str:
        value = value.strip()
        return _CODES_FR.get(value, value) if self.language == "fr" else value

    def __init__(self, root: ET.Element):
        self.root = root
        code = root.findtext(f"{CBC}NoticeLanguageCode") or ""
        self.code = code.strip().upper()
        self.language = LANGUAGES.get(self.code)
        self.labels = _LABELS.get(self.language or "", _LABELS["en"])

    def text(self, parent: ET.Element | None, path: str) -> str | None:
        """Free text at `path` under `parent` in the notice language (else the first one given)."""
        if parent is None:
            return None
        found = parent.findall(path)
        chosen = [e for e in found if (e.get("languageID") or "").upper() == self.code] or found[:1]
        texts = [squeeze("".join(e.itertext())) for e in chosen]
        joined = "\n".join(t for t in texts if t)
        return joined or None

    def organisations(self) -> dict[str, str]:
        names = {}
        for org in self.root.iter(f"{EFAC}Organization"):
            company = org.find(f"{EFAC}Company")
            if company is None:
                continue
            org_id = (company.findtext(f"{CAC}PartyIdentification/{CBC}ID") or "").strip()
            name = self.text(company, f"{CAC}PartyName/{CBC}Name")
            if org_id and name:
                names[org_id] = name
        return names

    def buyers(self) -> list[str]:
        names = self.organisations()
        buyers = []
        for party in self.root.findall(f"{CAC}ContractingParty"):
            org_id = (party.findtext(f"{CAC}Party/{CAC}PartyIdentification/{CBC}ID") or "").strip()
            name = names.get(org_id) or self.text(party, f"{CAC}Party/{CAC}PartyName/{CBC}Name")
            if name and name not in buyers:
                buyers.append(name)
        return buyers


def _cpv(project: ET.Element | None) -> list[str]:
    if project is None:
        return []
    codes = []
    for element in project.iter(f"{CBC}ItemClassificationCode"):
        if (element.get("listName") or "cpv").lower() == "cpv" and element.text and element.text.strip():
            codes.append(element.text.strip())
    return codes


def _date(value: str | None) -> str | None:
    """'2025-03-21+02:00' → '2025-03-21'."""
    value = (value or "").strip()
    return value[:10] if len(value) >= 10 and value[4] == "-" else (value or None)


def _deadline(lot: ET.Element) -> str | None:
    period = lot.find(f"{CAC}TenderingProcess/{CAC}TenderSubmissionDeadlinePeriod")
    if period is None:
        return None
    day = _date(period.findtext(f"{CBC}EndDate"))
    time = (period.findtext(f"{CBC}EndTime") or "").strip()[:5]
    return f"{day} {time}".strip() if day else None


def _duration(notice: _Notice, project: ET.Element | None) -> str | None:
    if project is None:
        return None
    measure = project.find(f"{CAC}PlannedPeriod/{CBC}DurationMeasure")
    amount = (measure.text or "").strip() if measure is not None else ""
    if measure is None or not amount:
        return None
    unit = notice.labels.get(_UNITS.get(measure.get("unitCode") or "", ""), measure.get("unitCode") or "")
    return f"{amount} {unit}".strip()


def _criteria(notice: _Notice, lot: ET.Element) -> list[str]:
    lines = []
    for criterion in lot.iter(f"{CAC}SubordinateAwardingCriterion"):
        kind = (criterion.findtext(f"{CBC}AwardingCriterionTypeCode") or "").strip()
        name = notice.text(criterion, f"{CBC}Name")
        description = notice.text(criterion, f"{CBC}Description")
        weight = next(
            (
                p.findtext(f"{EFBC}ParameterNumeric")
                for p in criterion.iter(f"{EFAC}AwardCriterionParameter")
                if (p.findtext(f"{EFBC}ParameterCode") or "").startswith("per-")
            ),
            None,
        )
        parts = [
            name or notice.word(kind),
            f"({weight.strip()} %)" if weight and weight.strip() else "",
        ]
        head = " ".join(p for p in parts if p)
        lines.append(f"- {head}: {description}" if description and description != name else f"- {head}")
    return lines


def _selection(notice: _Notice, lot: ET.Element) -> list[str]:
    lines = []
    for criterion in lot.iter(f"{EFAC}SelectionCriteria"):
        description = notice.text(criterion, f"{CBC}Description")
        if description and f"- {description}" not in lines:
            lines.append(f"- {description}")
    return lines


def _fact(notice: _Notice, label: str, value: str | None) -> list[str]:
    """One 'label: value' line in the notice's language (French puts a space before the colon), or none."""
    if not value:
        return []
    return [f"{notice.labels[label]} : {value}" if notice.language == "fr" else f"{notice.labels[label]}: {value}"]


def _lot_lines(notice: _Notice, lot: ET.Element) -> list[str]:
    """A lot as its own section: title, description, CPV, duration, deadline, award and selection criteria."""
    labels = notice.labels
    lot_id = (lot.findtext(f"{CBC}ID") or "").strip()
    lot_project = lot.find(f"{CAC}ProcurementProject")
    lot_title = notice.text(lot_project, f"{CBC}Name")
    heading = (
        lot_title
        if lot_title and lot_title.lower().startswith(labels["lot"].lower())
        else " — ".join(p for p in (f"{labels['lot']} {lot_id}".strip(), lot_title) if p)
    )
    heading, full = _heading(heading)
    lines = ["", f"## {heading}", *([full] if full else [])]
    for text in (notice.text(lot_project, f"{CBC}Description"), notice.text(lot_project, f"{CBC}Note")):
        if text and text != lot_title and text not in (full or ""):
            lines.append(text)
    lines += _fact(notice, "cpv", ", ".join(_cpv(lot_project)))
    lines += _fact(notice, "duration", _duration(notice, lot_project))
    lines += _fact(notice, "deadline", _deadline(lot))
    for label, items in (("criteria", _criteria(notice, lot)), ("selection", _selection(notice, lot))):
        if items:
            lines += [f"{labels[label]} :" if notice.language == "fr" else f"{labels[label]}:", *items]
    return lines


def _notice_metadata(
    notice: _Notice,
    root: ET.Element,
    issued: str | None,
    publication: str | None,
    buyers: list[str],
    cpv: list[str],
    deadlines: list[str],
) -> dict[str, object]:
    """The structured fields a notice carries, as document metadata (absent when the notice lacks them)."""
    metadata: dict[str, object] = {"doc_type": "notice"}
    if notice.language:
        metadata["language"] = notice.language
    if issued:
        metadata["date"] = issued
        if issued[:4].isdigit():
            metadata["year"] = int(issued[:4])
    if buyers:
        metadata["buyer"] = buyers[0]
    if cpv:
        metadata["cpv"] = cpv
    if publication:
        metadata["notice_id"] = publication
    if deadlines:
        metadata["deadline"] = min(deadlines)
    metadata["notice_type"] = local(root.tag)
    return metadata


def extract_eforms(path: Path, data: bytes) -> Extracted:
    root = parse_xml(data)
    namespace, _, name = root.tag.partition("}")
    if not (namespace.lstrip("{").startswith(_UBL) and name in _NOTICES):
        raise IngestError("unsupported XML (not an eForms notice)")
    notice = _Notice(root)
    labels = notice.labels
    project = root.find(f"{CAC}ProcurementProject")
    title = notice.text(project, f"{CBC}Name")
    buyers = notice.buyers()
    procedure = (root.findtext(f"{CAC}TenderingProcess/{CBC}ProcedureCode") or "").strip()
    nature = (project.findtext(f"{CBC}ProcurementTypeCode") if project is not None else "") or ""
    lots = root.findall(f"{CAC}ProcurementProjectLot")
    cpv = list(dict.fromkeys(_cpv(project) + [c for lot in lots for c in _cpv(lot.find(f"{CAC}ProcurementProject"))]))
    issued = _date(root.findtext(f"{CBC}IssueDate"))
    publication = next((e.text.strip() for e in root.iter(f"{EFBC}NoticePublicationID") if e.text), None)
    deadlines = [d for lot in lots if (d := _deadline(lot))]
    metadata = _notice_metadata(notice, root, issued, publication, buyers, cpv, deadlines)

    heading, full = _heading(title or name)
    lines = [f"# {heading}", *([full] if full else [])]
    lines += _fact(notice, "buyer", "; ".join(buyers))
    lines += _fact(notice, "notice", publication)
    lines += _fact(notice, "issued", issued)
    lines += _fact(notice, "procedure", notice.word(procedure))
    lines += _fact(notice, "nature", notice.word(nature))
    lines += _fact(notice, "cpv", ", ".join(cpv))
    description = notice.text(project, f"{CBC}Description")
    note = notice.text(project, f"{CBC}Note")
    if description or note:
        lines += ["", f"## {labels['description']}", *(t for t in (description, note) if t)]
    procedure_text = notice.text(root.find(f"{CAC}TenderingProcess"), f"{CBC}Description")
    if procedure_text:
        lines += ["", f"## {labels['procedure']}", procedure_text]
    for lot in lots:
        lines += _lot_lines(notice, lot)

    text = "\n".join(lines).strip()
    if not title and len(lines) < 3:
        raise IngestError("eForms notice without title or text")
    return Extracted(pages=[text], title=title, metadata=metadata)
