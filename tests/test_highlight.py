"""Highlighting: the query's words are marked across accents, case and inflection, and nothing else is markup."""

import pytest

from index.highlight import highlight

pytestmark = pytest.mark.unit

PASSAGE = (
    "Le pouvoir adjudicateur peut réserver un ou plusieurs lots d'un marché public aux établissements et "
    "services d'aide par le travail (ESAT). "
    + "Texte sans rapport avec la question posée. " * 30
    + "Les marchés réservés restent soumis aux règles de publicité. Un lot réservé aux ESAT est possible."
)


def test_inflected_and_accented_forms_are_marked():
    out = highlight("Les marchés réservés et les RESERVATIONS.", "marche reserve")
    assert "<mark>marchés réservés</mark>" in out  # adjacent marks share one <mark>
    assert "<mark>RESERVATIONS</mark>" in out  # same stem, whatever the case


def test_english_stems_whose_last_letter_changes_are_found():
    assert "<mark>policies</mark>" in highlight("Two procurement policies apply.", "policy")
    assert "<mark>using</mark>" in highlight("Councils using the framework agreed.", "use")


def test_stopwords_and_unrelated_words_are_not_marked():
    out = highlight("Le lot de la commune est réservé.", "le lot de la")
    assert out.count("<mark>") == 1 and "<mark>lot</mark>" in out


def test_the_window_is_the_densest_run_of_matches():
    out = highlight(PASSAGE, "lot réservé ESAT")
    assert out.startswith("… ") and "Un <mark>lot réservé</mark> aux <mark>ESAT</mark>" in out
    assert len(out.split()) < 70  # about 40 words, not the whole passage


def test_text_is_escaped_and_only_mark_is_markup():
    out = highlight("<script>alert('lot')</script> & lot", "lot")
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp;" in out
    assert out.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_letters_outside_latin1_do_not_break_matching():
    out = highlight("Les œuvres d'art et le cœur du lot réservé.", "œuvre lot")
    assert "<mark>œuvres</mark>" in out and "<mark>lot</mark>" in out


def test_a_passage_without_matches_opens_at_its_start():
    out = highlight("Rien à voir ici.", "ESAT")
    assert out.startswith("Rien") and "<mark>" not in out


def test_a_query_word_marks_its_own_languages_stems_only():
    assert "<mark>" not in highlight("Les cités et les villes durables.", "cities", language="fr")
    out = highlight("Many cities, and one city.", "cities", language="en")
    assert "<mark>cities</mark>" in out and "<mark>city</mark>" in out
    assert "<mark>cités</mark>" in highlight("Les cités ouvrières.", "cité", language="fr")


def test_whole_words_only_a_compound_is_not_marked_for_its_part():
    out = highlight("Ban single-use plastics; use reusable cups.", "use", language="en")
    assert "single-use" in out and "single-<mark>" not in out and "<mark>use</mark> reusable" in out
    assert "<mark>single-use</mark>" in highlight("Ban single-use plastics.", "single-use", language="en")


def test_snippets_show_no_markdown_syntax():
    text = (
        "## Marchés réservés\n\nLes **marchés** [réservés](https://example.org/x) aux *ESAT* :\n\n"
        "| Lot | Objet |\n|---|---|\n| 1 | Entretien |\n\n- un lot\n> cité"
    )
    out = highlight(text, "marchés réservés ESAT", language="fr")
    for syntax in ("#", "**", "](", "|", "---", "- un", "&gt;"):
        assert syntax not in out, syntax
    assert out.startswith("<mark>Marchés réservés</mark>") and "<mark>ESAT</mark>" in out
    assert "Lot · Objet" in out and "1 · Entretien" in out
