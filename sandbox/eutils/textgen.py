"""Vocabulary and templates that give the synthetic PubMed records their text.

Every generator takes a `random.Random` so the corpus is a pure function of its seed. The
templates are written so that each record kind keeps its promise to the review query
`mesenchymal stem cell OR mesenchymal stromal cell AND liver [Title]`:

- "core" titles always hold the word "liver", and the record names a mesenchymal stem/stromal
  cell in its title, abstract or MeSH headings: it matches;
- "msc_other" records name MSCs but never put "liver" in the title (some say "hepatic", some
  have "liver" in the abstract): they separate `A OR (B AND C)` from `(A OR B) AND C` and
  `liver[ti]` from `liver[tiab]`;
- "liver" records are about the liver with no MSC phrase anywhere: the broad background that
  makes `liver[tiab]` exceed 9,999 hits;
- "split_phrase" records hold the words mesenchymal, stem and cell but never as a phrase;
- "other" records are about neither.
"""

from __future__ import annotations

import random

from sandbox.eutils import topic_ipsc_text

# (full title, ISO abbreviation, ISSN, country): real journals of the field.
JOURNALS: tuple[tuple[str, str, str, str], ...] = (
    ("Stem cell research & therapy", "Stem Cell Res Ther", "1757-6512", "England"),
    ("Hepatology (Baltimore, Md.)", "Hepatology", "1527-3350", "United States"),
    ("Journal of hepatology", "J Hepatol", "1600-0641", "Netherlands"),
    ("World journal of gastroenterology", "World J Gastroenterol", "2219-2840", "United States"),
    ("Stem cells (Dayton, Ohio)", "Stem Cells", "1549-4918", "England"),
    ("Cell transplantation", "Cell Transplant", "1555-3892", "United States"),
    ("Cytotherapy", "Cytotherapy", "1477-2566", "England"),
    ("Liver international", "Liver Int", "1478-3231", "United States"),
    ("Stem cells international", "Stem Cells Int", "1687-966X", "United States"),
    ("Scientific reports", "Sci Rep", "2045-2322", "England"),
    ("PloS one", "PLoS One", "1932-6203", "United States"),
    ("Gastroenterology", "Gastroenterology", "1528-0012", "United States"),
    ("Journal of cellular and molecular medicine", "J Cell Mol Med", "1582-4934", "England"),
    ("Hepatology international", "Hepatol Int", "1936-0541", "United States"),
    (
        "Clinical gastroenterology and hepatology",
        "Clin Gastroenterol Hepatol",
        "1542-7714",
        "United States",
    ),
    ("Circulation", "Circulation", "1524-4539", "United States"),
) + topic_ipsc_text.JOURNALS  # the second topic's journals come last (topic_ipsc_text.py)
STEM_CELL_JOURNALS = (0, 4, 5, 6, 8, 12)
LIVER_JOURNALS = (1, 2, 3, 7, 11, 13, 14)
GENERAL_JOURNALS = (9, 10, 12)

# MeSH descriptor -> UI, for the headings the corpus uses.
MESH_UI: dict[str, str] = {
    "Mesenchymal Stem Cells": "D059630",
    "Mesenchymal Stem Cell Transplantation": "D045164",
    "Liver Cirrhosis": "D008103",
    "Liver Cirrhosis, Experimental": "D008106",
    "Liver Diseases": "D008107",
    "Liver": "D008099",
    "Liver Failure, Acute": "D017114",
    "Acute-On-Chronic Liver Failure": "D065290",
    "End Stage Liver Disease": "D058625",
    "Liver Regeneration": "D008115",
    "Non-alcoholic Fatty Liver Disease": "D065626",
    "Chemical and Drug Induced Liver Injury": "D056486",
    "Carcinoma, Hepatocellular": "D006528",
    "Liver Neoplasms": "D008113",
    "Liver Transplantation": "D016031",
    "Hepatocytes": "D022781",
    "Hepatic Stellate Cells": "D055166",
    "Cell Differentiation": "D002454",
    "Bone Marrow Cells": "D001854",
    "Osteoarthritis": "D010003",
    "Myocardial Infarction": "D009203",
    "Acute Kidney Injury": "D058186",
    "Graft vs Host Disease": "D006086",
    "Wound Healing": "D014945",
    "Humans": "D006801",
    "Animals": "D000818",
    "Mice": "D051379",
    "Rats": "D051381",
    "Male": "D008297",
    "Female": "D005260",
}
MESH_UI.update(topic_ipsc_text.MESH_UI)  # the second topic's headings
CHECK_TAGS = frozenset({"Humans", "Animals", "Mice", "Rats", "Male", "Female"})

