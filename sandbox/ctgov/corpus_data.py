"""Static material the synthetic ClinicalTrials.gov corpus is assembled from.

Plain data only: sites per country (with the registry's own country spellings), MeSH profiles
of conditions, cell products, infusion routes, and the non-matching "near-miss" trials.
`corpus.py` combines these with a seeded random generator.
"""

from __future__ import annotations

from sandbox.ctgov import topic_ipsc_data

# Hand-laid data tables: keep them dense and readable.
# fmt: off

# The registry's country spellings (reference/README.md): "Korea, Republic of",
# "Iran, Islamic Republic of", "Turkey (Türkiye)", "Czechia", "Taiwan", "Vietnam".
# country -> sites: (facility, city, lat, lon); the first site's facility is the usual sponsor.
SITES: dict[str, list[tuple[str, str, float, float]]] = {
    "China": [
        ("Beijing 302 Hospital", "Beijing", 39.9075, 116.39723),
        ("Third Affiliated Hospital of Sun Yat-sen University", "Guangzhou", 23.11667, 113.25),
        ("Nanfang Hospital, Southern Medical University", "Guangzhou", 23.11667, 113.25),
        ("Shanghai Tongji Hospital", "Shanghai", 31.22222, 121.45806),
        ("Tongji Hospital, Huazhong University of Science and Technology", "Wuhan", 30.58333,
         114.26667),
        ("First Affiliated Hospital, Zhejiang University", "Hangzhou", 30.29365, 120.16142),
        ("Nanjing Drum Tower Hospital", "Nanjing", 32.06167, 118.77778),
        ("Southwest Hospital, Third Military Medical University", "Chongqing", 29.56278,
         106.55278),
        ("Shenzhen Third People's Hospital", "Shenzhen", 22.54554, 114.0683),
    ],
    "Iran, Islamic Republic of": [
        ("Royan Institute", "Tehran", 35.69439, 51.42151),
        ("Shiraz University of Medical Sciences", "Shiraz", 29.61031, 52.53113),
    ],
    "Egypt": [
        ("Ain Shams University Hospitals", "Cairo", 30.06263, 31.24967),
        ("Cairo University, Kasr Al Ainy", "Cairo", 30.06263, 31.24967),
        ("Mansoura University Gastroenterology Center", "Mansoura", 31.03637, 31.38069),
    ],
    "Korea, Republic of": [
        ("Wonju Severance Christian Hospital", "Wonju", 37.35139, 127.94528),
        ("Severance Hospital, Yonsei University", "Seoul", 37.566, 126.9784),
        ("Chuncheon Sacred Heart Hospital", "Chuncheon", 37.87472, 127.73417),
    ],
    "Spain": [
        ("Hospital Clinic de Barcelona", "Barcelona", 41.38879, 2.15899),
        ("Hospital Universitario La Paz", "Madrid", 40.4165, -3.70256),
    ],
    "United States": [
        ("University of Pittsburgh Medical Center", "Pittsburgh", 40.44062, -79.99589),
        ("Mayo Clinic", "Rochester", 44.02163, -92.4699),
        ("Baylor College of Medicine", "Houston", 29.76328, -95.36327),
    ],
    "India": [
        ("Institute of Liver and Biliary Sciences", "New Delhi", 28.63576, 77.22445),
        ("Postgraduate Institute of Medical Education and Research", "Chandigarh", 30.73629,
         76.7884),
    ],
    "Brazil": [("Hospital de Clinicas de Porto Alegre", "Porto Alegre", -30.03306, -51.23)],
    "Indonesia": [("Cipto Mangunkusumo Hospital", "Jakarta", -6.21462, 106.84513)],
    "Pakistan": [("Shaikh Zayed Hospital", "Lahore", 31.558, 74.35071)],
    "Vietnam": [("Vinmec International Hospital", "Hanoi", 21.0245, 105.84117)],
    "Japan": [("Yamaguchi University Hospital", "Ube", 33.94306, 131.25111)],
    "Taiwan": [("National Taiwan University Hospital", "Taipei", 25.04776, 121.53185)],
    "Turkey (Türkiye)": [("Gulhane Military Medical Academy", "Ankara", 39.91987, 32.85427)],
    "Belarus": [("Minsk Scientific and Practical Center of Surgery", "Minsk", 53.9, 27.56667)],
    "Belgium": [("Cliniques Universitaires Saint-Luc", "Brussels", 50.85045, 4.34878)],
    "Canada": [("Toronto General Hospital", "Toronto", 43.70011, -79.4163)],
    "Czechia": [("Institute for Clinical and Experimental Medicine", "Prague", 50.08804,
                 14.42076)],
    "Poland": [("Medical University of Warsaw", "Warsaw", 52.22977, 21.01178)],
    "United Kingdom": [("Queen Elizabeth Hospital Birmingham", "Birmingham", 52.48142,
                        -1.89983)],
    "Switzerland": [("Geneva University Hospitals", "Geneva", 46.20222, 6.14569)],
}

