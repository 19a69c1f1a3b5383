"""Map a registry outcome (measure and description) to the instruments that measure it and how it is analysed.

An outcome such as "Change in liver function parameters — ALT, AST, ..., and the scores of MELD and Child-Pugh"
needs three case-report forms: the liver panel, the MELD inputs and the Child–Pugh inputs. :func:`match_instruments`
looks the measure and its description up in the table :data:`INSTRUMENTS` (a name, the form fields it needs and the
words that name it) and reads the analysis kind from the table :data:`ANALYSES`:

* ``time-to-event`` — "time to ...", survival, event-free;
* ``change-from-baseline`` — "change from baseline", "change in", "improvement in";
* ``proportion`` — proportion, percentage of, rate (not heart/filtration/... rate), incidence;
* ``count`` — "number of ...";
* ``continuous`` — anything else.

The earliest of those phrases in the measure decides (so "Survival rate" is time-to-event and "Proportion of
patients with a change in PASI" a proportion); the description is read only when the measure names none. Instrument
names equal the score names of :mod:`trialdesk.scores` where a score exists (``pasi``, ``dlqi``, ``child-pugh``,
``meld``, ``isncsci``, ``mjoa``, ``klekamp-samii``, ``upcr``). An outcome no instrument matches gives an empty list:
the reviewer designs that form by hand.

Example:
    >>> [(m.instrument, m.analysis) for m in match_instruments("Proportion of patients with Child A")]
    [('child-pugh', 'proportion')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from trialdesk.protocol.values import InstrumentMatch
from trialdesk.registry.parsing.letters import LOWER_KEEPS
from trialdesk.registry.parsing.startwords import StartWords, first_match, lower_for_starts

__all__ = [
    "ADVERSE_EVENTS",
    "ANALYSES",
    "CHILD_PUGH",
    "CLINICAL_EVENTS",
    "DECOMPENSATION_EVENTS",
    "DLQI",
    "INSTRUMENTS",
    "ISNCSCI",
    "KLEKAMP_SAMII",
    "LIVER_PANEL",
    "MELD",
    "MJOA",
    "PASI",
    "RENAL_PANEL",
    "SYRINX_MRI",
    "UPCR",
    "URINE_PROTEIN",
    "URINE_RBC",
    "VITAL_SIGNS",
    "XUANWU_SYRINGOMYELIA",
    "Instrument",
    "OutcomeText",
    "choose_analysis",
    "match_instruments",
]

Analysis = Literal["proportion", "change-from-baseline", "count", "time-to-event", "continuous"]

PASI = "pasi"
DLQI = "dlqi"
CHILD_PUGH = "child-pugh"
MELD = "meld"
ISNCSCI = "isncsci"
MJOA = "mjoa"
KLEKAMP_SAMII = "klekamp-samii"
XUANWU_SYRINGOMYELIA = "xuanwu-syringomyelia"
SYRINX_MRI = "syrinx-mri"
URINE_PROTEIN = "urine-protein"
UPCR = "upcr"
URINE_RBC = "urine-rbc"
RENAL_PANEL = "renal-panel"
LIVER_PANEL = "liver-panel"
VITAL_SIGNS = "vital-signs"
ADVERSE_EVENTS = "adverse-events"
DECOMPENSATION_EVENTS = "decompensation-events"
CLINICAL_EVENTS = "clinical-events"

# ISNCSCI worksheet: ten key muscles and 28 dermatomes per side (as in trialdesk.scores.spine).
_KEY_MUSCLES: Final = ("C5", "C6", "C7", "C8", "T1", "L2", "L3", "L4", "L5", "S1")
_DERMATOMES: Final = (
    *("C2", "C3", "C4", "C5", "C6", "C7", "C8"),
    *(f"T{n}" for n in range(1, 13)),
    *("L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4-5"),
)


def _level(level: str) -> str:
    return level.lower().replace("-", "_")


_ISNCSCI_FIELDS: Final = (
    *(f"{side}_motor_{_level(m)}" for side in ("right", "left") for m in _KEY_MUSCLES),
    *(
        f"{side}_{sense}_{_level(d)}"
        for side in ("right", "left")
        for sense in ("light_touch", "pin_prick")
        for d in _DERMATOMES
    ),
    "vac",
    "dap",
)
_PASI_FIELDS: Final = tuple(
    f"{region}_{part}"
    for region in ("head", "upper_limbs", "trunk", "lower_limbs")
    for part in ("erythema", "induration", "desquamation", "area")
)
_MJOA_18_FIELDS: Final = ("upper_motor", "lower_motor", "sensory_upper", "sphincter")
_MJOA_17_FIELDS: Final = ("upper_motor", "lower_motor", "sensory_upper", "sensory_trunk", "sensory_lower", "sphincter")


@dataclass(frozen=True)
class Instrument:
    """A form: its name, the fields it needs, and the words that name it in an outcome.

    ``variants`` are (pattern, fields) pairs tried in order: the first whose pattern occurs in the outcome gives
    the fields instead of ``fields`` (the mJOA's 17-point form has six items, the 18-point form four).
    """

    name: str
    fields: tuple[str, ...]
    pattern: re.Pattern[str]
    variants: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = ()

    def choose_fields(self, text: str) -> tuple[str, ...]:
        """The fields this instrument needs for an outcome worded as ``text``.

        Example:
            >>> INSTRUMENTS[MJOA].choose_fields("mJOA, 0-17")[-2:]
            ('sensory_lower', 'sphincter')
        """
        for pattern, fields in self.variants:
            if pattern.search(text):
                return fields
        return self.fields


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_TABLE: Final = (
    Instrument(PASI, _PASI_FIELDS, _words(r"\bPASI\b|psoriasis\s+(?:area|activity)\s+(?:and|&)\s+severity")),
    Instrument(DLQI, tuple(f"q{n}" for n in range(1, 11)), _words(r"\bDLQI\b|dermatology\s+life\s+quality")),
    Instrument(
        CHILD_PUGH,
        ("bilirubin", "albumin", "inr", "ascites", "encephalopathy"),
        _words(
            r"\bchild[\s‐–-]*(?:turcotte[\s‐–-]*)?pugh|\bCTP\s+(?:score|class)"
            r"|(?-i:\bChild(?:'s)?\s+(?:class\s+|grade\s+)?[ABC]\b)"
        ),
    ),
    Instrument(
        MELD,
        ("bilirubin", "inr", "creatinine", "sodium", "dialysis"),
        _words(r"\bMELD\b|model\s+for\s+end[\s-]*stage\s+liver\s+disease"),
    ),
    Instrument(
        ISNCSCI,
        _ISNCSCI_FIELDS,
        _words(
            r"\bASIA\b|american\s+spinal\s+injury\s+association|\bISNCSCI\b"
            r"|international\s+standards\s+for\s+neurological\s+classification|\bAIS\s+grade"
        ),
    ),
    Instrument(
        MJOA,
        _MJOA_18_FIELDS,
        _words(r"\bm?JOA\b|japanese\s+orthopa?edic\s+association"),
        variants=(
            (_words(r"\b0\s*(?:[-–~]|to)\s*17\b|\b17[\s-]*point"), _MJOA_17_FIELDS),
            (_words(r"\b0\s*(?:[-–~]|to)\s*18\b|\b18[\s-]*point"), _MJOA_18_FIELDS),
        ),
    ),
    Instrument(
        KLEKAMP_SAMII,
        ("sensory", "dysaesthesia", "pain", "motor", "gait", "bladder", "bowel"),
        _words(r"\bklekamp"),
    ),
    # The Xuanwu syringomyelia scale's items are not published in the record: only its total is collected.
    Instrument(XUANWU_SYRINGOMYELIA, ("total",), _words(r"\bxuanwu\s+(?:syringomyelia\s+)?(?:scale|score)")),
    Instrument(SYRINX_MRI, ("syrinx_length", "syrinx_max_diameter"), _words(r"\bsyrinx|\bsyringes\b")),
    Instrument(
        URINE_PROTEIN,
        ("urine_protein_24h",),
        _words(
            r"\b24[\s-]*h(?:ours?|rs?)?\.?\s+urin(?:e|ary)\s+protein"
            r"|\burin(?:e|ary)\s+protein(?!\s*(?:/|[\s-]*to[\s-]*)\s*creatinine)|\bproteinuria\b"
        ),
    ),
    Instrument(
        UPCR,
        ("urine_protein", "urine_creatinine"),
        _words(r"\bUPCR\b|\bUPC\b|\bprotein\s*(?:/|[\s-]*to[\s-]*)\s*creatinine"),
    ),
    Instrument(
        URINE_RBC,
        ("urine_rbc", "abnormal_rbc"),
        _words(
            r"\bh(?:a)?ematuria\b|\burin(?:e|ary)\s+(?:[\w-]+\s+){0,2}(?:red\s+(?:blood\s+)?cells?|RBCs?|erythrocytes?)"
        ),
    ),
    Instrument(
        RENAL_PANEL,
        ("serum_creatinine", "bun", "cystatin_c", "egfr"),
        _words(
            r"\b(?:renal|kidney)\s+function|\bserum\s+creatinine|\bcreatinine\s+clearance|\bblood\s+urea\s+nitrogen"
            r"|\bBUN\b|\bcystatin|\be?GFR\b|\bglomerular\s+filtration"
        ),
    ),
    Instrument(
        LIVER_PANEL,
        ("alt", "ast", "alp", "total_bilirubin", "albumin", "pt", "inr"),
        _words(
            r"\b(?:liver|hepatic)\s+function|\bALT\b|\balanine\s+(?:amino)?trans(?:aminase|ferase)|\bAST\b"
            r"|\baspartate\s+(?:amino)?trans(?:aminase|ferase)|\bALP\b|\balkaline\s+phosphatase|\bbilirubin"
            r"|(?<!urine\s)(?<!urinary\s)\balbumin\b(?!\s*(?:/|[\s-]*to[\s-]*)\s*creatinine)"
            r"|\bprothrombin\s+time|\bINR\b|\binternational\s+normali[sz]ed\s+ratio|\btransaminases?\b"
        ),
    ),
    Instrument(
        VITAL_SIGNS,
        ("temperature", "systolic_bp", "diastolic_bp", "heart_rate"),
        _words(
            r"\bvital\s+signs?|\b(?:body\s+)?temperature\b|\bblood\s+pressure|\bheart\s+rate|\bpulse\b"
            r"|\brespiratory\s+rate"
        ),
    ),
    Instrument(
        ADVERSE_EVENTS,
        ("ae_term", "ctcae_grade", "relatedness", "serious", "onset_date", "end_date"),
        _words(
            r"\badverse\s+(?:events?|reactions?|effects?)|(?-i:\b(?:TE)?S?AEs?\b)|\bDLTs?\b|\bdose[\s-]*limiting"
            r"|\bCTCAE\b|\bside[\s-]+effects?|\b(?:treatment|drug|therapy)[\s-]+(?:related|emergent)\s+toxicit"
            r"|\bincidence\s+of\s+toxicit|\bsafety\b"
        ),
    ),
    Instrument(
        DECOMPENSATION_EVENTS,
        ("gi_bleeding", "ascites", "hepatic_encephalopathy", "event_date"),
        _words(r"\bdecompensat|\bvariceal\s+(?:bleed|ha?emorrhage)|\b(?:gastrointestinal|GI)\s+(?:bleed|ha?emorrhage)"),
    ),
    Instrument(
        CLINICAL_EVENTS,
        ("event", "event_date", "last_contact_date"),
        _words(
            r"\bdeaths?\b|\bdied\b|\bmortality\b|\bsurviv\w*|\btracheostom\w*"
            r"|\b(?:mechanical|assisted|permanent)\s+(?:[\w-]+\s+){0,2}ventilation"
            r"|\b(?:liver|kidney|renal|organ|heart|lung)\s+transplant\w*"
        ),
    ),
)
INSTRUMENTS: dict[str, Instrument] = {instrument.name: instrument for instrument in _TABLE}

# Lower-case words one of which an instrument's pattern needs in any match: an outcome without any of them cannot
# match, so the pattern is not searched (a cheap pre-check with the same result; instruments not listed always are).
_KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    PASI: ("pasi", "psoriasis"),
    DLQI: ("dlqi", "dermatology"),
    CHILD_PUGH: ("child", "ctp"),
    MELD: ("meld", "model"),
    ISNCSCI: ("asia", "american", "isncsci", "international", "ais"),
    MJOA: ("joa", "japanese"),
    KLEKAMP_SAMII: ("klekamp",),
    XUANWU_SYRINGOMYELIA: ("xuanwu",),
    SYRINX_MRI: ("syrinx", "syringes"),
    URINE_PROTEIN: ("urin", "proteinuria"),
    UPCR: ("upc", "protein"),
    URINE_RBC: ("ematuria", "urin"),
    RENAL_PANEL: ("renal", "kidney", "creatinine", "urea", "bun", "cystatin", "gfr", "glomerular"),
    LIVER_PANEL: (
        "liver", "hepatic", "alt", "alanine", "ast", "aspartate", "alp", "alkaline", "bilirubin", "albumin",
        "prothrombin", "inr", "international", "transaminase",
    ),
    VITAL_SIGNS: ("vital", "temperature", "pressure", "heart", "pulse", "respiratory"),
    ADVERSE_EVENTS: ("adverse", "ae", "dlt", "dose", "ctcae", "side", "toxicit", "safety"),
    DECOMPENSATION_EVENTS: ("decompensat", "variceal", "gastrointestinal", "gi"),
    CLINICAL_EVENTS: ("death", "died", "mortality", "surviv", "tracheostom", "ventilation", "transplant"),
}  # fmt: skip

# Lower-case words one of which every match of an instrument's pattern starts with ("\bm?JOA\b" starts with "mjoa"
# or "joa", "\b24[\s-]*h(?:ours?|rs?)?\.?\s+urine protein" with "24"): in most texts the pattern is tried only where
# they occur (trialdesk.registry.parsing.startwords). Every such match also holds one of the instrument's
# _KEYWORDS, so that pre-check, which skips only texts that cannot match, is not needed there.
_STARTS: Final[dict[str, tuple[str, ...]]] = {
    PASI: ("pasi", "psoriasis"),
    DLQI: ("dlqi", "dermatology"),
    CHILD_PUGH: ("child", "ctp"),
    MELD: ("meld", "model"),
    ISNCSCI: ("asia", "american", "isncsci", "international", "ais"),
    MJOA: ("mjoa", "joa", "japanese"),
    KLEKAMP_SAMII: ("klekamp",),
    XUANWU_SYRINGOMYELIA: ("xuanwu",),
    SYRINX_MRI: ("syrinx", "syringes"),
    URINE_PROTEIN: ("24", "urin", "proteinuria"),
    UPCR: ("upc", "protein"),
    URINE_RBC: ("haematuria", "hematuria", "urin"),
    RENAL_PANEL: ("renal", "kidney", "serum", "creatinine", "blood", "bun", "cystatin", "egfr", "gfr", "glomerular"),
    LIVER_PANEL: (
        "liver", "hepatic", "alt", "alanine", "ast", "aspartate", "alp", "alkaline", "bilirubin", "albumin",
        "prothrombin", "inr", "international", "transaminase",
    ),
    VITAL_SIGNS: ("vital", "body", "temperature", "blood", "heart", "pulse", "respiratory"),
    ADVERSE_EVENTS: (
        "adverse", "teae", "tesae", "sae", "ae", "dlt", "dose", "ctcae", "side", "treatment", "drug", "therapy",
        "incidence", "safety",
    ),
    DECOMPENSATION_EVENTS: ("decompensat", "variceal", "gastrointestinal", "gi"),
    CLINICAL_EVENTS: (
        "death", "died", "mortality", "surviv", "tracheostom", "mechanical", "assisted", "permanent", "liver",
        "kidney", "renal", "organ", "heart", "lung",
    ),
}  # fmt: skip
# Start words of pattern branches not led by \b: they may begin inside a word ("nonpsoriasis area and severity").
_INSIDE_WORDS: Final = ("psoriasis", "dermatology", "model", "american", "international", "japanese")

_NOT_A_PROPORTION: Final = "".join(
    rf"(?<!{word}\s)" for word in ("heart", "pulse", "respiratory", "filtration", "sedimentation", "flow", "infusion")
)
ANALYSES: tuple[tuple[Analysis, re.Pattern[str]], ...] = (
    (
        "time-to-event",
        _words(
            r"\btime[\s-]+to\b|\bsurviv(?:al|ing|e)\b|\b(?:event|progression|relapse|disease)[\s-]*free\b"
            r"|\bkaplan|\bhazard\s+ratio"
        ),
    ),
    (
        "change-from-baseline",
        _words(
            r"\bchanges?\s+(?:from|since|relative\s+to|compared\s+(?:with|to)|versus|vs\.?)\s+baseline"
            r"|\bchanges?\s+in\b|\b(?:improvement|reduction|decrease|increase|decline)\s+in\b|\bpercent(?:age)?\s+change"
        ),
    ),
    (
        "proportion",
        _words(
            r"\bproportions?\b|\bpercentage\s+of\b|%\s+of\s+(?:participants|patients|subjects)"
            r"|" + _NOT_A_PROPORTION + r"\brates?\b|\bincidence\b|\bprevalence\b|\bresponders?\b"
        ),
    ),
    ("count", _words(r"\bnumber\s+of\b|\bcount\s+of\b|\bhow\s+many\b")),
)


# Lower-case words one of which every match of each ANALYSES pattern starts with (see _STARTS); only "%" is not led
# by \b.
_ANALYSIS_STARTS: Final[tuple[tuple[str, ...], ...]] = (
    ("time", "surviv", "event", "progression", "relapse", "disease", "kaplan", "hazard"),
    ("change", "improvement", "reduction", "decrease", "increase", "decline", "percent"),
    ("proportion", "percentage", "%", "rate", "incidence", "prevalence", "responder"),
    ("number", "count", "how"),
)
_ANALYSIS_START_WORDS: Final = StartWords(_ANALYSIS_STARTS, inside=("%",))
# The instruments' start words and then the analyses', for one look at an outcome (OutcomeText).
_OUTCOME_STARTS: Final = StartWords(
    [*(_STARTS[instrument.name] for instrument in _TABLE), *_ANALYSIS_STARTS], inside=(*_INSIDE_WORDS, "%")
)


def find_analyses(text: str) -> list[tuple[int, int, Analysis, str]]:
    """(start, table order, kind, phrase) of the first match in ``text`` of each ANALYSES pattern that matches."""
    lowered = lower_for_starts(text)
    return _find_analyses(text, None if lowered is None else _ANALYSIS_START_WORDS.positions(lowered))


def _find_analyses(
    text: str, starts: dict[int, list[int]] | None, first: int = 0, offset: int = 0
) -> list[tuple[int, int, Analysis, str]]:
    """:func:`find_analyses`, given where each pattern may start (see _STARTS), or None: search.

    ``starts[first + order]`` are positions in a text in which ``text`` begins at ``offset``; those outside it are
    left out.
    """
    found: list[tuple[int, int, Analysis, str]] = []
    end = offset + len(text)
    for order, (kind, pattern) in enumerate(ANALYSES):
        if starts is None:
            match = pattern.search(text)
        elif places := starts.get(first + order):
            match = first_match(pattern, [at - offset for at in places if offset <= at < end], text)
        else:
            continue
        if match:
            found.append((match.start(), order, kind, match.group(0)))
    return found


class OutcomeText:
    """An outcome's measure and description, looked at once for where the analysis and instrument patterns may match.

    Gives what :func:`find_analyses` of the measure or of the description and :func:`match_instruments` give, from
    one scan of ``measure + "\\n" + description``: no start word holds a line break, so each one found lies in the
    measure or in the description, at the same place.

    Example:
        >>> outcome = OutcomeText("Change in ALT", "Number of patients")
        >>> outcome.analyses("measure"), outcome.analyses("description")
        ([(0, 1, 'change-from-baseline', 'Change in')], [(0, 3, 'count', 'Number of')])
        >>> [(m.instrument, m.analysis) for m in outcome.instruments()]
        [('liver-panel', 'change-from-baseline')]
    """

    __slots__ = ("_starts", "description", "measure", "text")

    def __init__(self, measure: str, description: str = "") -> None:
        self.measure = measure
        self.description = description
        self.text = f"{measure}\n{description}"
        lowered = lower_for_starts(self.text)
        self._starts = None if lowered is None else _OUTCOME_STARTS.positions(lowered)

    def analyses(self, field: Literal["measure", "description"]) -> list[tuple[int, int, Analysis, str]]:
        """:func:`find_analyses` of the measure or of the description."""
        text, offset = self._field(field)
        if self._starts is None:
            return find_analyses(text)
        return _find_analyses(text, self._starts, len(_TABLE), offset)  # the analyses follow the instruments

    def _field(self, field: Literal["measure", "description"]) -> tuple[str, int]:
        """The measure or the description, and where it begins in ``self.text``."""
        return (self.measure, 0) if field == "measure" else (self.description, len(self.measure) + 1)

    def first_analysis(self) -> tuple[Literal["measure", "description"], Analysis, str] | None:
        """(field, kind, phrase) of the earliest analysis phrase in the measure, else in the description, else None.

        The earliest of the first matches of the ANALYSES patterns (the first in table order at the same place):
        the places where a pattern may start are tried in order of place, then table order, until one matches. A
        pattern's first match is at one of its places, so none is passed over, and the match found is the first of
        its pattern.
        """
        if self._starts is None:
            for field in ("measure", "description"):
                found = self.analyses(field)
                if found:
                    _, _, kind, phrase = min(found)
                    return field, kind, phrase
            return None
        # The places of both fields in one list: sorted, the measure's (before the line break at ``split``) come
        # first, each field's in the order a look at that field alone tries them.
        places = [
            (at, order)
            for order in range(len(ANALYSES))
            for at in self._starts.get(len(_TABLE) + order, ())  # the analyses follow the instruments
        ]
        places.sort()
        split = len(self.measure)
        for at, order in places:
            kind, pattern = ANALYSES[order]
            if at < split:
                if match := pattern.match(self.measure, at):
                    return "measure", kind, match.group(0)
            elif at > split and (match := pattern.match(self.description, at - split - 1)):
                return "description", kind, match.group(0)
        return None

    def choose_analysis(self) -> Analysis:
        """:func:`choose_analysis` of the measure and the description."""
        first = self.first_analysis()
        return first[1] if first is not None else "continuous"

    def forms(self) -> list[tuple[str, tuple[str, ...]]]:
        """(name, fields) of each instrument the outcome needs, in table order: :meth:`instruments` without the
        analysis."""
        if self._starts is None:
            matched = _match_any(self.text)
        else:  # only where each pattern can start (see _STARTS)
            matched = [
                _TABLE[order]
                for order in sorted(self._starts)
                if order < len(_TABLE) and first_match(_TABLE[order].pattern, self._starts[order], self.text)
            ]
        return [(instrument.name, instrument.choose_fields(self.text)) for instrument in matched]

    def instruments(self, analysis: Analysis | None = None) -> list[InstrumentMatch]:
        """:func:`match_instruments` of the measure and the description."""
        forms = self.forms()
        if not forms:
            return []
        if analysis is None:
            analysis = self.choose_analysis()
        return [InstrumentMatch(name, fields, analysis) for name, fields in forms]


def choose_analysis(measure: str, description: str = "") -> Analysis:
    """How an outcome is analysed: the earliest analysis phrase in the measure, else in the description.

    Example:
        >>> choose_analysis("Survival rate and liver transplant rate"), choose_analysis("PASI score")
        ('time-to-event', 'continuous')
    """
    for text in (measure, description):
        found = find_analyses(text)
        if found:
            return min(found)[2]
    return "continuous"


def match_instruments(measure: str, description: str = "", analysis: Analysis | None = None) -> list[InstrumentMatch]:
    """The instruments an outcome needs (in table order), each with its fields and the outcome's analysis kind.

    ``analysis`` is the outcome's :func:`choose_analysis` when the caller has it already.

    Example:
        >>> [m.instrument for m in match_instruments("Renal function (serum creatinine, BUN, cystatin C, GFR)")]
        ['renal-panel']
        >>> match_instruments("Change from Baseline in PASI")[0].analysis
        'change-from-baseline'
        >>> match_instruments("Change from baseline in the blood and csf markers.")
        []
    """
    return OutcomeText(measure, description).instruments(analysis)


def _match_any(text: str) -> list[Instrument]:
    """The instruments whose pattern occurs in ``text``, searching those that pass the keyword pre-check."""
    lowered = "" if any(odd in text for odd in LOWER_KEEPS) else text.lower()
    return [
        instrument
        for instrument in _TABLE
        if (
            not lowered
            or instrument.name not in _KEYWORDS
            or any(word in lowered for word in _KEYWORDS[instrument.name])
        )
        and instrument.pattern.search(text)
    ]