PUBTYPE_UI: dict[str, str] = {
    "Journal Article": "D016428",
    "Review": "D016454",
    "Systematic Review": "D000078182",
    "Meta-Analysis": "D017418",
    "Clinical Trial": "D016430",
    "Randomized Controlled Trial": "D016449",
    "Case Reports": "D002363",
    "Comparative Study": "D003160",
    "Research Support, Non-U.S. Gov't": "D013485",
}

# Liver conditions, each holding the word "liver", with the MeSH heading that indexes it.
LIVER_CONDITIONS: tuple[tuple[str, str], ...] = (
    ("liver fibrosis", "Liver Cirrhosis, Experimental"),
    ("liver cirrhosis", "Liver Cirrhosis"),
    ("decompensated liver cirrhosis", "Liver Cirrhosis"),
    ("acute liver failure", "Liver Failure, Acute"),
    ("acute-on-chronic liver failure", "Acute-On-Chronic Liver Failure"),
    ("end-stage liver disease", "End Stage Liver Disease"),
    ("chronic liver disease", "Liver Diseases"),
    ("carbon tetrachloride-induced liver injury", "Chemical and Drug Induced Liver Injury"),
    ("nonalcoholic fatty liver disease", "Non-alcoholic Fatty Liver Disease"),
    ("liver ischemia-reperfusion injury", "Liver Diseases"),
    ("liver regeneration after partial hepatectomy", "Liver Regeneration"),
    ("drug-induced liver injury", "Chemical and Drug Induced Liver Injury"),
)
MSC_FORMS = ("mesenchymal stem cells", "mesenchymal stromal cells", "mesenchymal stem cell")
SOURCES = (
    "Umbilical cord",
    "Bone marrow",
    "Adipose tissue",
    "Placenta",
    "Menstrual blood",
    "Wharton's jelly",
    "Amniotic membrane",
)
VERBS = ("attenuate", "ameliorate", "alleviate", "improve", "reverse", "protect against")
MECHANISMS = (
    "paracrine signalling",
    "inhibition of hepatic stellate cell activation",
    "modulation of macrophage polarization",
    "the TGF-beta/Smad pathway",
    "exosomal microRNA transfer",
    "suppression of hepatocyte apoptosis",
)
ANIMAL_MODELS = (
    ("mice", "Mice"),
    ("rats", "Rats"),
    ("a murine model", "Mice"),
    ("a rat model", "Rats"),
)
HUMAN_MODELS = (
    "patients",
    "a phase II trial",
    "a randomized controlled trial",
    "a single-centre cohort",
)
OTHER_CONDITIONS: tuple[tuple[str, str], ...] = (
    ("osteoarthritis", "Osteoarthritis"),
    ("myocardial infarction", "Myocardial Infarction"),
    ("acute kidney injury", "Acute Kidney Injury"),
    ("graft-versus-host disease", "Graft vs Host Disease"),
    ("diabetic wound healing", "Wound Healing"),
    ("hepatic fibrosis", "Liver Cirrhosis, Experimental"),
    ("hepatocellular carcinoma growth", "Carcinoma, Hepatocellular"),
)
LIVER_TOPICS: tuple[tuple[str, str], ...] = (
    ("hepatocellular carcinoma after liver transplantation", "Liver Transplantation"),
    ("liver stiffness", "Liver Cirrhosis"),
    ("nonalcoholic fatty liver disease", "Non-alcoholic Fatty Liver Disease"),
    ("alcohol-related liver disease", "Liver Diseases"),
    ("colorectal liver metastases", "Liver Neoplasms"),
    ("liver fibrosis", "Liver Cirrhosis"),
    ("drug-induced liver injury", "Chemical and Drug Induced Liver Injury"),
    ("hepatitis B-related liver cirrhosis", "Liver Cirrhosis"),
    ("hepatocyte proliferation in the regenerating liver", "Hepatocytes"),
    ("liver progenitor cells in chronic liver disease", "Liver Diseases"),
    ("hematopoietic stem cell mobilization in liver failure", "Liver Failure, Acute"),
)
STUDY_KINDS = (
    "Risk factors for",
    "Outcomes of",
    "Predictors of",
    "Incidence of",
    "Long-term follow-up of",
    "Biomarkers of",
    "Imaging of",
)
POPULATIONS = (
    "adults",
    "children",
    "older patients",
    "a nationwide cohort",
    "liver transplant recipients",
    "patients with type 2 diabetes",
)
OTHER_TOPICS = (
    "Statin therapy after acute coronary syndrome",
    "Outcomes of transcatheter aortic valve replacement",
    "Atrial fibrillation screening in primary care",
    "Blood pressure control in chronic kidney disease",
    "Sleep duration and cardiovascular risk",
)


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _species(rng: random.Random, human_share: float) -> tuple[str, list[str]]:
    """A study population phrase and its check-tag MeSH headings."""
    if rng.random() < human_share:
        return rng.choice(HUMAN_MODELS), ["Humans"]
    phrase, heading = rng.choice(ANIMAL_MODELS)
    return phrase, ["Animals", heading, rng.choice(("Male", "Female"))]