# Location plans for the synthetic matching trials: a country, several countries joined by
# "+", "" for a trial without locations, "?" for a site whose country the record lacks.
# Counts are fixed, the order is shuffled by the seed.
PLAN_BY_CUTOFF = (
    ["China"] * 22 + ["Iran, Islamic Republic of"] * 4 + ["Egypt"] * 3
    + ["Korea, Republic of"] * 3 + ["Spain"] * 2 + ["United States"] * 3 + ["India"] * 2
    + ["Brazil", "Indonesia", "Pakistan", "Vietnam", "Japan", "Taiwan", "Turkey (Türkiye)",
       "Belarus"]
    + ["Spain+Belgium", "United States+Canada", "United Kingdom+Spain"] + ["", ""] + ["?"]
)
PLAN_AFTER_CUTOFF = (
    ["China"] * 9 + ["Iran, Islamic Republic of"] * 2 + ["Indonesia"] * 2
    + ["Egypt", "Vietnam", "Pakistan", "India", "United States", "Korea, Republic of",
       "Japan", "Turkey (Türkiye)", "Belarus", "Czechia+Poland", "", "?"]
)
STATUS_BY_CUTOFF = (
    ["COMPLETED"] * 16 + ["UNKNOWN"] * 18 + ["RECRUITING"] * 5 + ["TERMINATED"] * 3
    + ["WITHDRAWN"] * 3 + ["ACTIVE_NOT_RECRUITING"] * 3 + ["NOT_YET_RECRUITING"] * 2
    + ["ENROLLING_BY_INVITATION"] * 2 + ["SUSPENDED"]
)
STATUS_AFTER_CUTOFF = (
    ["RECRUITING"] * 9 + ["NOT_YET_RECRUITING"] * 6 + ["COMPLETED"] * 3
    + ["ACTIVE_NOT_RECRUITING"] * 2 + ["UNKNOWN"] * 2
    + ["WITHDRAWN", "ENROLLING_BY_INVITATION", "TERMINATED"]
)
PHASE_CHOICES = (
    ["PHASE1"], ["PHASE2"], ["PHASE1", "PHASE2"], ["PHASE1", "PHASE2"], ["PHASE2", "PHASE3"],
    ["PHASE3"], ["EARLY_PHASE1"], ["NA"], None,
)

