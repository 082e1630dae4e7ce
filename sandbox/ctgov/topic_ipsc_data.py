"""Static material of the second topic's ClinicalTrials.gov trials (see `topic_ipsc.py`).

Plain data only, like `corpus_data.py` (which merges MESH and PROFILES below into its own, so
`records.py` renders these trials' MeSH terms). Nothing here holds the word "liver", so no
trial of this topic can match the default review's query.
"""

from __future__ import annotations

# Hand-laid data tables: keep them dense and readable.
# fmt: off

# country -> sites: (facility, city, lat, lon); the first site's facility is the usual sponsor.
SITES: dict[str, list[tuple[str, str, float, float]]] = {
    "Japan": [
        ("Osaka University Hospital", "Suita", 34.76143, 135.51567),
        ("Keio University Hospital", "Tokyo", 35.6895, 139.69171),
        ("Kyoto University Hospital", "Kyoto", 35.02107, 135.75385),
        ("Juntendo University Hospital", "Tokyo", 35.6895, 139.69171),
    ],
    "United States": [
        ("Stanford University Hospital", "Stanford", 37.42411, -122.16608),
        ("Cedars-Sinai Medical Center", "Los Angeles", 34.05223, -118.24368),
        ("University of Wisconsin Hospital and Clinics", "Madison", 43.07305, -89.40123),
        ("Massachusetts General Hospital", "Boston", 42.35843, -71.05977),
    ],
    "China": [
        ("Zhongshan Hospital, Fudan University", "Shanghai", 31.22222, 121.45806),
        ("Beijing Anzhen Hospital", "Beijing", 39.9075, 116.39723),
        ("West China Hospital, Sichuan University", "Chengdu", 30.66667, 104.06667),
        ("Nanjing First Hospital", "Nanjing", 32.06167, 118.77778),
    ],
    "Germany": [
        ("University Medical Center Goettingen", "Goettingen", 51.53443, 9.93228),
        ("Hannover Medical School", "Hannover", 52.37052, 9.73322),
        ("Charite University Hospital", "Berlin", 52.52437, 13.41053),
    ],
    "Netherlands": [("University Medical Center Utrecht", "Utrecht", 52.09083, 5.12222)],
    "Korea, Republic of": [("Seoul National University Hospital", "Seoul", 37.566, 126.9784)],
}
SURNAMES = {
    "Japan": ["Tanaka", "Suzuki", "Sato", "Yamamoto", "Kobayashi"],
    "United States": ["Smith", "Johnson", "Miller", "Davis"],
    "China": ["Wang", "Li", "Zhang", "Liu"],
    "Germany": ["Muller", "Schmidt", "Weber", "Fischer"],
    "Netherlands": ["de Vries", "Jansen"],
    "Korea, Republic of": ["Kim", "Park", "Lee"],
}

# Location plans of the matching trials (as in corpus_data: "A+B" one site per country, ""
# no locations, "?" a site whose record lacks the country). Counts fixed, order by the seed.
PLAN_BY_CUTOFF = (
    ["Japan"] * 5 + ["United States"] * 4 + ["China"] * 4 + ["Germany"] * 2
    + ["Germany+Netherlands", "Japan+United States", "", "?"]
)
PLAN_AFTER_CUTOFF = ["Japan", "China", "China", "United States", "Korea, Republic of"]
STATUS_BY_CUTOFF = (
    ["COMPLETED"] * 4 + ["RECRUITING"] * 5 + ["ACTIVE_NOT_RECRUITING"] * 3 + ["UNKNOWN"] * 2
    + ["NOT_YET_RECRUITING", "TERMINATED", "WITHDRAWN", "ENROLLING_BY_INVITATION", "SUSPENDED"]
)
STATUS_AFTER_CUTOFF = ["RECRUITING"] * 2 + ["NOT_YET_RECRUITING"] * 3
PHASE_CHOICES = (
    ["PHASE1"], ["PHASE1"], ["PHASE1", "PHASE2"], ["PHASE2"], ["EARLY_PHASE1"], ["NA"],
)

