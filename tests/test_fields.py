"""Tender fields: each extractor on small real-looking snippets, the eForms reader, the pipeline hook, the eval."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

from ingest.converters.packages import parse_xml
from ingest.fields import extract as extract_module
from ingest.fields.cpv import find_cpv
from ingest.fields.criteria import find_criteria
from ingest.fields.dates import find_date, find_deadline, find_published
from ingest.fields.extract import extract_fields, fields_metadata, text_fields
from ingest.fields.lots import find_lots
from ingest.fields.notice import notice_fields
from ingest.fields.parties import find_awardees, find_buyer
from ingest.fields.procedure import find_procedure
from ingest.fields.record import Amount, TenderFields, fields_from_metadata
from ingest.fields.values import find_amounts, parse_number

TENDER = ROOT / "corpus" / "documents" / "fr" / "tenders" / "rc-papier-reprographie-lanvallec-2022.pdf"
TED = SHARED / "corpus" / "ted-notices" / "00152724_2025.xml"


def _criteria(text: str) -> list[tuple[str, float]]:
    return [(c.category, c.weight) for c in find_criteria(text)]


@pytest.mark.unit
def test_criteria_from_a_markdown_table_ignore_the_scoring_details_below():
    text = (
        "### 4.1 Critères d'attribution et pondération\n\n| Critère | Pondération |\n|---|---|\n"
        "| Prix des prestations (sur la base du DQE) | 40 % |\n| Valeur technique | 30 % |\n"
        "| Performance environnementale | 30 % |\n\n### 4.2 Critère prix (40 points)\nnote = 40 × …"
    )
    assert _criteria(text) == [("price", 40), ("technical", 30), ("environment", 30)]


@pytest.mark.unit
def test_criteria_of_a_flattened_pdf_table_are_read_per_lot_column():
    text = (
        "4. Critères d'attribution\nCritère Lot 1 Lot 2\nPrix 45 % 40 %\nValeur technique (qualité de\n"
        "service, traçabilité, délais) 35 % 45 %\nPerformance environnementale\n(eau, énergie, lessives)\n"
        "20 % 15 %\n"
    )
    assert _criteria(text) == [
        ("price", 45),
        ("technical", 35),
        ("environment", 20),
        ("price", 40),
        ("technical", 45),
        ("environment", 15),
    ]


@pytest.mark.unit
def test_sub_criteria_in_parentheses_do_not_replace_the_main_weights():
    text = (
        "5. Award criteria\nCriterion Weighting Sub-criteria\nPrice 40 %\nAnnual price for the schedule\n"
        "Quality 35 %\nService delivery plan\n(15 %); quality monitoring (10 %);\nmobilisation (10 %)\n"
        "Sustainability and social value 25 %\nLow-impact methods (10 %); community benefit (15 %)\n"
    )
    assert _criteria(text) == [("price", 40), ("quality", 35), ("environment", 25)]


@pytest.mark.unit
def test_inline_criteria_in_parentheses_and_slashes_are_read():
    assert _criteria(
        "Award criteria: the contract is awarded on price (40%), quality of meals (35%) and sustainability (25%)."
    ) == [("price", 40), ("quality", 35), ("environment", 25)]
    assert _criteria(
        "evaluated against the criteria.\n\nResults, Lot 1 (price 45 / quality 30 / sustainability 25):"
    ) == [("price", 45), ("quality", 30), ("environment", 25)]


@pytest.mark.unit
def test_percentages_that_are_not_criteria_are_not_reported():
    # they add up to 100 but name no price: a cost share, not award criteria
    assert find_criteria("Critères de répartition : environ 36 % pour la Ville et 64 % pour la Métropole.") == []
    # a partial list is not a guess at the rest
    assert find_criteria("Award criteria: price 60 %, quality (see annex).") == []


@pytest.mark.unit
def test_amounts_in_french_and_english_notation():
    assert parse_number("34 812,60") == 34812.6
    assert parse_number("1,552,900") == 1552900
    assert parse_number("9.8", "million") == 9_800_000
    found = find_amounts(
        "Avis favorable à l'attribution à la société X, pour un montant estimatif annuel de "
        "34 812,60 € HT, dans la limite du maximum annuel de 60 000 € HT."
    )
    assert [(a.amount, a.currency, a.kind) for a in found] == [(34812.6, "EUR", "awarded"), (60000, "EUR", "maximum")]
    assert find_amounts("**Estimated value:** £9.8 million excluding VAT") == [Amount(9_800_000, "GBP", "estimated")]


@pytest.mark.unit
def test_amounts_that_are_not_the_contract_value_are_left_out():
    assert find_amounts("Marchés de plus de 90 000 € HT avec une clause sociale : 14 %.") == []
    assert find_amounts("Co-funded up to £13.5 million by the national Zero Emission Bus Fund grant.") == []
    assert find_amounts("une pénalité de 45 € HT par heure non réalisée") == []
    assert find_amounts("Lot 1 contract value: £20.9 million for 40 buses (£522,500 per bus)") == [
        Amount(20_900_000, "GBP", "estimated")
    ]


@pytest.mark.unit
def test_dates_deadlines_and_publication():
    assert find_date("vendredi 18 mars 2022 à 12 h 00") == "2022-03-18 12:00"
    assert find_date("April 8, 2016 at 7 PM (EDT)") == "2016-04-08"
    assert (
        find_deadline("**Date limite de réception des offres :** vendredi 18 mars 2022 à 12 h 00.")
        == "2022-03-18 12:00"
    )
    moved = (
        "Date limite de réception des offres initialement fixée au 3 avril 2020, reportée au 17 avril 2020 "
        "en raison de la crise sanitaire."
    )
    assert find_deadline(moved) == "2020-04-17"
    assert find_published("L'avis d'appel public à la concurrence a été publié le 14 février 2022.") == "2022-02-14"
    assert find_deadline("The contract runs for 12 months from 1 September 2023.") is None


@pytest.mark.unit
def test_buyer_from_a_label_or_the_first_public_body():
    assert (
        find_buyer("**Pouvoir adjudicateur :** Ville de Lanvallec, représentée par son maire") == "Ville de Lanvallec"
    )
    assert (
        find_buyer("**Contracting authority:** City of Brackenford, Corporate Procurement Service")
        == "City of Brackenford"
    )
    assert find_buyer("La Ville de Montaigu-sur-Loire — Acquisition de véhicules") == "Ville de Montaigu-sur-Loire"
    assert find_buyer("CITY OF BRACKENFORD — RECORD OF CABINET DECISION") == "City of Brackenford"
    assert find_buyer("Notes of a supplier meeting about cleaning products.") is None


@pytest.mark.unit
def test_awardees_are_named_by_award_sentences_only():
    assert find_awardees(
        "la commission émet un avis favorable à l'attribution de l'accord-cadre n° 2022-007 à la "
        "société Papeteries de l'Aulne, pour un montant estimatif annuel de 34 812,60 € HT"
    ) == ["Papeteries de l'Aulne"]
    assert find_awardees(
        "authorize the General Manager to award a contract to Parsons Transportation Group to "
        "perform an Environmental Evaluation study"
    ) == ["Parsons Transportation Group"]
    assert find_awardees(
        "La commission attribue le lot 1 au groupement Rance Propreté Services / Émeraude "
        "Insertion, pour un montant annuel de 398 400 € HT"
    ) == ["Rance Propreté Services / Émeraude Insertion"]
    assert find_awardees("Le marché est attribué par le maire après avis de la commission.") == []
    assert find_awardees("Co-funded by the Zero Emission Bus Fund grant awarded to HTA in January 2022.") == []


@pytest.mark.unit
def test_cpv_codes_only_after_the_word_cpv():
    assert find_cpv("Code CPV principal : 30197630-1 ; codes CPV additionnels : 30192000, 22800000") == (
        "30197630",
        ["30197630", "30192000", "22800000"],
    )
    assert find_cpv("Numéro SIRET 21220055 — téléphone 02998877") == (None, [])


@pytest.mark.unit
def test_procedure_names_map_to_codes():
    assert find_procedure("passée selon la procédure adaptée ouverte (article R2123-1)") == "adapted"
    assert find_procedure("Procedure: Competitive procedure with negotiation, two lots") == "neg-w-call"
    assert find_procedure("Marché de services — Appel d'offres ouvert (articles L2124-2)") == "open"
    assert find_procedure("conducted in accordance with FAR Subpart 8.4, Federal Supply Schedules") == "schedule"
    assert find_procedure("Guide to writing clear specifications") is None


@pytest.mark.unit
def test_lots_from_headings_enumerations_counts_and_tables():
    assert [lot.number for lot in find_lots("Award of contracts, Lots 1, 2 and 3, for 4 years")] == ["1", "2", "3"]
    assert [lot.number for lot in find_lots("Le marché est divisé en quatre lots.")] == ["1", "2", "3", "4"]
    assert [
        lot.number for lot in find_lots("Kilométrage retenu : 9 000 km pour le lot 1, 12 000 km pour le lot 2")
    ] == ["1", "2"]
    table = "Lot Intitulé Estimation (€ HT)\n1 Désamiantage, curage 118 000\n2 Gros œuvre 164 000\n3 Bardage 412 000\n"
    assert [lot.number for lot in find_lots(table)] == ["1", "2", "3"]
    assert find_lots("Le marché n'est pas alloti.") == []


AWARD_NOTICE = """<?xml version="1.0" encoding="UTF-8"?>
<ContractAwardNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
 xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
 xmlns:efac="http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
 xmlns:efbc="http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"
 xmlns:efext="http://data.europa.eu/p27/eforms-ubl-extensions/1">
 <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>
  <efac:NoticeResult>
   <cbc:TotalAmount currencyID="EUR">118600</cbc:TotalAmount>
   <efac:LotTender><cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">118600</cbc:PayableAmount>
   </cac:LegalMonetaryTotal></efac:LotTender>
   <efac:TenderingParty><efac:Tenderer><cbc:ID>ORG-0002</cbc:ID></efac:Tenderer></efac:TenderingParty>
  </efac:NoticeResult>
  <efac:Organizations>
   <efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification>
    <cac:PartyName><cbc:Name languageID="FRA">Ville de Kerbourg</cbc:Name></cac:PartyName></efac:Company>
   </efac:Organization>
   <efac:Organization><efac:Company><cac:PartyIdentification><cbc:ID>ORG-0002</cbc:ID></cac:PartyIdentification>
    <cac:PartyName><cbc:Name languageID="FRA">Equi'Table Distribution</cbc:Name></cac:PartyName></efac:Company>
   </efac:Organization>
  </efac:Organizations>
  <efac:Publication><efbc:PublicationDate>2023-07-04+02:00</efbc:PublicationDate></efac:Publication>
 </efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
 <cbc:IssueDate>2023-07-01+02:00</cbc:IssueDate>
 <cbc:NoticeLanguageCode>FRA</cbc:NoticeLanguageCode>
 <cac:ContractingParty><cac:Party><cac:PartyIdentification><cbc:ID>ORG-0001</cbc:ID></cac:PartyIdentification>
 </cac:Party></cac:ContractingParty>
 <cac:TenderingProcess><cbc:ProcedureCode listName="procurement-procedure-type">open</cbc:ProcedureCode>
 </cac:TenderingProcess>
 <cac:ProcurementProject><cbc:Name languageID="FRA">Épicerie équitable</cbc:Name>
  <cac:MainCommodityClassification><cbc:ItemClassificationCode listName="cpv">15800000</cbc:ItemClassificationCode>
  </cac:MainCommodityClassification>
  <cac:AdditionalCommodityClassification>
   <cbc:ItemClassificationCode listName="cpv">15860000</cbc:ItemClassificationCode>
  </cac:AdditionalCommodityClassification>
 </cac:ProcurementProject>
 <cac:ProcurementProjectLot><cbc:ID schemeName="Lot">LOT-0004</cbc:ID>
  <cac:TenderingTerms><cac:AwardingTerms><cac:AwardingCriterion><cac:SubordinateAwardingCriterion>
   <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><efext:EformsExtension>
    <efac:AwardCriterionParameter><efbc:ParameterCode listName="number-weight">per-exa</efbc:ParameterCode>
     <efbc:ParameterNumeric>40</efbc:ParameterNumeric></efac:AwardCriterionParameter>
   </efext:EformsExtension></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
   <cbc:AwardingCriterionTypeCode listName="award-criterion-type">price</cbc:AwardingCriterionTypeCode>
   <cbc:Name languageID="FRA">Prix</cbc:Name>
  </cac:SubordinateAwardingCriterion></cac:AwardingCriterion></cac:AwardingTerms></cac:TenderingTerms>
  <cac:ProcurementProject><cbc:Name languageID="FRA">Lot 4 : épicerie</cbc:Name></cac:ProcurementProject>
 </cac:ProcurementProjectLot>