# MeSH: short id -> term. Ids are written into records as "D" + 9 digits, as the API does.
MESH = {
    "D008103": "Liver Cirrhosis", "D005355": "Fibrosis", "D010335": "Pathologic Processes",
    "D008107": "Liver Diseases", "D004066": "Digestive System Diseases",
    "D017093": "Liver Failure", "D048550": "Hepatic Insufficiency",
    "D065290": "Acute-On-Chronic Liver Failure", "D058625": "End Stage Liver Disease",
    "D008105": "Liver Cirrhosis, Biliary", "D001660": "Biliary Tract Diseases",
    "D008104": "Liver Cirrhosis, Alcoholic", "D008108": "Liver Diseases, Alcoholic",
    "D019973": "Alcohol-Related Disorders", "D019966": "Substance-Related Disorders",
    "D019694": "Hepatitis B, Chronic", "D006509": "Hepatitis B", "D006521": "Hepatitis, Chronic",
    "D006505": "Hepatitis", "D006525": "Hepatitis, Viral, Human", "D014777": "Virus Diseases",
    "D007239": "Infections", "D006526": "Hepatitis C", "D019693": "Hepatitis, Autoimmune",
    "D001327": "Autoimmune Diseases", "D007154": "Immune System Diseases",
    "D020370": "Osteoarthritis, Knee", "D010003": "Osteoarthritis", "D001168": "Arthritis",
    "D007592": "Joint Diseases", "D009140": "Musculoskeletal Diseases",
    "D006086": "Graft vs Host Disease", "D012128": "Respiratory Distress Syndrome",
    "D008171": "Lung Diseases", "D012140": "Respiratory Tract Diseases",
    "D003424": "Crohn Disease", "D015212": "Inflammatory Bowel Diseases",
    "D005767": "Gastrointestinal Diseases", "D007410": "Intestinal Diseases",
    "D009103": "Multiple Sclerosis", "D009422": "Nervous System Diseases",
    "D006530": "Hepatorenal Syndrome", "D007674": "Kidney Diseases",
    "D006501": "Hepatic Encephalopathy", "D001928": "Brain Diseases, Metabolic",
}
_LIVER = ["D008107", "D004066"]
_CIRRHOSIS = ["D005355", "D010335"] + _LIVER
_FAILURE = ["D048550"] + _LIVER
# profile -> (meshes, ancestors)
PROFILES: dict[str, tuple[list[str], list[str]]] = {
    "cirrhosis": (["D008103"], _CIRRHOSIS),
    "hbv_cirrhosis": (["D008103", "D019694"],
                      _CIRRHOSIS + ["D006509", "D006521", "D006505", "D006525", "D014777",
                                    "D007239"]),
    "hcv_cirrhosis": (["D008103", "D006526"],
                      _CIRRHOSIS + ["D006505", "D006525", "D014777", "D007239"]),
    "alcoholic": (["D008104", "D008103"], _CIRRHOSIS + ["D008108", "D019973", "D019966"]),
    "failure": (["D017093"], _FAILURE),
    "hbv_failure": (["D017093", "D019694"],
                    _FAILURE + ["D006509", "D006505", "D014777", "D007239"]),
    "aclf": (["D065290", "D017093"], _FAILURE + ["D058625"]),
    "pbc": (["D008105"], ["D008103", "D001660"] + _CIRRHOSIS),
    "aih": (["D019693"], ["D006505", "D001327", "D007154"] + _LIVER),
    "knee": (["D020370"], ["D010003", "D001168", "D007592", "D009140"]),
    "gvhd": (["D006086"], ["D007154"]),
    "ards": (["D012128"], ["D008171", "D012140"]),
    "crohn": (["D003424"], ["D015212", "D007410", "D005767", "D004066"]),
    "ms": (["D009103"], ["D001327", "D009422", "D007154"]),
    "hrs": (["D006530"], ["D007674"] + _LIVER),
    "he": (["D006501"], ["D001928"] + _LIVER),
    "none": ([], []),
}

# Matching conditions: (conditions, keywords, profile, phrase used in titles and summaries)
CONDITIONS = [
    (["Liver Cirrhosis"], ["cirrhosis", "MSC"], "cirrhosis", "Liver Cirrhosis"),
    (["Decompensated Cirrhosis"], ["decompensated liver cirrhosis"], "cirrhosis",
     "Decompensated Liver Cirrhosis"),
    (["Liver Failure"], ["liver failure"], "failure", "Liver Failure"),
    (["Acute-On-Chronic Liver Failure"], ["ACLF", "hepatitis B"], "aclf",
     "Acute-on-Chronic Liver Failure"),
    (["Primary Biliary Cholangitis"], ["PBC", "ursodeoxycholic acid"], "pbc",
     "Primary Biliary Cholangitis"),
    (["Hepatitis B", "Liver Cirrhosis"], ["HBV"], "hbv_cirrhosis",
     "Hepatitis B Related Liver Cirrhosis"),
    (["Alcoholic Liver Cirrhosis"], ["alcohol"], "alcoholic", "Alcoholic Liver Cirrhosis"),
    (["Autoimmune Hepatitis", "Liver Cirrhosis"], ["autoimmune liver disease"], "aih",
     "Autoimmune Hepatitis With Cirrhosis"),
    (["End Stage Liver Disease"], ["MELD"], "aclf", "End-Stage Liver Disease"),
]