def core_text(rng: random.Random, clinical: bool) -> tuple[str, str, list[str]]:
    """Title, abstract and MeSH of a record the review query must match."""
    cond, cond_mesh = rng.choice(LIVER_CONDITIONS)
    model, checks = _species(rng, 1.0 if clinical else 0.35)
    msc = rng.choice(MSC_FORMS)
    style = rng.random()
    mesh = [cond_mesh]
    if style < 0.60:
        title = f"{_cap(msc)} {rng.choice(VERBS)} {cond} in {model}."
    elif style < 0.75:
        title = (
            f"{rng.choice(SOURCES)}-derived {msc} {rng.choice(VERBS)} {cond} via "
            f"{rng.choice(MECHANISMS)}."
        )
    elif style < 0.85:
        title = f"Exosomes from {msc} {rng.choice(VERBS)} {cond} in {model}."
    elif style < 0.95:
        # The MSC phrase is only in the abstract: ATM must look beyond the title.
        title = f"Cell therapy for {cond} in {model}: efficacy and safety."
    else:
        # Only the MeSH heading names MSCs: ATM must map to MeSH.
        title = f"Bone marrow cell infusion improves {cond} in {model}."
        msc = "bone marrow-derived cells"
        mesh.append("Mesenchymal Stem Cells")
    abstract = (
        f"Background: {_cap(cond)} has limited treatment options. Methods: we studied {msc} "
        f"in {model}, measuring serum albumin, bilirubin and fibrosis scores. Results: "
        f"treatment was associated with improved liver function and reduced collagen "
        f"deposition through {rng.choice(MECHANISMS)}. Conclusion: the approach merits "
        f"further study."
    )
    if style < 0.95 and rng.random() < 0.7:
        mesh.append("Mesenchymal Stem Cells")
    if rng.random() < 0.6:
        mesh.append("Mesenchymal Stem Cell Transplantation")
    return title, abstract, mesh + checks