</ContractAwardNotice>
""".encode()


@pytest.mark.unit
def test_an_eforms_award_notice_gives_its_winner_value_and_every_code():
    fields = notice_fields(parse_xml(AWARD_NOTICE))
    assert fields.buyer == "Ville de Kerbourg" and fields.procedure == "open"
    assert fields.cpv_main == "15800000" and fields.cpv == ["15800000", "15860000"]
    assert [(lot.number, lot.title) for lot in fields.lots] == [("4", "Lot 4 : épicerie")]
    assert [(c.category, c.weight) for c in fields.criteria] == [("price", 40)]
    assert fields.values == [Amount(118600, "EUR", "awarded")]
    assert fields.awardees == ["Equi'Table Distribution"]
    assert fields.published == "2023-07-04"  # the publication, not the date the notice was sent


@pytest.mark.unit
def test_a_real_ted_notice_gives_its_estimated_value_and_weighted_criteria():
    if not TED.is_file():
        pytest.skip(f"../shared is absent ({TED} not found)")
    fields = extract_fields(TED, TED.read_bytes(), "", "notice")
    assert fields.values == [Amount(665999.8, "EUR", "estimated")]
    assert sorted((c.category, c.weight) for c in fields.criteria) == [("price", 70), ("quality", 10), ("quality", 20)]
    assert fields.deadline == "2025-04-07 13:00" and fields.published == "2025-03-10"


@pytest.mark.unit
def test_guides_get_no_fields_and_minutes_without_a_purchase_no_buyer(tmp_path):
    text = "**Acheteur :** Ville de Kerbourg\nCritères d'attribution : prix 40 %, valeur technique 60 %."
    assert extract_fields(tmp_path / "g.md", b"", text, "guide") == TenderFields()
    assert text_fields("Compte rendu. La Ville de Kerbourg présente son bilan des achats.", "minutes").buyer is None
    assert text_fields("La Ville de Kerbourg présente son bilan des achats.", "tender").buyer == "Ville de Kerbourg"


@pytest.mark.unit
def test_absent_fields_are_left_out_of_the_metadata_and_read_back():
    fields = TenderFields(buyer="Ville de Lanvallec", values=[Amount(60000, "EUR", "maximum")])
    stored = fields.to_metadata()
    assert stored == {
        "buyer": "Ville de Lanvallec",
        "values": [{"amount": 60000, "currency": "EUR", "kind": "maximum"}],
    }
    assert fields_from_metadata(stored) == fields


@pytest.mark.unit
def test_a_failing_rule_costs_the_fields_not_the_document(tmp_path, monkeypatch, caplog):
    def broken(text: str, doc_type: str = "tender") -> TenderFields:
        raise RuntimeError("rule bug")

    monkeypatch.setattr(extract_module, "text_fields", broken)
    with caplog.at_level(logging.ERROR, logger="ingest.fields.extract"):
        assert fields_metadata(tmp_path / "rc.md", b"", "Règlement de la consultation", "tender") == {}
    assert "rule bug" in caplog.text


@pytest.mark.integration
def test_an_ingested_bundled_tender_carries_its_fields_in_its_metadata(edge_collection):
    from index.indexer import ingest_paths
    from ingest.ids import document_id

    report = ingest_paths(edge_collection, [TENDER], workers=0)
    assert report.added == [TENDER.name]
    fields = edge_collection.document(document_id(TENDER.name)).record.extra["fields"]
    assert fields["buyer"] == "Ville de Lanvallec" and fields["procedure"] == "adapted"
    assert fields["deadline"] == "2022-03-18 12:00"
    assert [(c["category"], c["weight"]) for c in fields["criteria"]] == [
        ("price", 40),
        ("technical", 30),
        ("environment", 30),
    ]
    assert fields["values"] == [{"amount": 60000.0, "currency": "EUR", "kind": "maximum"}]
    assert "awardees" not in fields and "cpv" not in fields  # not stated: absent, never guessed


@pytest.mark.integration
def test_the_fields_eval_scores_a_few_judged_documents():
    from eval.tender_fields import Judged, evaluate_fields, format_fields_table

    judged = [
        Judged(
            "corpus/documents/fr/tenders/rc-papier-reprographie-lanvallec-2022.pdf",
            "text",
            "dev",
            {
                "buyer": "Ville de Lanvallec",
                "procedure": "adapted",
                "values": ["60000 EUR"],
                "criteria": ["price:40", "technical:30", "environment:30"],
                "deadline": "2022-03-18",
            },
        ),
        Judged(
            "corpus/documents/fr/tenders/cctp-papier-reprographie-lanvallec-2022.pdf",
            "text",
            "dev",
            {"buyer": "Ville de Lanvallec", "awardees": ["Papeteries de l'Aulne"]},
        ),
    ]
    report = evaluate_fields(judged)
    assert report.documents == 2 and not report.failed
    criteria = report.counts[("text", "dev", "criteria")]
    assert (criteria.tp, criteria.fp, criteria.fn) == (3, 0, 0)
    awardees = report.counts[("text", "dev", "awardees")]
    assert (awardees.tp, awardees.fn) == (0, 1) and awardees.recall == 0.0  # a miss is counted, not skipped
    assert "criteria" in format_fields_table(report)


@pytest.mark.unit
def test_the_judged_set_has_sixty_documents_in_both_sets_and_splits():
    from eval.tender_fields import load_judged

    judged = load_judged()
    assert len(judged) >= 60
    assert {(j.set, j.split) for j in judged} >= {("structured", "heldout"), ("text", "dev"), ("text", "heldout")}
    assert all(Path(j.path).suffix for j in judged)