# Cell products: (title words, summary wording, other names, allogeneic?)
PRODUCTS = [
    ("Umbilical Cord Mesenchymal Stem Cells",
     "allogeneic human umbilical cord-derived mesenchymal stem cells", ["UC-MSC"]),
    ("Autologous Bone Marrow Mesenchymal Stem Cells",
     "autologous bone marrow-derived mesenchymal stem cells", ["BM-MSC"]),
    ("Adipose-Derived Mesenchymal Stem Cells",
     "adipose tissue-derived mesenchymal stem cells", ["AD-MSC"]),
    ("Wharton's Jelly Mesenchymal Stromal Cells",
     "Wharton's jelly mesenchymal stem cells (stromal cells of the umbilical cord)", ["WJ-MSC"]),
    ("Menstrual Blood-Derived Mesenchymal Stem Cells",
     "menstrual blood-derived mesenchymal stem cells", ["MenSC"]),
    ("Placenta-Derived Mesenchymal Stem Cells", "placenta-derived mesenchymal stem cells",
     ["PD-MSC"]),
]
# Infusion routes as written into arm and intervention descriptions.
ROUTES = [
    "a peripheral vein", "a peripheral vein", "a peripheral vein", "the hepatic artery",
    "the hepatic artery", "the portal vein", "intrasplenic injection",
]
TITLE_PATTERNS = [
    "Safety and Efficacy of {product} in {cond}",
    "{product} Transplantation for {cond}",
    "A Randomized Trial of {product} in Patients With {cond}",
    "{product} Infusion in {cond}: a Phase {phase} Study",
    "Long-term Follow-up of {product} Therapy for {cond}",
]

# Near misses, none of which may match "mesenchymal stem cell AND liver diseases":
# (title, conditions, profile, intervention type, intervention name, summary, country).
NEAR_MISSES = [
    ("Umbilical Cord Mesenchymal Stem Cells for Knee Osteoarthritis", ["Knee Osteoarthritis"],
     "knee", "BIOLOGICAL", "Umbilical cord mesenchymal stem cells",
     "Intra-articular mesenchymal stem cells for cartilage repair in knee osteoarthritis.",
     "China"),
    ("Mesenchymal Stem Cells for Steroid-Refractory Acute Graft-versus-Host Disease",
     ["Graft Vs Host Disease"], "gvhd", "BIOLOGICAL", "Bone marrow mesenchymal stem cells",
     "Mesenchymal stem cells given for acute graft-versus-host disease after transplantation.",
     "United States"),
    ("Mesenchymal Stem Cells in COVID-19 Acute Respiratory Distress Syndrome",
     ["ARDS", "COVID-19"], "ards", "BIOLOGICAL", "Umbilical cord mesenchymal stem cells",
     "Intravenous mesenchymal stem cells for patients with moderate to severe ARDS.", "Spain"),
    ("Adipose-Derived Mesenchymal Stem Cells for Perianal Fistula in Crohn's Disease",
     ["Crohn Disease", "Perianal Fistula"], "crohn", "BIOLOGICAL", "Darvadstrocel",
     "Local injection of adipose-derived mesenchymal stem cells into complex perianal fistula.",
     "Belgium"),
    ("Autologous Mesenchymal Stem Cells in Progressive Multiple Sclerosis",
     ["Multiple Sclerosis"], "ms", "BIOLOGICAL", "Autologous mesenchymal stem cells",
     "Intrathecal mesenchymal stem cells in progressive multiple sclerosis.",
     "Iran, Islamic Republic of"),
    ("Albumin Infusions in Patients With Decompensated Cirrhosis", ["Decompensated Cirrhosis"],
     "cirrhosis", "DRUG", "Human albumin 20%",
     "Long-term albumin administration to prevent complications of decompensated liver "
     "cirrhosis.", "Spain"),
    ("Obeticholic Acid in Primary Biliary Cholangitis", ["Primary Biliary Cholangitis"], "pbc",
     "DRUG", "Obeticholic acid",
     "Obeticholic acid for patients with an inadequate response to ursodeoxycholic acid; "
     "a chronic liver disease of the small bile ducts.", "United States"),
    ("Terlipressin Plus Albumin for Hepatorenal Syndrome", ["Hepatorenal Syndrome"], "hrs",
     "DRUG", "Terlipressin", "Terlipressin for hepatorenal syndrome in liver cirrhosis.",
     "India"),
    ("G-CSF in Acute-on-Chronic Liver Failure", ["Acute-On-Chronic Liver Failure"], "aclf",
     "DRUG", "Granulocyte colony-stimulating factor",
     "G-CSF mobilizes bone marrow stem cells and may promote liver regeneration in ACLF.",
     "India"),
    ("Rifaximin for Prevention of Hepatic Encephalopathy", ["Hepatic Encephalopathy"], "he",
     "DRUG", "Rifaximin", "Rifaximin to prevent overt hepatic encephalopathy in liver disease.",
     "China"),
    ("Autologous CD133+ Bone Marrow Stem Cells in Liver Cirrhosis", ["Liver Cirrhosis"],
     "cirrhosis", "BIOLOGICAL", "CD133+ bone marrow stem cells",
     "Portal vein infusion of autologous CD133-positive hematopoietic stem cells in cirrhosis.",
     "United Kingdom"),
    ("Hepatocyte Transplantation for Acute Liver Failure", ["Liver Failure"], "failure",
     "BIOLOGICAL", "Cryopreserved human hepatocytes",
     "Intrasplenic transplantation of donor hepatocytes as a bridge in liver failure.", "Japan"),
    ("Autologous Bone Marrow Mononuclear Cells in Decompensated Cirrhosis",
     ["Decompensated Cirrhosis"], "cirrhosis", "BIOLOGICAL", "Bone marrow mononuclear cells",
     "Hepatic artery infusion of autologous bone marrow mononuclear cells and stem cell "
     "mobilization in liver cirrhosis.", "Brazil"),
    ("Mesenchymal Stromal Cells to Induce Tolerance After Liver Transplantation",
     ["Liver Transplantation"], "none", "BIOLOGICAL", "Third-party mesenchymal stromal cells",
     "Mesenchymal stromal cells given around liver transplantation to allow weaning of "
     "immunosuppression.", "Belgium"),
]

