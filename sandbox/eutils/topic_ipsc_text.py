"""Vocabulary and templates of the second topic's PubMed records (see topic_ipsc.py).

Plain data and generators taking a `random.Random`; `textgen.py` appends JOURNALS and MESH_UI
to its own tables so `render.py` can print these records. Each kind keeps its promise to the
second topic's query `induced pluripotent stem cell AND heart failure` (automatic term
mapping: title/abstract phrase, or the MeSH headings Induced Pluripotent Stem Cells and Heart
Failure, exploded to Heart Failure, Systolic/Diastolic):

- "ipsc_core": the iPSC phrase in title, abstract or only in MeSH, and "heart failure" in
  title/abstract or only as a Heart Failure child heading: matches;
- "ipsc_other": iPSC papers about other diseases (some about cardiomyocytes): no;
- "hf_other": heart failure papers without iPSCs (some about mesenchymal stem cells): no;
- "ipsc_split": "induced", "pluripotent", "stem cells" and heart failure, never the phrase.

No template says "liver" or "hepatocyte", so none of these records can match the default
review's query (`liver [Title]`) or move its documented background counts.
"""

from __future__ import annotations

import random

# Journals of this topic, appended to textgen.JOURNALS (title, ISO abbreviation, ISSN, country).
JOURNALS: tuple[tuple[str, str, str, str], ...] = (
    ("Circulation research", "Circ Res", "1524-4571", "United States"),
    ("European heart journal", "Eur Heart J", "1522-9645", "England"),
    ("JACC. Basic to translational science", "JACC Basic Transl Sci", "2452-302X", "United States"),
    ("Stem cell reports", "Stem Cell Reports", "2213-6711", "United States"),
    ("Cell stem cell", "Cell Stem Cell", "1875-9777", "United States"),
    ("Journal of molecular and cellular cardiology", "J Mol Cell Cardiol", "1095-8584", "England"),
    ("ESC heart failure", "ESC Heart Fail", "2055-5822", "England"),
    ("Journal of cardiac failure", "J Card Fail", "1532-8414", "United States"),
)
# ISO abbreviations per kind (textgen.JOURNALS positions are looked up by topic_ipsc.py).
CARDIO = ("Circulation", "Circ Res", "Eur Heart J", "JACC Basic Transl Sci", "J Mol Cell Cardiol")
STEM = (
    "Stem Cell Res Ther",
    "Stem Cells",
    "Cell Transplant",
    "Stem Cell Reports",
    "Cell Stem Cell",
)
FAILURE = ("ESC Heart Fail", "J Card Fail", "Eur Heart J", "Circulation")
GENERAL = ("Sci Rep", "PLoS One")
JOURNALS_BY_KIND = {
    "ipsc_core": CARDIO + STEM,
    "ipsc_other": STEM + GENERAL,
    "hf_other": FAILURE + GENERAL,
    "ipsc_split": CARDIO + STEM,
}

# MeSH descriptor -> UI, merged into textgen.MESH_UI.
MESH_UI: dict[str, str] = {
    "Induced Pluripotent Stem Cells": "D057026",
    "Heart Failure": "D006333",
    "Heart Failure, Systolic": "D054143",
    "Heart Failure, Diastolic": "D054144",
    "Myocytes, Cardiac": "D032383",
    "Tissue Engineering": "D023822",
    "Embryonic Stem Cells": "D053595",
    "Cellular Reprogramming": "D063646",
    "Parkinson Disease": "D010300",
    "Macular Degeneration": "D008268",
    "Diabetes Mellitus, Type 1": "D003922",
    "Long QT Syndrome": "D008133",
    "Cardiotoxicity": "D066126",
    "Spinal Cord Injuries": "D013119",
    "Thrombocytopenia": "D013921",
    "Swine": "D013552",
    "Macaca fascicularis": "D008252",
    "Guinea Pigs": "D006168",
}