def msc_other_text(rng: random.Random) -> tuple[str, str, list[str]]:
    """MSC papers without the word "liver" in the title."""
    cond, cond_mesh = rng.choice(OTHER_CONDITIONS)
    model, checks = _species(rng, 0.3)
    msc = rng.choice(MSC_FORMS)
    title = f"{_cap(msc)} {rng.choice(VERBS)} {cond} in {model}."
    organs = "the liver and lungs" if rng.random() < 0.25 else "the lungs and spleen"
    abstract = (
        f"We characterised {msc} from {rng.choice(SOURCES).lower()} and tested them in "
        f"{model} with {cond}. Labelled cells accumulated mainly in {organs} after "
        f"intravenous infusion and acted through {rng.choice(MECHANISMS)}."
    )
    return title, abstract, ["Mesenchymal Stem Cells", cond_mesh, *checks]


def liver_text(rng: random.Random) -> tuple[str, str, list[str]]:
    """Liver papers with no mesenchymal stem/stromal cell phrase anywhere."""
    topic, topic_mesh = rng.choice(LIVER_TOPICS)
    title = f"{rng.choice(STUDY_KINDS)} {topic} in {rng.choice(POPULATIONS)}."
    abstract = (
        f"This study examined {topic}. Liver biopsies, hepatocyte markers and serum "
        f"transaminases were analysed, and outcomes were compared across groups using "
        f"multivariable models."
    )
    return title, abstract, [topic_mesh, "Liver", "Humans"]


def split_phrase_text(rng: random.Random) -> tuple[str, str, list[str]]:
    """The words mesenchymal, stem and cell, never adjacent: not the phrase."""
    cond, cond_mesh = rng.choice(LIVER_CONDITIONS)
    title = rng.choice(
        (
            f"Mesenchymal and hematopoietic stem cells in {cond}.",
            f"Stem cells of mesenchymal origin in {cond}.",
        )
    )
    abstract = (
        f"We review how hematopoietic, mesenchymal and resident progenitor populations "
        f"contribute to repair in {cond}."
    )
    return title, abstract, [cond_mesh, "Humans"]


def other_text(rng: random.Random) -> tuple[str, str, list[str]]:
    topic = rng.choice(OTHER_TOPICS)
    title = f"{topic}: a {rng.choice(('cohort study', 'trial', 'registry analysis'))}."
    abstract = f"{topic} was assessed in {rng.choice(POPULATIONS)} over five years."
    return title, abstract, ["Humans"]


def pubtypes(rng: random.Random, clinical: bool) -> tuple[str, ...]:
    """Publication types in the order PubMed lists them (alphabetical)."""
    types = {"Journal Article"}
    if clinical:
        types.add("Clinical Trial")
        if rng.random() < 0.4:
            types.add("Randomized Controlled Trial")
    else:
        roll = rng.random()
        if roll < 0.15:
            types.add("Review")
        elif roll < 0.18:
            types.update(("Systematic Review", "Meta-Analysis", "Review"))
        elif roll < 0.20:
            types.add("Case Reports")
        elif roll < 0.25:
            types.add("Comparative Study")
    if rng.random() < 0.4:
        types.add("Research Support, Non-U.S. Gov't")
    return tuple(sorted(types))


AUTHOR_NAMES = (
    ("Wang", "Li"),
    ("Zhang", "Wei"),
    ("Chen", "Jing"),
    ("Kim", "Min-Jun"),
    ("Suk", "Ki Tae"),
    ("Garcia", "Maria"),
    ("Rossi", "Marco"),
    ("Muller", "Anna"),
    ("Smith", "John A"),
    ("Tanaka", "Hiroshi"),
    ("Kharaziha", "Parisa"),
    ("Mohamadnejad", "Mehdi"),
    ("El-Ansary", "Mahmoud"),
    ("Amer", "Mohamed"),
    ("Peng", "Liang"),
    ("Shi", "Ming"),
    ("Lin", "Bing-Liang"),
    ("Nguyen", "Thanh"),
)


def authors_for(pmid: int) -> list[tuple[str, str]]:
    """A stable author list derived from the PMID (not stored, to keep records small)."""
    count = 1 + pmid % 5
    return [AUTHOR_NAMES[(pmid // 7 + i * 5) % len(AUTHOR_NAMES)] for i in range(count)]