# The registered trials of the paper's Table 2 (see synth.TABLE2_NCT_IDS).
# nct, (cond index in CONDITIONS), product index, route, n, country, site index, first post,
# start, completion, phases, allocation, status, citation
TABLE2_ROWS = [
    ("NCT00420134", 0, 1, "the portal vein or a peripheral vein", 8, "Switzerland", 0,
     "2007-01-12", "2006-09", "2008-03", ["PHASE1", "PHASE2"], "NA", "COMPLETED",
     "Kharaziha P, et al. Improvement of liver function in liver cirrhosis patients after "
     "autologous mesenchymal stem cell injection. Eur J Gastroenterol Hepatol. 2009."),
    ("NCT01220492", 5, 0, "a peripheral vein", 219, "China", 0, "2010-10-15", "2010-10",
     "2016-12", ["PHASE1", "PHASE2"], "RANDOMIZED", "COMPLETED",
     "Zhang Z, et al. Human umbilical cord mesenchymal stem cells improve liver function and "
     "ascites in decompensated liver cirrhosis patients. J Gastroenterol Hepatol. 2012."),
    ("NCT01662973", 4, 0, "a peripheral vein", 7, "China", 0, "2012-08-13", "2012-08",
     "2013-10", ["PHASE1", "PHASE2"], "NA", "COMPLETED",
     "Wang L, et al. Umbilical cord mesenchymal stem cell therapy for patients with primary "
     "biliary cirrhosis. 2013."),
    ("NCT01729221", 1, 1, "a peripheral vein", 40, "Egypt", 1, "2012-11-20", "2012-06",
     "2013-12", ["PHASE2"], "RANDOMIZED", "COMPLETED",
     "Salama H, et al. Autologous bone marrow mesenchymal stem cells in patients with "
     "decompensated HCV-related cirrhosis. Stem Cell Res Ther. 2014."),
    ("NCT01741090", 6, 1, "the hepatic artery", 11, "Korea, Republic of", 0, "2012-12-05",
     "2010-11", "2012-09", ["PHASE2"], "NA", "COMPLETED",
     "Jang YO, et al. Histological improvement following administration of autologous bone "
     "marrow-derived mesenchymal stem cells for alcoholic cirrhosis. Liver Int. 2014."),
    ("NCT01560845", 5, 1, "the hepatic artery", 56, "China", 1, "2012-03-22", "2011-03",
     "2013-06", ["PHASE1", "PHASE2"], "RANDOMIZED", "COMPLETED",
     "Xu L, et al. Autologous transplantation of bone marrow-derived mesenchymal stem cells "
     "for HBV-related cirrhosis. J Gastroenterol Hepatol. 2014."),
    ("NCT01499459", 0, 1, "a peripheral vein", 25, "Turkey (Türkiye)", 0, "2011-12-23",
     "2010-01", "2013-01", ["PHASE2"], "NA", "COMPLETED",
     "Kantarcioglu M, et al. Efficacy of autologous mesenchymal stem cell transplantation in "
     "patients with liver cirrhosis. Turk J Gastroenterol. 2015."),
    ("NCT01875081", 6, 1, "the hepatic artery", 72, "Korea, Republic of", 0, "2013-06-11",
     "2012-11", "2015-05", ["PHASE2"], "RANDOMIZED", "COMPLETED",
     "Suk KT, et al. Transplantation with autologous bone marrow-derived mesenchymal stem "
     "cells for alcoholic cirrhosis: phase 2 trial. Hepatology. 2016."),
    ("NCT00956891", 2, 1, "the hepatic artery", 527, "China", 1, "2009-08-12", "2005-01",
     "2010-12", ["PHASE2"], "NA", "COMPLETED",
     "Peng L, et al. Autologous bone marrow mesenchymal stem cell transplantation in liver "
     "failure patients caused by hepatitis B. Hepatology. 2011."),
    ("NCT01218464", 3, 0, "a peripheral vein", 43, "China", 0, "2010-10-11", "2010-10",
     "2011-12", ["PHASE1", "PHASE2"], "NA", "UNKNOWN",
     "Shi M, et al. Human mesenchymal stem cell transfusion is safe and improves liver "
     "function in acute-on-chronic liver failure patients. Stem Cells Transl Med. 2012."),
]
SURNAMES = {
    "China": ["Wang", "Li", "Zhang", "Liu", "Chen", "Shi", "Xu", "Zhou"],
    "Iran, Islamic Republic of": ["Mohamadnejad", "Hosseini", "Ahmadi"],
    "Egypt": ["Hassan", "Salem", "Mostafa"], "Korea, Republic of": ["Kim", "Park", "Lee"],
}
OTHER_SURNAMES = ["Garcia", "Smith", "Sharma", "Silva", "Santoso", "Khan", "Nguyen", "Tanaka",
                   "Lin", "Yilmaz", "Ivanov", "Novak", "Peeters", "Brown", "Muller"]
DOSES = ["1.0 x 10^6 cells/kg", "0.5 x 10^6 cells/kg", "5 x 10^7 cells", "1 x 10^8 cells"]
SCHEDULES = ["once", "every 4 weeks for 3 doses", "weekly for 4 weeks", "twice, 1 month apart"]
YEAR_ID_BASE = {2007: 400_000, 2008: 550_000, 2009: 800_000, 2010: 1_050_000,
                 2011: 1_300_000, 2012: 1_550_000, 2013: 1_800_000, 2014: 2_050_000,
                 2015: 2_350_000, 2016: 2_650_000, 2017: 3_000_000, 2018: 3_400_000,
                 2019: 3_800_000, 2020: 4_250_000, 2021: 4_700_000, 2022: 5_150_000,
                 2023: 5_650_000, 2024: 6_200_000, 2025: 6_750_000, 2026: 7_100_000}
# fmt: on

# The second topic's MeSH terms and profiles (topic_ipsc_data.py), so records.py renders them.
MESH.update(topic_ipsc_data.MESH)
PROFILES.update(topic_ipsc_data.PROFILES)