# Conditions holding "heart failure", with the heading that indexes them.
HF_CONDITIONS: tuple[tuple[str, str], ...] = (
    ("heart failure", "Heart Failure"),
    ("chronic heart failure", "Heart Failure"),
    ("ischemic heart failure", "Heart Failure"),
    ("heart failure with reduced ejection fraction", "Heart Failure, Systolic"),
    ("heart failure with preserved ejection fraction", "Heart Failure, Diastolic"),
    ("heart failure after myocardial infarction", "Heart Failure"),
    ("advanced heart failure", "Heart Failure"),
)
# Left ventricular dysfunction without the words "heart failure": only the heading finds it.
LV_DYSFUNCTION: tuple[tuple[str, str], ...] = (
    ("left ventricular systolic dysfunction", "Heart Failure, Systolic"),
    ("left ventricular diastolic dysfunction", "Heart Failure, Diastolic"),
)
IPSC_SINGULAR = ("induced pluripotent stem cell", "human induced pluripotent stem cell")
VERBS = ("improve", "attenuate", "restore contractile function in", "reverse remodelling in")
ANIMALS = (
    ("mice", "Mice"),
    ("rats", "Rats"),
    ("a porcine model", "Swine"),
    ("non-human primates", "Macaca fascicularis"),
    ("guinea pigs", "Guinea Pigs"),
)
HUMANS = ("patients", "a first-in-human study", "a phase I trial")
FINDINGS = (
    "no teratomas formed",
    "transient ventricular tachycardia resolved within four weeks",
    "grafts were rejected without immunosuppression",
    "engraftment fell below ten percent after three months",
)
OTHER_USES: tuple[tuple[str, str, str], ...] = (  # cell type, condition, heading
    ("dopaminergic neurons", "Parkinson's disease", "Parkinson Disease"),
    ("retinal pigment epithelium", "age-related macular degeneration", "Macular Degeneration"),
    ("pancreatic beta cells", "type 1 diabetes", "Diabetes Mellitus, Type 1"),
    ("cardiomyocytes", "drug-induced QT prolongation", "Long QT Syndrome"),
    ("cardiomyocytes", "doxorubicin cardiotoxicity", "Cardiotoxicity"),
    ("neural progenitor cells", "spinal cord injury", "Spinal Cord Injuries"),
    ("megakaryocytes and platelets", "thrombocytopenia", "Thrombocytopenia"),
    ("cardiomyocytes", "maturation in three-dimensional culture", "Myocytes, Cardiac"),
)
TREATMENTS = (
    "sacubitril/valsartan",
    "SGLT2 inhibitors",
    "cardiac resynchronization therapy",
    "left ventricular assist device support",
    "intravenous iron",
    "exercise training",
    "mesenchymal stem cell therapy",
    "bone marrow mononuclear cell therapy",
)
STUDY_KINDS = ("Effect of", "Long-term outcomes of", "Cost-effectiveness of", "Safety of")
DESIGNS = ("a randomized trial", "a cohort study", "a meta-analysis", "a registry analysis")
POPULATIONS = ("older adults", "a nationwide cohort", "patients with diabetes", "women")


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _model(rng: random.Random, clinical: bool) -> tuple[str, list[str]]:
    if clinical or rng.random() < 0.15:
        return rng.choice(HUMANS), ["Humans"]
    phrase, heading = rng.choice(ANIMALS)
    return phrase, ["Animals", heading]


def _core_title(rng: random.Random, style: float, cond: str, model: str) -> tuple[str, str]:
    """(title, how the abstract names the cells) for a matching record's style."""
    ipsc, verb = rng.choice(IPSC_SINGULAR), rng.choice(VERBS)
    derived = f"{ipsc}-derived cardiomyocytes"
    if style < 0.40:
        return f"{_cap(derived)} {verb} {cond} in {model}.", derived
    if style < 0.55:
        return f"Engineered heart muscle from {ipsc}s {verb} {cond} in {model}.", derived
    if style < 0.70:  # the iPSC phrase only in the abstract
        return f"Cardiomyocyte transplantation for {cond} in {model}.", derived
    if style < 0.80:  # the iPSC phrase nowhere in the text: MeSH only
        return f"hiPSC-derived cardiac patches {verb} {cond} in {model}.", "hiPSC-CMs"
    if style < 0.90:  # `cond` is an LV dysfunction: heart failure by MeSH only
        return f"{_cap(derived)} {verb} {cond} in {model}.", derived
    return f"Modelling {cond} with patient-specific {derived}.", derived