# MeSH (short id -> term), merged into corpus_data.MESH.
MESH = {
    "D006333": "Heart Failure", "D006331": "Heart Diseases",
    "D002318": "Cardiovascular Diseases", "D009202": "Cardiomyopathies",
    "D002311": "Cardiomyopathy, Dilated", "D017202": "Myocardial Ischemia",
    "D014652": "Vascular Diseases", "D009203": "Myocardial Infarction",
    "D007238": "Infarction", "D007511": "Ischemia", "D009336": "Necrosis",
    "D010300": "Parkinson Disease", "D020734": "Parkinsonian Disorders",
    "D001480": "Basal Ganglia Diseases", "D001927": "Brain Diseases",
    "D002493": "Central Nervous System Diseases", "D009069": "Movement Disorders",
    "D019636": "Neurodegenerative Diseases", "D008268": "Macular Degeneration",
    "D012162": "Retinal Degeneration", "D012164": "Retinal Diseases", "D005128": "Eye Diseases",
    "D008133": "Long QT Syndrome", "D001145": "Arrhythmias, Cardiac",
    "D066126": "Cardiotoxicity", "D064420": "Drug-Related Side Effects and Adverse Reactions",
    "D064419": "Chemically-Induced Disorders", "D013921": "Thrombocytopenia",
    "D001791": "Blood Platelet Disorders", "D006402": "Hematologic Diseases",
}
_HEART = ["D006331", "D002318"]
_ISCHEMIA = ["D017202", "D014652"]
# profile -> (meshes, ancestors), merged into corpus_data.PROFILES
PROFILES: dict[str, tuple[list[str], list[str]]] = {
    "heart_failure": (["D006333"], _HEART),
    "ischemic_hf": (["D009202", "D017202", "D006333"], _HEART + ["D014652"]),
    "dcm": (["D002311"], ["D009202"] + _HEART),
    "post_mi_hf": (["D006333", "D009203"],
                   _HEART + _ISCHEMIA + ["D007238", "D007511", "D009336", "D010335"]),
    "ischemia": (["D017202"], _HEART + ["D014652"]),
    "parkinson": (["D010300"], ["D020734", "D001480", "D001927", "D002493", "D009422",
                                "D009069", "D019636"]),
    "amd": (["D008268"], ["D012162", "D012164", "D005128"]),
    "long_qt": (["D008133"], ["D001145"] + _HEART),
    "cardiotox": (["D066126"], ["D064420", "D064419"]),
    "platelets": (["D013921"], ["D001791", "D006402"]),
}

# Matching conditions: (conditions, keywords, profile, phrase used in titles and summaries).
# Every phrase says "heart failure"; a dilated cardiomyopathy trial has it only there.
CONDITIONS = [
    (["Heart Failure"], ["iPSC", "cardiomyocyte"], "heart_failure", "Heart Failure"),
    (["Ischemic Cardiomyopathy", "Heart Failure"], ["ischemic heart disease"], "ischemic_hf",
     "Heart Failure Due to Ischemic Cardiomyopathy"),
    (["Dilated Cardiomyopathy"], ["DCM"], "dcm", "Heart Failure With Dilated Cardiomyopathy"),
    (["Heart Failure With Reduced Ejection Fraction"], ["HFrEF"], "heart_failure",
     "Heart Failure With Reduced Ejection Fraction"),
    (["Chronic Heart Failure", "Myocardial Infarction"], ["myocardial infarction"],
     "post_mi_hf", "Chronic Heart Failure After Myocardial Infarction"),
    (["Advanced Heart Failure"], ["LVAD", "bridge to transplantation"], "heart_failure",
     "Advanced Heart Failure"),
]
# Cell products: (title words, summary wording, other names); every wording names induced
# pluripotent stem cells.
PRODUCTS = [
    ("iPSC-Derived Cardiomyocyte Sheets",
     "allogeneic human induced pluripotent stem cell-derived cardiomyocyte sheets",
     ["hiPSC-CM sheets"]),
    ("iPSC-Derived Cardiomyocyte Spheroids",
     "spheroids of allogeneic induced pluripotent stem cell-derived cardiomyocytes", ["ICS-01"]),
    ("Engineered Heart Muscle",
     "engineered heart muscle made of induced pluripotent stem cell-derived cardiomyocytes and "
     "stromal cells", ["EHM patch"]),
    ("iPSC-Derived Cardiomyocytes", "induced pluripotent stem cell-derived cardiomyocytes",
     ["hiPSC-CMs"]),
    ("iPSC-Derived Cardiovascular Progenitor Cells",
     "cardiovascular progenitor cells derived from induced pluripotent stem cells", ["iCPC"]),
    ("Extracellular Vesicles From iPSC-Derived Cardiomyocytes",
     "extracellular vesicles secreted by induced pluripotent stem cell-derived cardiomyocytes",
     ["iCM-EV"]),
]
ROUTES = [
    "epicardial placement during coronary artery bypass grafting",
    "transendocardial injection with a catheter system",
    "intramyocardial injection through a left mini-thoracotomy",
    "intracoronary infusion",
]
TITLE_PATTERNS = [
    "{product} for {cond}",
    "Safety of {product} in Patients With {cond}",
    "First-in-Human Study of {product} in {cond}",
    "A Phase {phase} Trial of {product} in {cond}",
    "Dose-Escalation Study of {product} in {cond}",
]
DOSES = ["1 x 10^7 cells", "5 x 10^7 cells", "1 x 10^8 cells", "3 x 10^8 cells"]

