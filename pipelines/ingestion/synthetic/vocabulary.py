"""Hold the generator's data tables: sheet layout, vocabularies, weights and defect rates."""

import datetime as dt
from typing import Final

SHEET_NAMES: Final = {
    "customers": "Customers",
    "interactions": "External interactions",
    "products": "Products of discussion",
}
CSV_NAMES: Final = {
    "customers": "customers.csv",
    "interactions": "interactions.csv",
    "products": "products.csv",
}
HEADERS: Final = {
    "customers": ["Customer Id", "Occupation", "Type"],
    "interactions": ["Date Start", "Interaction", "Customers", "Topic", "Sentiment"],
    "products": ["Date", "Product"],
}
BRIEF_EXAMPLES: Final = {
    "customers": (
        ("1", "Jedi", "Red"),
        ("2", "Batman", "Orange"),
        ("3", "Santa Claus", "Blue"),
        ("4", "Mover", "Orange"),
    ),
    "interactions": (
        ("04/10/2019 09:00", "Email", "1", "Drug Interaction Concerns", "Negative"),
        ("11/02/2020 16:10", "Call", "4", "Side Effects Discussion", "Positive"),
        ("05/03/2020 11:23", "Bird", "4", "Drug Efficacy", "Positive"),
        ("11/02/2020 16:24", "Call", "5", "Prescription Guidelines", "Positive"),
    ),
    "products": (
        ("01-2019", "Sand"),
        ("02-2019", "Sand"),
        ("03-2019", "Sand"),
        ("04-2019", "Sand"),
    ),
}

FIRST_DAY: Final = dt.date(2019, 1, 1)
LAST_DAY: Final = dt.date(2024, 12, 31)
# A fixed creation stamp is what keeps two generated workbooks byte-identical.
WORKBOOK_CREATED: Final = dt.datetime(2025, 1, 1)
XLSX_MAX_ROWS: Final = 1_048_576

# Relative weights: the business is mostly pharmacists and doctors, with a few odd regulars.
OCCUPATIONS: Final = {
    "Pharmacist": 18, "General Practitioner": 16, "Nurse": 13, "Hospital Buyer": 9,
    "Oncologist": 7, "Cardiologist": 7, "Mover": 6, "Jedi": 5, "Santa Claus": 4,
    "Batman": 4, "Wizard": 4, "Astronaut": 3, "Veterinarian": 3, "Dentist": 2,
}  # fmt: skip
TYPES: Final = {"Red": 5, "Orange": 3, "Blue": 2}
CHANNELS: Final = {"Email": 38, "Call": 26, "Chatbot": 14, "Post": 9, "Bird": 8, "Boat": 5}
TOPICS: Final = {
    "Product Inquiry": 18, "Drug Efficacy": 15, "Side Effects Discussion": 13,
    "Dosage Recommendations": 11, "Prescription Guidelines": 10, "Drug Interaction Concerns": 9,
    "Pricing And Reimbursement": 8, "Clinical Trial Results": 6, "Patient Support Programs": 6,
    "Regulatory Compliance": 4,
}  # fmt: skip
SENTIMENTS: Final = {"Positive": 45, "Neutral": 35, "Negative": 20}
# Harm and money draw complaints: these topics are this many times likelier to be Negative.
NEGATIVE_TOPICS: Final = ("Side Effects Discussion", "Drug Interaction Concerns")
NEGATIVE_TILT: Final = 2.5
# Contacts happen in office hours, rarely at night or at weekends.
HOUR_WEIGHTS: Final = (
    1,
    1,
    1,
    1,
    1,
    2,
    4,
    10,
    30,
    45,
    45,
    40,
    25,
    35,
    45,
    45,
    40,
    25,
    10,
    6,
    4,
    3,
    2,
    1,
)
WEEKEND_WEIGHT: Final = 0.15
# Lognormal spread of customer activity: a few customers dominate the interaction count.
ACTIVITY_SIGMA: Final = 1.4
# Deleted accounts leave holes in the id sequence.
ID_GAP_RATE: Final = 0.02
PRODUCTS: Final = (
    "Sand", "Glass", "Silicon", "Quartz", "Clay", "Gravel",
    "Marble", "Granite", "Limestone", "Basalt", "Feldspar", "Obsidian",
)  # fmt: skip
PRODUCT_CHANGE_RATE: Final = 0.3

BOM: Final = "\ufeff"
CHANNEL_SYNONYMS: Final = ("e-mail", "E-mail", "phone", "telephone", "letter", "chat bot")
JUNK_IDS: Final = ("12in", "abc", "N/A", "#REF!", "?")
JUNK_DATES: Final = ("yesterday", "TBD", "n/a", "#VALUE!", "last week")
IMPOSSIBLE_DAYS: Final = ("31/02", "30/02", "31/04", "31/06", "31/09", "13/13", "00/05", "32/01")

# Share of generated cells given each defect kind; small data sets still get one of each.
CUSTOMER_ID_DEFECT_RATES: Final = {
    "whitespace": 0.02, "decimal": 0.01, "junk_id": 0.004,
    "empty": 0.004, "zero": 0.002, "negative": 0.002,
}  # fmt: skip
INTERACTION_ID_DEFECT_RATES: Final = {**CUSTOMER_ID_DEFECT_RATES, "unknown": 0.01}
DATE_DEFECT_RATES: Final = {
    "iso": 0.01, "iso_t": 0.005, "short": 0.01, "seconds": 0.01,
    "impossible": 0.003, "junk_date": 0.003, "empty": 0.005,
}  # fmt: skip
TEXT_DEFECT_RATES: Final = {"case": 0.02, "whitespace": 0.02, "bom": 0.003, "empty": 0.005}
CHANNEL_DEFECT_RATES: Final = {**TEXT_DEFECT_RATES, "synonym": 0.02}
TOPIC_DEFECT_RATES: Final = {**TEXT_DEFECT_RATES, "inner_space": 0.01}
OCCUPATION_DEFECT_RATES: Final = {**TEXT_DEFECT_RATES, "inner_space": 0.01}
TYPE_DEFECT_RATES: Final = TEXT_DEFECT_RATES
SENTIMENT_DEFECT_RATES: Final = {**TEXT_DEFECT_RATES, "mixed": 0.01}
DUPLICATE_INTERACTION_RATE: Final = 0.01
CUSTOMER_DUPLICATE_RATES: Final = {"identical": 0.01, "conflicting": 0.005}
# Per month of the product sheet (72 months, so 0.03 means two rows).
PRODUCT_DEFECT_RATES: Final = {
    "short_month": 0.03, "iso_month": 0.03, "empty": 0.02, "missing": 0.03,
    "identical": 0.02, "conflicting": 0.02, "invalid_month": 0.02,
}  # fmt: skip