def ipsc_core_text(rng: random.Random, clinical: bool) -> tuple[str, str, list[str]]:
    """Title, abstract and MeSH of a record the second topic's query must match."""
    style = rng.random()
    table = LV_DYSFUNCTION if 0.80 <= style < 0.90 else HF_CONDITIONS
    cond, cond_mesh = rng.choice(table)
    model, checks = _model(rng, clinical or style >= 0.90)  # disease modelling: human cells
    title, cells = _core_title(rng, style, cond, model)
    abstract = (
        f"Background: {_cap(cond)} remains a leading cause of death. Methods: we delivered "
        f"{cells} to {model} and followed left ventricular function by echocardiography and "
        f"magnetic resonance imaging. Results: grafted cells coupled electrically with host "
        f"myocardium and ejection fraction improved; {rng.choice(FINDINGS)}."
    )
    mesh = [cond_mesh, "Myocytes, Cardiac"]
    if 0.70 <= style < 0.80 or rng.random() < 0.7:
        mesh.insert(1, "Induced Pluripotent Stem Cells")
    if 0.40 <= style < 0.55:
        mesh.append("Tissue Engineering")
    return title, abstract, mesh + checks


def ipsc_other_text(rng: random.Random) -> tuple[str, str, list[str]]:
    """iPSC papers that never name heart failure."""
    cell, cond, heading = rng.choice(OTHER_USES)
    model, checks = _model(rng, False)
    if rng.random() < 0.5:
        title = f"{_cap(rng.choice(IPSC_SINGULAR))}-derived {cell} for {cond}."
    else:
        title = f"{_cap(cell)} derived from induced pluripotent stem cells in {cond}."
    abstract = (
        f"We differentiated induced pluripotent stem cells into {cell} and characterised them "
        f"in vitro and in {model}, with attention to purity, maturity and tumorigenicity."
    )
    return (
        title,
        abstract,
        ["Induced Pluripotent Stem Cells", heading, "Cell Differentiation", *checks],
    )


def hf_other_text(rng: random.Random) -> tuple[str, str, list[str]]:
    """Heart failure papers with no induced pluripotent stem cell anywhere."""
    cond, heading = rng.choice(HF_CONDITIONS)
    treatment = rng.choice(TREATMENTS)
    title = f"{rng.choice(STUDY_KINDS)} {treatment} in {cond}: {rng.choice(DESIGNS)}."
    abstract = (
        f"{_cap(treatment)} was evaluated in {rng.choice(POPULATIONS)} with {cond}. "
        f"Hospitalization for heart failure and cardiovascular death were recorded."
    )
    mesh = [heading]
    if treatment.startswith("mesenchymal"):
        mesh.append("Mesenchymal Stem Cell Transplantation")
    return title, abstract, [*mesh, "Humans"]


def ipsc_split_text(rng: random.Random) -> tuple[str, str, list[str]]:
    """Induced, pluripotent and stem cells in heart failure, never as the phrase."""
    cond, heading = rng.choice(HF_CONDITIONS)
    roll = rng.random()
    if roll < 0.4:
        title = (
            f"Pluripotent stem cell-derived cardiomyocytes for {cond}: lessons from embryonic "
            "stem cells."
        )
        mesh = ["Embryonic Stem Cells", heading, "Humans"]
    elif roll < 0.7:
        title = f"Cardiomyocytes induced from fibroblasts by direct reprogramming in {cond}."
        mesh = ["Cellular Reprogramming", heading, "Animals", "Mice"]
    else:
        title = f"Somatic cells induced to pluripotency as a source of cardiomyocytes in {cond}."
        mesh = ["Cellular Reprogramming", heading, "Humans"]
    abstract = (
        f"We review cells induced to a pluripotent state, embryonic stem cells and direct "
        f"reprogramming as sources of new cardiomyocytes in {cond}."
    )
    return title, abstract, mesh