# Near misses, none of which may match "induced pluripotent stem cell AND heart failure" (each
# lacks at least one of the six words) nor the default review's query (no "liver"):
# (title, conditions, profile, intervention type, intervention name, summary, country).
NEAR_MISSES = [
    ("Human Embryonic Stem Cell-Derived Cardiac Progenitors in Severe Heart Failure",
     ["Heart Failure"], "heart_failure", "BIOLOGICAL",
     "Embryonic stem cell-derived cardiac progenitor cells",
     "An epicardial patch of cardiac progenitors derived from pluripotent embryonic stem cells "
     "in severe heart failure.", "Germany"),
    ("Autologous Mesenchymal Stem Cells in Chronic Ischemic Heart Failure",
     ["Heart Failure", "Ischemic Cardiomyopathy"], "ischemic_hf", "BIOLOGICAL",
     "Autologous bone marrow mesenchymal stem cells",
     "Transendocardial injection of autologous mesenchymal stem cells in chronic ischemic "
     "heart failure.", "United States"),
    ("Sacubitril/Valsartan in Heart Failure With Preserved Ejection Fraction",
     ["Heart Failure With Preserved Ejection Fraction"], "heart_failure", "DRUG",
     "Sacubitril/valsartan",
     "Sacubitril/valsartan compared with valsartan in heart failure with preserved ejection "
     "fraction.", "Germany"),
    ("iPSC-Derived Cardiomyocyte Spheroids in Coronary Artery Bypass Surgery",
     ["Myocardial Ischemia"], "ischemia", "BIOLOGICAL",
     "Induced pluripotent stem cell-derived cardiomyocyte spheroids",
     "Cardiomyocyte spheroids made from induced pluripotent stem cells are injected into "
     "ischemic myocardium during coronary artery bypass surgery.", "Japan"),
    ("Induced Pluripotent Stem Cells From Patients With Long QT Syndrome",
     ["Long QT Syndrome"], "long_qt", "OTHER", "Blood draw for iPSC generation",
     "Patient-specific induced pluripotent stem cells are differentiated into cardiomyocytes "
     "to test drug effects on repolarization.", "China"),
    ("iPSC-Derived Cardiomyocytes to Predict Anthracycline Cardiotoxicity",
     ["Cardiotoxicity", "Breast Cancer"], "cardiotox", "OTHER",
     "Induced pluripotent stem cell-derived cardiomyocyte assay",
     "Cardiomyocytes derived from each patient's induced pluripotent stem cells are exposed "
     "to doxorubicin before chemotherapy.", "United States"),
    ("iPSC-Derived Dopaminergic Progenitors in Parkinson's Disease", ["Parkinson Disease"],
     "parkinson", "BIOLOGICAL", "Induced pluripotent stem cell-derived dopaminergic progenitors",
     "Bilateral putaminal transplantation of dopaminergic progenitors derived from induced "
     "pluripotent stem cells.", "Japan"),
    ("iPSC-Derived Retinal Pigment Epithelium in Age-Related Macular Degeneration",
     ["Macular Degeneration"], "amd", "BIOLOGICAL",
     "Induced pluripotent stem cell-derived retinal pigment epithelium",
     "Subretinal transplantation of a retinal pigment epithelium patch made from induced "
     "pluripotent stem cells.", "United States"),
    ("Autologous iPSC-Derived Platelets for Refractory Thrombocytopenia", ["Thrombocytopenia"],
     "platelets", "BIOLOGICAL", "Autologous induced pluripotent stem cell-derived platelets",
     "Transfusion of platelets manufactured from autologous induced pluripotent stem cells "
     "in alloimmune platelet transfusion refractoriness.", "Japan"),
]
# fmt: on
